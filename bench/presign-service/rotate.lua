-- wrk script: GET PREFIX..ID..SUFFIX with ID cycling through COUNT ids (comp_0001 …), or PREFIX alone
-- when COUNT is 0. Every measured route goes through this script, so wrk's own cost is the same for all.
--   wrk -s rotate.lua http://127.0.0.1:18480 -- PREFIX COUNT SUFFIX
local requests = {}
local n = 0

function init(args)
  local prefix, count, suffix = args[1], tonumber(args[2] or "0"), args[3] or ""
  if count == 0 then
    requests[1] = wrk.format("GET", prefix)
  else
    for i = 1, count do
      requests[i] = wrk.format("GET", string.format("%scomp_%04d%s", prefix, i, suffix))
    end
  end
end

function request()
  n = n + 1
  return requests[(n % #requests) + 1]
end

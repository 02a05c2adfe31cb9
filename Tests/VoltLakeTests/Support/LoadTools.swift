#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import StackTestSupport

/// The pieces of the load tests: a running `voltlake serve`, `wrk` and its output, and the server's memory.
enum LoadTools {
    /// Raises this process's soft limit on open files to its hard limit (at most 65,536). The server and
    /// wrk are spawned from here and inherit it; 1,000 connections need well above the usual 1,024.
    static func raiseOpenFileLimit(atLeast needed: Int) throws {
        var limit = rlimit()
        #if canImport(Glibc)
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        #else
        let resource = RLIMIT_NOFILE
        #endif
        try #require(getrlimit(resource, &limit) == 0, "getrlimit failed")
        let target = min(limit.rlim_max, 65_536)
        if limit.rlim_cur < target {
            limit.rlim_cur = target
            try #require(setrlimit(resource, &limit) == 0, "setrlimit(RLIMIT_NOFILE, \(target)) failed")
        }
        try #require(Int(limit.rlim_cur) >= needed,
            "the open-file limit is \(limit.rlim_cur) (hard limit \(limit.rlim_max)); the load test needs \(needed): raise it (ulimit -Hn)")
    }

    /// A port below 32,768 (under Linux's ephemeral range, so wrk's own outgoing ports never take it)
    /// that nothing listens on now.
    static func freePort() throws -> Int {
        for _ in 0..<200 {
            let port = Int.random(in: 20_000..<32_000)
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { continue }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = UInt16(port).bigEndian
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            close(fd)
            if bound == 0 { return port }
        }
        throw ServeProcess.Failure(description: "no free port found below 32768")
    }

    /// `wrk` on PATH (scripts/test installs it).
    static func wrk() throws -> URL {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        for folder in path.split(separator: ":").map(String.init) + ["/usr/bin", "/usr/local/bin"] {
            let candidate = URL(fileURLWithPath: folder).appendingPathComponent("wrk")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        throw ServeProcess.Failure(description: "wrk is not installed: `apt-get install wrk` (scripts/test does this)")
    }

    /// A wrk script that cycles over `ids`, GET `/api/upload/component-image-url/<id>?expirationHours=1`.
    static func linkScript(ids: [String], token: String, in directory: URL) throws -> URL {
        let list = ids.map { "\"\($0)\"" }.joined(separator: ", ")
        let script = """
            -- GET /api/upload/component-image-url/<id>?expirationHours=1, the ids in turn (one list per thread).
            local ids = { \(list) }
            local requests = {}
            local n = 0
            function init(args)
              local headers = { ["Authorization"] = "Bearer \(token)" }
              for i, id in ipairs(ids) do
                requests[i] = wrk.format("GET", "/api/upload/component-image-url/" .. id .. "?expirationHours=1", headers)
              end
            end
            function request()
              n = n + 1
              return requests[(n % #requests) + 1]
            end

            """
        let url = directory.appendingPathComponent("links.lua")
        try script.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    /// Starts wrk; read its report with `WrkReport(waitingFor:)`.
    static func startWrk(connections: Int, threads: Int = 2, seconds: Int, timeoutSeconds: Int, script: URL, url: String) throws -> (Process, Pipe) {
        let process = Process()
        process.executableURL = try wrk()
        process.arguments = [
            "-t\(threads)", "-c\(connections)", "-d\(seconds)s", "--timeout", "\(timeoutSeconds)s", "--latency",
            "-s", script.path, url,
        ]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return (process, output)
    }

    /// The resident set of a process in bytes, from `/proc/<pid>/status` (VmRSS).
    static func residentBytes(of pid: Int32) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }, "no VmRSS in /proc/\(pid)/status")
        let kilobytes = try #require(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap { Int($0) })
        return kilobytes * 1024
    }
}

/// What wrk printed, parsed.
struct WrkReport: CustomStringConvertible {
    var text: String
    var requests = 0
    var requestsPerSecond = 0.0
    var p99Milliseconds: Double?
    var connectErrors = 0
    var readErrors = 0
    var writeErrors = 0
    var timeouts = 0
    var non2xx = 0
    var status: Int32 = 0

    var description: String { text }
    var socketErrors: Int { connectErrors + readErrors + writeErrors + timeouts }

    init(text: String, status: Int32) {
        self.text = text
        self.status = status
        for raw in text.split(separator: "\n") {
            let line = raw.trimmingCharacters(in: .whitespaces)
            let words = line.split(separator: " ", omittingEmptySubsequences: true)
            if line.contains(" requests in "), let n = words.first.flatMap({ Int($0) }) {
                requests = n
            } else if line.hasPrefix("Requests/sec:"), let v = words.last.flatMap({ Double($0) }) {
                requestsPerSecond = v
            } else if line.hasPrefix("99%"), let v = words.last {
                p99Milliseconds = Self.milliseconds(String(v))
            } else if line.hasPrefix("Non-2xx or 3xx responses:"), let n = words.last.flatMap({ Int($0) }) {
                non2xx = n
            } else if line.hasPrefix("Socket errors:") {
                // Socket errors: connect 0, read 12, write 0, timeout 0
                let fields = line.dropFirst("Socket errors:".count).split(separator: ",")
                for field in fields {
                    let pair = field.split(separator: " ")
                    guard pair.count == 2, let n = Int(pair[1]) else { continue }
                    switch pair[0] {
                    case "connect": connectErrors = n
                    case "read": readErrors = n
                    case "write": writeErrors = n
                    case "timeout": timeouts = n
                    default: break
                    }
                }
            }
        }
    }

    /// Waits for wrk to finish and parses its output.
    init(waitingFor process: Process, output: Pipe) {
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        self.init(text: String(decoding: data, as: UTF8.self), status: process.terminationStatus)
    }

    /// `812.00us`, `12.34ms`, `1.02s` → milliseconds.
    static func milliseconds(_ value: String) -> Double? {
        if value.hasSuffix("us") { return Double(value.dropLast(2)).map { $0 / 1000 } }
        if value.hasSuffix("ms") { return Double(value.dropLast(2)) }
        if value.hasSuffix("m") { return Double(value.dropLast(1)).map { $0 * 60_000 } }
        if value.hasSuffix("s") { return Double(value.dropLast(1)).map { $0 * 1000 } }
        return nil
    }
}

/// `voltlake serve` running in a sandbox on a free port, with its output in a log file.
struct ServeProcess {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    let process: Process
    let port: Int
    let log: URL
    let directory: URL
    var base: String { "http://127.0.0.1:\(port)" }
    var logText: String { String(decoding: (try? Data(contentsOf: log)) ?? Data(), as: UTF8.self) }

    static func start(bucket: String, token: String) throws -> ServeProcess {
        let dir = try CLI.sandbox()
        let port = try LoadTools.freePort()
        let process = Process()
        process.executableURL = CLI.binary
        process.arguments = ["serve", "--port", String(port), "--refresh-interval", "300"]
        process.currentDirectoryURL = dir
        var environment = LocalStack.voltlakeEnvironment(bucket: bucket, pictures: "/nonexistent")
        environment["PATH"] = "/usr/bin:/bin"
        environment["HOME"] = dir.appendingPathComponent("home").path
        environment["VOLTLAKE_API_TOKEN"] = token
        process.environment = environment
        let log = dir.appendingPathComponent("serve.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return ServeProcess(process: process, port: port, log: log, directory: dir)
    }

    /// Waits for `/ready` (up to a minute on a loaded machine).
    func waitUntilReady() async throws {
        for _ in 0..<600 {
            if let (_, response) = try? await HTTP.send(URLRequest(url: URL(string: "\(base)/ready")!)), response.statusCode == 200 {
                return
            }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw Failure(description: "serve did not become ready: \(logText)")
    }

    /// SIGTERM, then waits up to `seconds` for the exit; returns how long it took, or nil if it is still running.
    func terminate(within seconds: Double) async throws -> Duration? {
        let clock = ContinuousClock()
        let start = clock.now
        kill(process.processIdentifier, SIGTERM)
        while process.isRunning, clock.now - start < .seconds(seconds) {
            try await Task.sleep(for: .milliseconds(20))
        }
        if process.isRunning { return nil }
        process.waitUntilExit()
        return clock.now - start
    }

    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}

#!/usr/bin/env python3
"""Spawn-per-request, as the Express route does it: run COMMAND N times, one after another (the
route awaits each child), and print requests/s and latency percentiles. Node-free on purpose.
Usage: spawn_bench.py LABEL COUNT -- COMMAND ARGS..."""
import subprocess
import sys
import time


def main():
    label, count = sys.argv[1], int(sys.argv[2])
    command = sys.argv[sys.argv.index("--") + 1:]
    latencies = []
    failures = 0
    started = time.perf_counter()
    for _ in range(count):
        t0 = time.perf_counter()
        result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        latencies.append(time.perf_counter() - t0)
        if result.returncode != 0 or b'"success":' not in result.stdout.replace(b" ", b""):
            failures += 1
    elapsed = time.perf_counter() - started
    latencies.sort()
    p50 = latencies[len(latencies) // 2]
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    print(f"{label}\t{count / elapsed:.1f}\t{p50 * 1000:.1f}\t{p99 * 1000:.1f}\t{failures}")


if __name__ == "__main__":
    main()

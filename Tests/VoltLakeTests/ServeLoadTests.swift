import Foundation
import Testing

/// `voltlake serve` under load, as a real process against the local stack, driven by wrk.
/// CI runs the short form (VOLTLAKE_LOAD_SECONDS, default 8 s); `bench/serve-load/run.sh` the full one.
@Suite(.serialized) struct ServeLoadTests {
    static let token = "load-test-token"
    static let ids = (1...50).map { String(format: "load_%03d", $0) }

    /// A bucket with one picture for each of the 50 components.
    static func bucket() async throws -> String {
        var pictures: [String: [UInt8]] = [:]
        for (n, id) in ids.enumerated() {
            pictures["images/components/\(id)/\(id).jpg"] = PresignStack.picture(n, size: 500)
        }
        return try await PresignStack.bucket(with: pictures)
    }

    @Test func thousandConnectionsWithoutErrorsAndFlatMemory() async throws {
        try LoadTools.raiseOpenFileLimit(atLeast: 2_200)  // 1,000 sockets each for wrk and the server, plus files
        let seconds = Int(ProcessInfo.processInfo.environment["VOLTLAKE_LOAD_SECONDS"] ?? "") ?? 8
        let bucket = try await Self.bucket()
        let serve = try ServeProcess.start(bucket: bucket, token: Self.token)
        defer { serve.stop() }
        try await serve.waitUntilReady()
        let script = try LoadTools.linkScript(ids: Self.ids, token: Self.token, in: serve.directory)
        let url = "\(serve.base)/"

        // Warm-up with the same 1,000 connections: the allocator, NIO's buffers and the per-second
        // answer cache reach their working size; memory is measured from here.
        let (warm, warmOutput) = try LoadTools.startWrk(connections: 1_000, seconds: 2, timeoutSeconds: 5, script: script, url: url)
        let warmReport = WrkReport(waitingFor: warm, output: warmOutput)
        try #require(warmReport.status == 0 && warmReport.requests > 0, "warm-up failed: \(warmReport)\n\(serve.logText)")
        let warmRSS = try LoadTools.residentBytes(of: serve.process.processIdentifier)

        // wrk's timeout is 5 s (its default is 2 s): a debug build on two shared cores answers 1,000
        // connections with a p99 well under a second, and a request slower than 5 s is a failure.
        let (load, output) = try LoadTools.startWrk(connections: 1_000, seconds: seconds, timeoutSeconds: 5, script: script, url: url)
        let report = WrkReport(waitingFor: load, output: output)
        let endRSS = try LoadTools.residentBytes(of: serve.process.processIdentifier)

        let megabyte = 1_048_576.0
        print(String(
            format: "serve load: wrk -t2 -c1000 -d%ds: %d requests, %.0f req/s, p99 %.2f ms; errors connect %d read %d write %d timeout %d, non-2xx %d; RSS after warm-up %.1f MB, at the end %.1f MB",
            seconds, report.requests, report.requestsPerSecond, report.p99Milliseconds ?? -1,
            report.connectErrors, report.readErrors, report.writeErrors, report.timeouts, report.non2xx,
            Double(warmRSS) / megabyte, Double(endRSS) / megabyte))

        #expect(report.status == 0, "\(report)")
        #expect(report.requests > 0, "\(report)")
        #expect(report.non2xx == 0, "some answers were not 2xx: \(report)")
        #expect(report.socketErrors == 0, "socket errors under load: \(report)")
        #expect(report.p99Milliseconds != nil, "no p99 in wrk's output: \(report)")
        // Flat memory: both samples are taken just after a wrk run with the same 1,000 connections, so
        // they hold the same working set (connection buffers, the 50 cached answers, the allocator's
        // arenas); locally the end is 1–3 MB above the warm-up. The bound allows allocator noise (an
        // eighth of the warm-up plus 12 MB, about 21 MB for a 73 MB server) and no more: a leak of
        // ~500 bytes per request (≈ 40,000 requests in 8 s here) breaks it.
        let bound = warmRSS + warmRSS / 8 + 12 * 1_048_576
        #expect(endRSS <= bound, "memory grew under load: \(warmRSS) bytes after warm-up, \(endRSS) at the end (bound \(bound))")
        #expect(serve.process.isRunning, "serve died under load: \(serve.logText)")
    }

    /// SIGTERM in the middle of the load: the listener closes, requests already received are answered
    /// (with `Connection: close`), and serve exits 0 within a few seconds (the drain grace is 1 s).
    ///
    /// What wrk sees, and what is asserted:
    /// - no read errors and no timeouts: no request that reached the server was dropped or reset, and no
    ///   kept-alive connection was closed under a request the client had already sent (wrk counts a
    ///   connection closed or reset while its request is outstanding as a read error);
    /// - no non-2xx answer (no 503 while draining);
    /// - write errors are expected and not failures: after each `Connection: close` wrk reconnects at
    ///   once and keeps trying for the rest of its 6 s; the closed listener refuses those connects, and
    ///   wrk (non-blocking connect) reports the refusal on its first write. At least one refused attempt
    ///   (a write or connect error) is required: it shows SIGTERM came while the load was running.
    @Test func sigtermDuringLoadDrainsAndExitsZero() async throws {
        try LoadTools.raiseOpenFileLimit(atLeast: 1_024)
        let bucket = try await Self.bucket()
        let serve = try ServeProcess.start(bucket: bucket, token: Self.token)
        defer { serve.stop() }
        try await serve.waitUntilReady()
        let script = try LoadTools.linkScript(ids: Self.ids, token: Self.token, in: serve.directory)

        let (load, output) = try LoadTools.startWrk(connections: 100, seconds: 6, timeoutSeconds: 5, script: script, url: "\(serve.base)/")
        try await Task.sleep(for: .seconds(2))
        let stopped = try await serve.terminate(within: 10)
        let report = WrkReport(waitingFor: load, output: output)
        print(
            "serve SIGTERM under load: exit after \(stopped.map { "\($0)" } ?? "more than 10 s"); \(report.requests) requests; "
                + "errors connect \(report.connectErrors) read \(report.readErrors) write \(report.writeErrors) "
                + "timeout \(report.timeouts), non-2xx \(report.non2xx)")

        let elapsed = try #require(stopped, "serve did not exit within 10 s of SIGTERM: \(serve.logText)")
        #expect(elapsed < .seconds(5), "serve took \(elapsed) to stop")
        #expect(serve.process.terminationReason == .exit)
        #expect(serve.process.terminationStatus == 0, "\(serve.logText)")
        #expect(report.requests > 0, "\(report)")
        #expect(report.readErrors == 0, "requests were cut off by the shutdown: \(report)")
        #expect(report.timeouts == 0, "requests timed out: \(report)")
        #expect(report.non2xx == 0, "answers during the drain were not 2xx: \(report)")
        #expect(report.writeErrors + report.connectErrors > 0, "the load had stopped before SIGTERM: \(report)")
    }
}

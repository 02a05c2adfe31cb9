import Foundation
import Testing
@testable import VoltLake

/// PostgreSQL faults an operator meets: a statement timeout (set the way libpq users set it, PGOPTIONS).
@Suite struct DatabaseFaultTests {
    @Test func pgOptionsReachTheServer() throws {
        let settings = try resolve(environment: ["PGOPTIONS": "-c statement_timeout=250"]).postgres
        #expect(settings.options?.value == "-c statement_timeout=250")
        #expect(settings.options?.source == .environment("PGOPTIONS"))
        let url = try resolve(environment: ["DATABASE_URL": "postgres://u@h/db?options=-c%20statement_timeout%3D1s"]).postgres
        #expect(url.options?.value == "-c statement_timeout=1s")
    }

    @Test func statementTimeoutStopsTheExportWithNothingWritten() async throws {
        let bucket = try await LocalStack.makeBucket()
        let dir = try CLI.sandbox()
        var environment = LocalStack.voltlakeEnvironment(bucket: bucket, pictures: "/nonexistent")
        environment["PGOPTIONS"] = "-c statement_timeout=300"
        let result = try CLI.run(
            ["export", "--query", "SELECT n AS id, pg_sleep(0.2) AS pause FROM generate_series(1, 20) AS n"],
            environment: environment, in: dir)
        #expect(result.status == 1, "\(result.all)")
        #expect(result.stderr.contains("statement timeout"), "\(result.stderr)")
        #expect(!result.all.contains("voltlake-local\n"))
        let client = ExportStack.s3Client()
        let keys = try await ExportStack.keys(in: bucket, client: client)
        try await client.shutdown()
        #expect(keys.isEmpty, "\(keys)")
    }
}

/// PostgreSQL going away in the middle of an export (what a restart or a fast shutdown does to each
/// backend: the server terminates it): a clear error, exit 1, the uploads aborted, nothing at any key.
/// Over plain TCP and over TLS, since the connection-loss path differs (FIN vs an unclean TLS close).
@Suite struct DatabaseLostMidExportTests {
    @Test(arguments: ["disable", "require"])
    func terminatedBackendLeavesNothing(sslmode: String) async throws {
        let bucket = try await LocalStack.makeBucket()
        let marker = "voltlake_lost_\(UUID().uuidString.lowercased().prefix(8))"
        let process = Process()
        process.executableURL = CLI.binary
        process.arguments = ["export", "--query",
                             "SELECT n AS id, repeat('x', 300) AS filler, '\(marker)' AS marker FROM generate_series(1, 3000000) AS n"]
        let dir = try CLI.sandbox()
        process.currentDirectoryURL = dir
        var environment = ExportStack.environment(bucket: bucket, extra: ["VOLTLAKE_PART_SIZE_MB": "5", "PGSSLMODE": sslmode])
        environment["PATH"] = "/usr/bin:/bin"
        environment["HOME"] = dir.appendingPathComponent("home").path
        process.environment = environment
        let stderr = dir.appendingPathComponent("stderr.txt")
        FileManager.default.createFile(atPath: stderr.path, contents: nil)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: stderr)
        let since = try await ExportStack.requestSequence()
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        // Terminate the backend once the first part is on its way, i.e. mid-stream.
        var sawPart = false
        for _ in 0..<150 where !sawPart {
            try await Task.sleep(for: .milliseconds(100))
            sawPart = try await ExportStack.requests(to: bucket, since: since).contains { $0.operation == "UploadPart" }
        }
        try #require(sawPart, "the export sent no part within 15 s")
        let terminated = try ExportStack.psql(
            "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE '%\(marker)%' AND pid <> pg_backend_pid()) AS t")
        #expect(terminated.trimmingCharacters(in: .whitespacesAndNewlines) == "1")
        for _ in 0..<300 where process.isRunning { try await Task.sleep(for: .milliseconds(100)) }
        try #require(!process.isRunning, "the export did not stop within 30 s of losing its connection")
        let message = try String(contentsOf: stderr, encoding: .utf8)
        #expect(process.terminationReason == .exit && process.terminationStatus == 1, "status \(process.terminationStatus): \(message.prefix(400))")
        #expect(message.contains("connection to PostgreSQL at") && message.contains("was lost while reading the rows"), "\(message.prefix(400))")
        #expect(!message.contains("Fatal error") && !message.contains("Backtrace"), "\(message.prefix(400))")
        try await ExportFailureTests().expectNothingLeft(in: bucket)
    }
}

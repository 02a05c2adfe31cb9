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

/// PostgreSQL going away in the middle of an export: the server stopped (fast shutdown, as a restart or
/// a maintenance window does) or the one backend terminated. A clear error, exit 1, the uploads aborted,
/// nothing at any key. Over plain TCP and over TLS, since the loss looks different (FIN vs an unclean TLS close).
@Suite struct DatabaseLostMidExportTests {
    struct Running {
        var process: Process
        var stderr: URL
        var bucket: String
        var marker: String
    }

    /// Starts an export of 3 million generated rows and returns once its first part is on its way.
    func exportUntilFirstPart(sslmode: String) async throws -> Running {
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
        _ = FileManager.default.createFile(atPath: stderr.path, contents: nil)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: stderr)
        let since = try await ExportStack.requestSequence()
        try process.run()
        var sawPart = false
        for _ in 0..<150 where !sawPart && process.isRunning {
            try await Task.sleep(for: .milliseconds(100))
            sawPart = try await ExportStack.requests(to: bucket, since: since).contains { $0.operation == "UploadPart" }
        }
        if !sawPart { process.terminate() }
        try #require(sawPart, "the export sent no part within 15 s: \((try? String(contentsOf: stderr, encoding: .utf8)) ?? "")")
        return Running(process: process, stderr: stderr, bucket: bucket, marker: marker)
    }

    /// The export stops by itself, exit 1, says the connection was lost, and leaves nothing behind.
    func expectCleanStop(_ run: Running) async throws {
        defer { if run.process.isRunning { run.process.terminate() } }
        for _ in 0..<300 where run.process.isRunning { try await Task.sleep(for: .milliseconds(100)) }
        try #require(!run.process.isRunning, "the export did not stop within 30 s of losing its connection")
        let message = try String(contentsOf: run.stderr, encoding: .utf8)
        #expect(run.process.terminationReason == .exit && run.process.terminationStatus == 1,
                "status \(run.process.terminationStatus): \(message.prefix(400))")
        #expect(message.contains("PostgreSQL at") && message.contains("while reading the rows"), "\(message.prefix(400))")
        #expect(!message.contains("Fatal error") && !message.contains("Backtrace"), "\(message.prefix(400))")
        try await ExportFailureTests().expectNothingLeft(in: run.bucket)
    }

    @Test(arguments: ["disable", "require"])
    func terminatedBackendLeavesNothing(sslmode: String) async throws {
        let run = try await exportUntilFirstPart(sslmode: sslmode)
        let terminated = try ExportStack.psql(
            "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE '%\(run.marker)%' AND pid <> pg_backend_pid()) AS t")
        #expect(terminated.trimmingCharacters(in: .whitespacesAndNewlines) == "1")
        try await expectCleanStop(run)
    }

    /// Runs `scripts/stack COMMAND`, polling for its end: `Process.waitUntilExit` was seen to hang here
    /// after `up` started the PostgreSQL daemon (the child exited, a zombie never reaped).
    func stack(_ command: String) async throws -> (status: Int32, output: String) {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("voltlake-stack-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: log) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [LocalStack.packageRoot.appendingPathComponent("scripts/stack").path, command]
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        for _ in 0..<1200 where process.isRunning { try await Task.sleep(for: .milliseconds(100)) }
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        try #require(!process.isRunning, "scripts/stack \(command) did not finish in 120 s: \(output)")
        return (process.terminationStatus, output)
    }

    @Test func stoppedServerLeavesNothingAndARerunCompletes() async throws {
        let run = try await exportUntilFirstPart(sslmode: "require")
        let stopped = try await stack("stop-postgres")
        #expect(stopped.status == 0, "\(stopped.output)")
        var cleanStop: (any Error)?
        do { try await expectCleanStop(run) } catch { cleanStop = error }
        // The server comes back for the tests after this one, whatever happened above.
        let started = try await stack("up")
        try #require(started.status == 0, "\(started.output)")
        if let cleanStop { throw cleanStop }

        let rerun = try ExportStack.exportCLI(["--query", "SELECT n AS id FROM generate_series(1, 1000) AS n"], bucket: run.bucket)
        #expect(rerun.status == 0, "\(rerun.all)")
        let client = ExportStack.s3Client()
        let keys = try await ExportStack.keys(in: run.bucket, client: client)
        try await client.shutdown()
        #expect(keys.count == 3, "\(keys)")
    }
}

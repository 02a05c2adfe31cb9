import Foundation
import Testing

/// A failed export leaves nothing half-done: no object at the final keys, no open multipart upload,
/// no manifest, a non-zero exit status and a message that says what failed.
@Suite struct ExportFailureTests {
    func expectNothingLeft(in bucket: String) async throws {
        let client = ExportStack.s3Client()
        defer { Task { try? await client.shutdown() } }
        let keys = try await ExportStack.keys(in: bucket, client: client)
        #expect(keys.isEmpty, "left behind: \(keys)")
        let uploads = try await ExportStack.openMultipartUploads(bucket)
        #expect(uploads.isEmpty, "open multipart uploads: \(uploads)")
    }

    @Test func s3FailingMidExportLeavesNothing() async throws {
        let table = ExportStack.tableName("s3fail")
        try ExportStack.loadSample(table: table, rows: 30000)
        defer { ExportStack.dropTable(table) }
        let bucket = try await LocalStack.makeBucket()
        // CreateMultipartUpload goes through; every part upload fails from then on.
        try await ExportStack.injectFault(["bucket": bucket, "operation": "UploadPart", "count": 50, "status": 503, "code": "SlowDown"])
        let since = try await ExportStack.requestSequence()
        let result = try ExportStack.exportCLI(["--table", table], bucket: bucket, extra: ["VOLTLAKE_PART_SIZE_MB": "5"])
        #expect(result.status == 1, "\(result.all)")
        #expect(result.stderr.contains("UploadPart") && result.stderr.contains("SlowDown"), "\(result.stderr)")
        #expect(result.stderr.contains("No manifest was written"))
        #expect(result.stdout.isEmpty)
        let seen = try await ExportStack.requests(to: bucket, since: since)
        #expect(seen.contains { $0.operation == "CreateMultipartUpload" && $0.status == 200 }, "\(seen)")
        #expect(seen.contains { $0.operation == "AbortMultipartUpload" && $0.status == 204 }, "\(seen)")
        try await expectNothingLeft(in: bucket)
    }

    @Test func oneFormatFailingRemovesTheOther() async throws {
        let table = ExportStack.tableName("csvfail")
        try ExportStack.loadSample(table: table, rows: 50)
        defer { ExportStack.dropTable(table) }
        let bucket = try await LocalStack.makeBucket()
        // The JSON goes through; the CSV's PutObject fails every attempt.
        try await ExportStack.injectFault(["bucket": bucket, "method": "PUT", "keyPrefix": "raw/components/dt=", "count": 20, "status": 500])
        let since = try await ExportStack.requestSequence()
        let result = try ExportStack.exportCLI(["--table", table], bucket: bucket)
        #expect(result.status == 1, "\(result.all)")
        #expect(result.stderr.contains("components.csv"), "\(result.stderr)")
        let seen = try await ExportStack.requests(to: bucket, since: since)
        #expect(seen.contains { $0.operation == "PutObject" && $0.status == 200 }, "the JSON was not stored first: \(seen)")
        #expect(seen.contains { $0.operation == "DeleteObject" && $0.status == 204 }, "\(seen)")
        try await expectNothingLeft(in: bucket)
    }

    @Test func databaseErrorMidExportLeavesNothing() async throws {
        let bucket = try await LocalStack.makeBucket()
        // About 12 MB of JSON before row 50000 divides by zero: the multipart upload has parts by then.
        let query = "SELECT n AS id, repeat('x', 200) AS filler, 1 / (n - 50000) AS boom FROM generate_series(1, 60000) AS n"
        let since = try await ExportStack.requestSequence()
        let result = try ExportStack.exportCLI(["--query", query], bucket: bucket, extra: ["VOLTLAKE_PART_SIZE_MB": "5"])
        #expect(result.status == 1, "\(result.all)")
        #expect(result.stderr.contains("22012") || result.stderr.contains("division by zero"), "\(result.stderr)")
        let seen = try await ExportStack.requests(to: bucket, since: since)
        #expect(seen.contains { $0.operation == "UploadPart" && $0.status == 200 }, "no part was sent before the failure: \(seen)")
        #expect(seen.contains { $0.operation == "AbortMultipartUpload" && $0.status == 204 }, "\(seen)")
        #expect(!seen.contains { $0.operation == "CompleteMultipartUpload" || $0.operation == "PutObject" }, "\(seen)")
        try await expectNothingLeft(in: bucket)
    }

    @Test func postgresDownIsDescribed() async throws {
        let bucket = try await LocalStack.makeBucket()
        let result = try ExportStack.exportCLI([], bucket: bucket, extra: ["POSTGRES_PORT": "15439"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("Cannot connect to PostgreSQL at 127.0.0.1:15439"), "\(result.stderr)")
        try await expectNothingLeft(in: bucket)
    }

    @Test func dryRunWritesNothing() async throws {
        let table = ExportStack.tableName("dry")
        try ExportStack.loadSample(table: table, rows: 100)
        defer { ExportStack.dropTable(table) }
        let bucket = try await LocalStack.makeBucket()
        let text = try ExportStack.exportCLI(["--table", table, "--dry-run"], bucket: bucket)
        #expect(text.status == 0, "\(text.all)")
        #expect(text.stdout.contains("would export 100 rows from table \(table)"), "\(text.stdout)")
        #expect(text.stdout.contains("raw/components/manifests/run_"))
        let json = try ExportStack.exportCLI(["--table", table, "--dry-run", "--json"], bucket: bucket)
        let plan = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any], "\(json.all)")
        #expect(plan["row_count"] as? Int == 100)
        #expect((plan["objects"] as? [Any])?.count == 2)
        try await expectNothingLeft(in: bucket)
    }

    @Test func tableNameWithSQLIsRefused() async throws {
        let bucket = try await LocalStack.makeBucket()
        let result = try ExportStack.exportCLI(["--table", "x; DROP TABLE electric_components"], bucket: bucket)
        #expect(result.status == 2, "\(result.all)")
        #expect(result.stderr.contains("is not a table name voltlake accepts"))
        try await expectNothingLeft(in: bucket)
        #expect(try ExportStack.psql("SELECT to_regclass('electric_components') IS NOT NULL").contains("t"))
    }

    @Test func badFormatIsAUsageError() throws {
        let result = try ExportStack.exportCLI(["--format", "xml"], bucket: "vl-test-unused")
        #expect(result.status == 2, "\(result.all)")
        #expect(result.stderr.contains("--format"))
    }

    @Test func queryCannotWrite() async throws {
        let table = ExportStack.tableName("ro")
        try ExportStack.psql("CREATE SEQUENCE \"\(table)\"")
        defer { _ = try? ExportStack.psql("DROP SEQUENCE IF EXISTS \"\(table)\"") }
        let bucket = try await LocalStack.makeBucket()
        let result = try ExportStack.exportCLI(["--query", "SELECT nextval('\(table)') AS n"], bucket: bucket)
        #expect(result.status == 1, "\(result.all)")
        #expect(result.stderr.contains("read-only"), "\(result.stderr)")
        try await expectNothingLeft(in: bucket)
    }
}

/// Ctrl-C during an export: exit 130, uploads aborted, nothing left.
@Suite struct ExportInterruptTests {
    @Test func interruptLeavesNothing() async throws {
        let bucket = try await LocalStack.makeBucket()
        let process = Process()
        process.executableURL = CLI.binary
        process.arguments = ["export", "--query", "SELECT n AS id, repeat('x', 300) AS filler FROM generate_series(1, 3000000) AS n"]
        let dir = try CLI.sandbox()
        process.currentDirectoryURL = dir
        var environment = ExportStack.environment(bucket: bucket, extra: ["VOLTLAKE_PART_SIZE_MB": "5"])
        environment["PATH"] = "/usr/bin:/bin"
        environment["HOME"] = dir.appendingPathComponent("home").path
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        let since = try await ExportStack.requestSequence()
        try process.run()
        // Interrupt once the first part is on its way.
        var sawPart = false
        for _ in 0..<100 where !sawPart {
            try await Task.sleep(for: .milliseconds(100))
            sawPart = try await ExportStack.requests(to: bucket, since: since).contains { $0.operation == "UploadPart" }
        }
        #expect(sawPart)
        process.interrupt()
        process.waitUntilExit()
        #expect(process.terminationStatus == 130)
        try await ExportFailureTests().expectNothingLeft(in: bucket)
    }
}

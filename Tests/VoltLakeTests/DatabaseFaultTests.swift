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

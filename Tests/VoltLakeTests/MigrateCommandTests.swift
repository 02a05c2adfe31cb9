import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import StackTestSupport

/// `voltlake migrate` end to end against the local stack, with the least-privilege app key: every step
/// lands, every S3 request appears exactly once in the audit log, and the front door saw nothing else.
@Suite struct MigrateCommandTests {
    static var stackPictures: String {
        (ProcessInfo.processInfo.environment["VOLTLAKE_STACK_DIR"] ?? LocalStack.packageRoot.appendingPathComponent(".stack").path) + "/pictures"
    }

    /// The front door's record of requests to `bucket` since `sequence`.
    static func frontDoorRecords(bucket: String, since sequence: Int) async throws -> [[String: Any]] {
        let url = URL(string: "\(LocalStack.s3Endpoint)/__voltlake/requests?since=\(sequence)")!
        let (data, _) = try await HTTP.send(URLRequest(url: url))
        let records = (try JSONSerialization.jsonObject(with: data) as? [[String: Any]]) ?? []
        return records.filter { $0["bucket"] as? String == bucket }
    }

    static func frontDoorSequence() async throws -> Int {
        let (data, _) = try await HTTP.send(URLRequest(url: URL(string: "\(LocalStack.s3Endpoint)/__voltlake/health")!))
        let health = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any], "\(LocalStack.downMessage)")
        return try #require(health["seq"] as? Int)
    }

    @Test func migrateLandsEverythingAndAuditsEveryRequestOnce() async throws {
        let bucket = try await LocalStack.makeBucket()
        let dir = try CLI.sandbox()
        let audit = dir.appendingPathComponent("audit.jsonl")
        let since = try await Self.frontDoorSequence()
        let result = try CLI.run(
            ["migrate", "--json", "--audit-log", audit.path],
            environment: LocalStack.voltlakeEnvironment(bucket: bucket, pictures: Self.stackPictures), in: dir)
        #expect(result.status == 0, "\(result.all)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.all)")
        let steps = try #require(report["steps"] as? [[String: Any]])
        #expect(steps.map { $0["name"] as? String } == ["check", "export", "images"])
        #expect(steps.allSatisfy { $0["status"] as? String == "ok" }, "\(steps)")
        #expect((report["auditObject"] as? String)?.hasPrefix("s3://\(bucket)/audit/dt=") == true)

        // Every request the front door saw for this bucket is in the audit log once, and nothing more.
        let lines = try String(contentsOf: audit, encoding: .utf8).split(separator: "\n")
        let events = try lines.map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        let seen = try await Self.frontDoorRecords(bucket: bucket, since: since)
        func tally(_ items: [[String: Any]], _ field: String) -> [String: Int] {
            items.reduce(into: [:]) { $0[$1[field] as? String ?? "?", default: 0] += 1 }
        }
        #expect(!seen.isEmpty)
        #expect(events.count == seen.count, "audit \(tally(events, "operation")) vs front door \(tally(seen, "operation"))")
        #expect(tally(events, "operation") == tally(seen, "operation"))
        #expect(tally(events, "requestID").count == events.count, "each request id once")
        #expect(Set(events.compactMap { $0["accessKeyID"] as? String }) == [LocalStack.appKeyID])

        // Least privilege: only the policy's actions were attempted, and none was refused.
        let allowed: Set<String> = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket", "s3:GetBucketLocation", "s3:AbortMultipartUpload"]
        for record in seen {
            #expect(allowed.contains(record["action"] as? String ?? "?"), "\(record)")
            #expect((record["status"] as? Int ?? 0) < 400, "\(record)")
        }

        // No secret anywhere the user or the lake can read.
        let auditText = try String(contentsOf: audit, encoding: .utf8)
        for text in [result.stdout, result.stderr, auditText] {
            #expect(!text.contains(LocalStack.appSecret))
            #expect(!text.contains("voltlake-local\""))
            #expect(!text.contains("X-Amz-Signature="))
        }
    }

    @Test func aFailedCheckWritesNothing() async throws {
        let bucket = try await LocalStack.makeBucket()
        let dir = try CLI.sandbox()
        let since = try await Self.frontDoorSequence()
        var environment = LocalStack.voltlakeEnvironment(bucket: bucket, pictures: Self.stackPictures)
        environment["POSTGRES_PASSWORD"] = "wrong-PG-password"
        let result = try CLI.run(["migrate", "--audit-log", dir.appendingPathComponent("a.jsonl").path], environment: environment, in: dir)
        #expect(result.status == 1)
        #expect(result.stdout.contains("✗ check"))
        #expect(result.stdout.contains("- export"))
        #expect(result.stdout.contains("refused the password"))
        #expect(!result.all.contains("wrong-PG-password"))
        let writes = try await Self.frontDoorRecords(bucket: bucket, since: since).filter {
            ($0["action"] as? String) == "s3:PutObject" && !(($0["key"] as? String) ?? "").hasPrefix("audit/")
        }
        #expect(writes.isEmpty, "\(writes)")
    }
}

import Foundation
@testable import S3
import Testing
@testable import VoltLake

/// Every command, on success and failure paths, with --verbose and JSON logs: no secret key, session
/// token, PostgreSQL password or link signature in stdout, stderr, logs, local reports or audit lines.
/// (A presigned link on presign's stdout is the product itself, and carries its signature and, for
/// temporary credentials, the token — as AWS's links do; it is checked everywhere else.)
@Suite struct SecretsNeverLeakTests {
    static let sessionKeyID = "VOLTLAKESESSIONKEY001"
    static let sessionSecret = "voltlake-local-session-secret/NOT+A+REAL+KEY"
    static let sessionToken = "voltlake-local-session-token//FAKE+token="
    static let postgresPassword = "voltlake-local"

    /// Every place a secret might surface after a run in `dir`.
    func everythingWritten(_ result: CLI.Result, dir: URL, includeStdout: Bool) throws -> String {
        var text = result.stderr + (includeStdout ? result.stdout : "")
        for name in try FileManager.default.contentsOfDirectory(atPath: dir.path) where name != "home" {
            text += (try? String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)) ?? ""
        }
        return text
    }

    func expectClean(_ text: String, _ label: String, signatures: [String] = []) {
        for secret in [LocalStack.appSecret, Self.sessionSecret, Self.sessionToken, "wrong-SECRET-canary", "wrong-PG-canary"] + signatures {
            #expect(!text.contains(secret), "\(label) leaked \(secret.prefix(12))…")
        }
        // The database password is a prefix of other test values: look for it on its own.
        let pattern = try? Regex("voltlake-local(?![-/])")
        if let pattern { #expect(text.firstMatch(of: pattern) == nil, "\(label) leaked the PostgreSQL password") }
    }

    @Test func noCommandLeaksASecret() async throws {
        let bucket = try await LocalStack.makeBucket()
        let pictures = MigrateCommandTests.stackPictures
        let session = [
            "AWS_ACCESS_KEY_ID": Self.sessionKeyID, "AWS_SECRET_ACCESS_KEY": Self.sessionSecret, "AWS_SESSION_TOKEN": Self.sessionToken,
        ]
        let runs: [(arguments: [String], changes: [String: String], stdoutIsProduct: Bool)] = [
            (["config"], [:], false),
            (["config", "--json"], session, false),
            (["check", "--verbose"], [:], false),
            (["check", "--log-format", "json", "--verbose"], ["AWS_SECRET_ACCESS_KEY": "wrong-SECRET-canary"], false),
            (["check"], ["POSTGRES_PASSWORD": "wrong-PG-canary"], false),
            (["migrate", "--verbose", "--log-format", "json"], session, false),
            (["export", "--verbose"], [:], false),
            (["export"], ["AWS_SECRET_ACCESS_KEY": "wrong-SECRET-canary"], false),
            (["images", "--verbose", "--json"], session, false),
            (["images"], ["POSTGRES_PASSWORD": "wrong-PG-canary"], false),
            (["presign", "--component-id", "acc_0000031", "--verbose"], [:], true),
            (["presign", "--all", "--log-format", "json"], session, true),
            (["presign", "--component-id", "acc_0000031"], ["AWS_SECRET_ACCESS_KEY": "wrong-SECRET-canary"], true),
        ]
        for run in runs {
            let dir = try CLI.sandbox()
            var environment = LocalStack.voltlakeEnvironment(bucket: bucket, pictures: pictures)
            environment.merge(run.changes) { _, new in new }
            environment["VOLTLAKE_AUDIT_LOG"] = dir.appendingPathComponent("audit.jsonl").path
            let result = try CLI.run(run.arguments, environment: environment, in: dir)
            let label = run.arguments.joined(separator: " ") + (run.changes.isEmpty ? "" : " with \(run.changes.keys.sorted())")
            #expect(result.status != 0 || !result.stdout.isEmpty, "\(label): \(result.all)")
            // Signatures of links this run printed must not appear anywhere but in the printed link.
            let signatures = result.stdout.components(separatedBy: "X-Amz-Signature=").dropFirst().map { String($0.prefix(64)) }
            expectClean(try everythingWritten(result, dir: dir, includeStdout: !run.stdoutIsProduct), label, signatures: signatures)
        }
    }
}

@Suite struct AuditEventTests {
    @Test func timesAreFullISO8601InUTC() {
        let event = AuditEvent(
            presignedLink: "https://b.s3.amazonaws.com/k?X-Amz-Credential=A&X-Amz-Signature=abcdef&X-Amz-Security-Token=tok",
            bucket: "b", key: "k", expiresAt: Date(timeIntervalSince1970: 1_734_791_422), accessKeyID: "A", clientAddress: "127.0.0.1",
            at: Date(timeIntervalSince1970: 1_734_705_022.25))
        #expect(event.time == "2024-12-20T14:30:22.250Z")
        #expect(event.expiresAt == "2024-12-21T14:30:22Z")
        #expect(event.link == "https://b.s3.amazonaws.com/k?X-Amz-Credential=A&X-Amz-Signature=REDACTED&X-Amz-Security-Token=REDACTED")
    }

    @Test func aBufferedLogWritesEveryLineInOrderByClose() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vl-audit-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let log = try AuditLog(path: path, bufferBytes: 1000)
        let lines = (0..<50).map { Array("{\"n\":\($0)}\n".utf8) }
        for line in lines.prefix(5) { log.append(line: line) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)).isEmpty, "lines below the buffer size were written at once")
        for line in lines.dropFirst(5) { log.append(line: line) }
        log.close()
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(lines.joined()))
        #expect(log.counts.written == 50 && log.counts.failures == 0)
    }

    /// The hand-written line is JSONEncoder's (`.sortedKeys`, `.withoutEscapingSlashes`) byte for byte.
    @Test func jsonLineIsWhatJSONEncoderWrites() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let tricky = ["plain", "", "quote \" and back\\slash", "a/b/c", "tab\tnew\nline\rcr", "\u{0}\u{1}\u{8}\u{c}\u{1f}\u{7f}",
                      "łącznik ż 🔌 \u{2028}\u{2029}", "images/components/mcb_b16/mcb b16.jpg", "%2e%2e/ü"]
        var events: [AuditEvent] = []
        for (index, text) in tricky.enumerated() {
            var record = S3RequestRecord(
                operation: "PutObject", method: "PUT", bucket: "b-\(index)", key: text, attempt: index + 1,
                status: index % 3 == 0 ? nil : 200 + index, errorCode: index % 2 == 0 ? text : nil, requestID: index % 4 == 0 ? nil : "R\(index)",
                bytesSent: Int64(index * 1000), bytesReceived: 7, duration: .nanoseconds(index * 1_234_567 + 3), accessKeyID: "AKID\(text)")
            events.append(AuditEvent(record: record, at: Date(timeIntervalSince1970: 1_734_705_022.25 + Double(index))))
            record.duration = .seconds(index)
            events.append(AuditEvent(record: record, at: Date(timeIntervalSince1970: Double(index))))
            events.append(AuditEvent(presignedLink: "https://h/\(text)?X-Amz-Signature=x", bucket: text, key: text,
                                     expiresAt: Date(timeIntervalSince1970: 86_400), accessKeyID: "A", clientAddress: index % 2 == 0 ? nil : text,
                                     at: Date(timeIntervalSince1970: 0)))
        }
        for event in events {
            var expected = try encoder.encode(event)
            expected.append(0x0A)
            #expect(String(decoding: event.jsonLine, as: UTF8.self) == String(decoding: expected, as: UTF8.self))
        }
    }
}

@Suite struct RunStampTests {
    /// The audit log's millisecond times are Foundation's ISO 8601 format, for many instants.
    @Test func millisecondTimesAreFoundationsISO8601() {
        let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: TimeZone(identifier: "UTC")!)
        var generator = SystemRandomNumberGenerator()
        var instants: [Double] = [0, 0.001, 0.999, 0.9995, 59.9999, 951_868_799.999, 1_734_705_022.25, 4_102_444_799.5, -1.5, -0.001]
        for _ in 0..<2000 { instants.append(Double.random(in: -2_000_000_000...4_000_000_000, using: &generator)) }
        for _ in 0..<500 { instants.append(Double(Int.random(in: 0...4_000_000_000, using: &generator)) + Double(Int.random(in: 0...999, using: &generator)) / 1000) }
        for instant in instants {
            let date = Date(timeIntervalSince1970: instant)
            #expect(RunStamp.iso8601Milliseconds(date) == date.formatted(style), "\(instant)")
        }
    }

    @Test(arguments: [
        (0.0, "1970-01-01", "19700101_000000", "1970-01-01T00:00:00Z"),
        (1_734_705_022.9, "2024-12-20", "20241220_143022", "2024-12-20T14:30:22Z"),
        (951_868_799.0, "2000-02-29", "20000229_235959", "2000-02-29T23:59:59Z"),
    ])
    func spellingsAgree(epoch: Double, day: String, compact: String, iso: String) {
        let stamp = RunStamp(Date(timeIntervalSince1970: epoch))
        #expect(stamp.day == day)
        #expect(stamp.compact == compact)
        #expect(stamp.iso8601 == iso)
    }
}

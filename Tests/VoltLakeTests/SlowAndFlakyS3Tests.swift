import Foundation
import Testing

/// The front door failing some requests in every way it can (500, 503 SlowDown, a dropped connection,
/// an answer slower than the client's per-attempt timeout): export and images retry and finish with
/// every object correct; when the slowness persists they stop with a clear error and a re-run completes.
@Suite struct SlowAndFlakyS3Tests {
    /// One fault of each kind for the bucket's requests of `operation`, one request each.
    func injectOneOfEach(bucket: String, operation: String) async throws {
        for fault: [String: Any] in [
            ["status": 503, "code": "SlowDown"], ["status": 500], ["action": "drop"],
            ["action": "delay", "delaySeconds": 3],
        ] {
            var scoped = fault
            scoped["bucket"] = bucket
            scoped["operation"] = operation
            scoped["count"] = 1
            try await ExportStack.injectFault(scoped)
        }
    }

    @Test func exportRetriesThroughEveryKindOfFault() async throws {
        let table = ExportStack.tableName("flaky")
        try ExportStack.loadSample(table: table, rows: 30000)
        defer { ExportStack.dropTable(table) }
        let bucket = try await LocalStack.makeBucket()
        // Four faults on the parts (several parts per format at 5 MiB), each taking one attempt: with
        // parts in flight at once, one part may meet two of them, and three attempts are allowed.
        try await injectOneOfEach(bucket: bucket, operation: "UploadPart")
        let since = try await ExportStack.requestSequence()
        let result = try ExportStack.exportCLI(
            ["--table", table, "--json"], bucket: bucket,
            extra: ["VOLTLAKE_PART_SIZE_MB": "5", "VOLTLAKE_S3_TIMEOUT": "1", "AWS_MAX_ATTEMPTS": "5"])
        #expect(result.status == 0, "\(result.all)")
        let seen = try await ExportStack.requests(to: bucket, since: since).filter { $0.operation == "UploadPart" }
        #expect(seen.contains { $0.status == 503 } && seen.contains { $0.status == 500 }, "\(seen)")

        let client = ExportStack.s3Client()
        defer { Task { try? await client.shutdown() } }
        var json: Data?, csv: Data?
        for key in try await ExportStack.keys(in: bucket, client: client) where !key.contains("/manifests/") {
            let object = try await client.getObject(bucket: bucket, key: key, maxSize: 256 * 1024 * 1024)
            if key.hasSuffix(".json") { json = Data(object.body.readableBytesView) } else { csv = Data(object.body.readableBytesView) }
        }
        let report = try ExportStack.compare(json: json, csv: csv, expected: try ExportStack.postgresCSV("SELECT * FROM \"\(table)\""))
        #expect(report.contains("csv ok: 30000 rows") && report.contains("json ok: 30000 rows"), "\(report)")
        #expect(try await ExportStack.openMultipartUploads(bucket).isEmpty)
    }

    @Test func imagesRetryThroughEveryKindOfFault() async throws {
        let dir = try CLI.sandbox()
        var files: [String: [UInt8]] = [:]
        for index in 0..<8 { files["part_\(index).jpg"] = ImagesStack.bytes(2000 + index, seed: UInt64(index)) }
        let pictures = try ImagesStack.folder(in: dir, files)
        let bucket = try await LocalStack.makeBucket()
        try await injectOneOfEach(bucket: bucket, operation: "PutObject")
        let result = try ImagesStack.run(["--json", "--no-database", "--concurrency", "1"], bucket: bucket, pictures: pictures, table: nil, in: dir,
                                         extra: ["VOLTLAKE_S3_TIMEOUT": "1", "AWS_MAX_ATTEMPTS": "5"])
        #expect(result.status == 0, "\(result.all)")
        #expect(ImagesStack.counts(try ImagesStack.report(result))["uploaded"] == 8)
        try await ImagesStack.withClient { client in
            for (name, bytes) in files {
                let stem = String(name.dropLast(".jpg".count))
                let object = try await client.getObject(bucket: bucket, key: "images/components/\(stem)/\(name)")
                #expect(Array(object.body.readableBytesView) == bytes, "\(name) differs")
            }
        }
    }

    @Test func persistentSlownessFailsClearlyAndARerunFinishes() async throws {
        let dir = try CLI.sandbox()
        let files: [String: [UInt8]] = ["fast.jpg": ImagesStack.bytes(1200, seed: 1), "slow.jpg": ImagesStack.bytes(1300, seed: 2)]
        let pictures = try ImagesStack.folder(in: dir, files)
        let bucket = try await LocalStack.makeBucket()
        // Every attempt at slow.jpg answers after 2 s; the client allows 1 s per attempt, 2 attempts.
        try await ExportStack.injectFault(["bucket": bucket, "operation": "PutObject", "keyPrefix": "images/components/slow/",
                                           "action": "delay", "delaySeconds": 2, "count": 2])
        let extra = ["VOLTLAKE_S3_TIMEOUT": "1", "AWS_MAX_ATTEMPTS": "2"]
        let first = try ImagesStack.run(["--json", "--no-database"], bucket: bucket, pictures: pictures, table: nil, in: dir, extra: extra)
        #expect(first.status == 1, "\(first.all)")
        let report = try ImagesStack.report(first)
        #expect(ImagesStack.counts(report)["uploaded"] == 1 && ImagesStack.counts(report)["failed"] == 1, "\(report)")
        let failures = (report["failures"] as? [[String: Any]]) ?? []
        #expect(failures.first?["key"] as? String == "images/components/slow/slow.jpg")
        let reason = failures.first?["reason"] as? String ?? ""
        #expect(reason.contains("no answer within the 1 s allowed per attempt") && reason.contains("VOLTLAKE_S3_TIMEOUT"), "\(reason)")

        let second = try ImagesStack.run(["--json", "--no-database"], bucket: bucket, pictures: pictures, table: nil, in: dir, extra: extra)
        #expect(second.status == 0, "\(second.all)")
        let counts = ImagesStack.counts(try ImagesStack.report(second))
        // The abandoned attempts still reached S3 after the client gave up (as they can on AWS): whole
        // bodies, so the re-run finds slow.jpg complete, or uploads it; either way the bytes are right.
        #expect(counts["failed"] == 0 && counts["unchanged", default: 0] + counts["uploaded", default: 0] == 2, "\(counts)")
        try await ImagesStack.withClient { client in
            let object = try await client.getObject(bucket: bucket, key: "images/components/slow/slow.jpg")
            #expect(Array(object.body.readableBytesView) == files["slow.jpg"])
        }
    }
}

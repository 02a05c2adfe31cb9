import Foundation
import NIOCore
import S3
import Testing

/// `voltlake export` as a user runs it, against the local stack: each test has its own bucket and tables.
@Suite struct ExportCommandTests {
    struct Exported {
        var summary: [String: Any]
        var keys: [String]
        var json: Data?
        var csv: Data?
        var manifest: [String: Any]
    }

    /// Runs an export with `--json`, checks the summary and reads every object back.
    func export(table: String? = nil, arguments: [String] = [], bucket: String, extra: [String: String] = [:]) async throws -> Exported {
        let result = try ExportStack.exportCLI((table.map { ["--table", $0] } ?? []) + arguments + ["--json"], bucket: bucket, extra: extra)
        try #require(result.status == 0, "\(result.all)")
        #expect(!result.all.contains("voltlake-local"), "the password leaked")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.stdout)")
        let client = ExportStack.s3Client()
        defer { Task { try? await client.shutdown() } }
        let keys = try await ExportStack.keys(in: bucket, client: client)
        var json: Data?, csv: Data?
        for key in keys where !key.contains("/manifests/") {
            let object = try await client.getObject(bucket: bucket, key: key, maxSize: 512 * 1024 * 1024)
            let data = Data(object.body.readableBytesView)
            if key.hasSuffix(".json") { json = data } else { csv = data }
        }
        let manifestKey = try #require(summary["manifest_key"] as? String)
        let manifestBody = try await client.getObject(bucket: bucket, key: manifestKey).body
        let manifest = try #require(try JSONSerialization.jsonObject(with: Data(manifestBody.readableBytesView)) as? [String: Any])
        return Exported(summary: summary, keys: keys, json: json, csv: csv, manifest: manifest)
    }

    @Test func catalogueRoundTripsExactly() async throws {
        let table = ExportStack.tableName("cat")
        try ExportStack.loadSample(table: table, rows: 100)
        defer { ExportStack.dropTable(table) }
        let bucket = try await LocalStack.makeBucket()
        let before = Date()
        let out = try await export(table: table, bucket: bucket)

        // One run time names all three keys.
        #expect(out.keys.count == 3, "\(out.keys)")
        let jsonKey = try #require(out.keys.first { $0.hasSuffix(".json") && !$0.contains("manifests/") })
        let csvKey = try #require(out.keys.first { $0.hasSuffix(".csv") })
        let manifestKey = try #require(out.keys.first { $0.contains("/manifests/") })
        let runID = String(jsonKey.dropFirst("raw/components/components_".count).dropLast(".json".count))
        #expect(jsonKey.hasPrefix("raw/components/components_") && runID.count == 15)
        #expect(manifestKey == "raw/components/manifests/run_\(runID).json")
        let day = "\(runID.prefix(4))-\(runID.dropFirst(4).prefix(2))-\(runID.dropFirst(6).prefix(2))"
        #expect(csvKey == "raw/components/dt=\(day)/components.csv")

        // Every value, against PostgreSQL's own CSV of the table.
        let expected = try ExportStack.postgresCSV("SELECT * FROM \"\(table)\"")
        let report = try ExportStack.compare(json: out.json, csv: out.csv, expected: expected)
        #expect(report.contains("csv ok: 100 rows"), "\(report)")
        #expect(report.contains("json ok: 100 rows"), "\(report)")
        let csvText = String(decoding: try #require(out.csv), as: UTF8.self)
        #expect(csvText.hasPrefix("id,name,fields,description,price,image,category,subcategory,created_at,updated_at\r\n"))
        #expect(csvText.contains(",\"\","), "an empty string is written as \"\"")

        // The JSON metadata block.
        let jsonData = try #require(out.json)
        let document = try #require(try JSONSerialization.jsonObject(with: jsonData) as? [String: Any])
        let metadata = try #require(document["metadata"] as? [String: Any])
        #expect(metadata["row_count"] as? Int == 100)
        #expect(metadata["voltlake_version"] as? String != nil)
        let source = try #require(metadata["source"] as? [String: Any])
        #expect(source["host"] as? String == "127.0.0.1" && source["database"] as? String == "volt" && source["table"] as? String == table)
        let columns = try #require(metadata["columns"] as? [[String: String]])
        #expect(columns.first { $0["name"] == "price" }?["type"] == "numeric(10,2)")
        #expect(columns.first { $0["name"] == "created_at" }?["type"] == "timestamp without time zone")
        let exportedAt = try #require(metadata["exported_at"] as? String)
        #expect(exportedAt.hasPrefix(day) && exportedAt.hasSuffix("Z"))
        let formatter = ISO8601DateFormatter()
        let when = try #require(formatter.date(from: exportedAt))
        #expect(abs(when.timeIntervalSince(before)) < 120)

        // Object metadata, SSE, and the manifest's sizes and checksums.
        let client = ExportStack.s3Client()
        defer { Task { try? await client.shutdown() } }
        let objects = try #require(out.manifest["objects"] as? [[String: Any]])
        #expect(objects.count == 2)
        for object in objects {
            let key = try #require(object["key"] as? String)
            let info = try await client.headObject(bucket: bucket, key: key)
            #expect(info.serverSideEncryption == .aes256)
            #expect(info.metadata["record-count"] == "100")
            #expect(info.metadata["exported-at"] == exportedAt)
            #expect(info.metadata["source-table"] == table)
            #expect(info.metadata["sha256"] == object["sha256"] as? String)
            #expect(info.size == Int64(object["size"] as? Int ?? -1))
            let body = try await client.getObject(bucket: bucket, key: key).body
            #expect(Self.sha256Hex(body) == object["sha256"] as? String)
            #expect(object["row_count"] as? Int == 100)
        }
        #expect(out.manifest["row_count"] as? Int == 100)
        #expect(out.summary["rows"] as? Int == 100)
        #expect((out.summary["objects"] as? [Any])?.count == 2)
        #expect((out.summary["rows_per_second"] as? Double ?? 0) > 0)
    }

    @Test func wideTableKeepsEveryType() async throws {
        let table = ExportStack.tableName("wide")
        try ExportStack.loadSample(table: table, rows: 300, wide: true)
        defer { ExportStack.dropTable(table) }
        let bucket = try await LocalStack.makeBucket()
        let out = try await export(table: table, bucket: bucket)
        let expected = try ExportStack.postgresCSV("SELECT * FROM \"\(table)\"")
        let report = try ExportStack.compare(json: out.json, csv: out.csv, expected: expected)
        #expect(report.contains("csv ok: 300 rows") && report.contains("json ok: 300 rows"), "\(report)")
        for type in ["numeric(30,10)", "jsonb", "text[]", "integer[]", "timestamp with time zone", "bytea", "uuid"] {
            #expect(report.contains("'\(type)'"), "\(type) not covered: \(report)")
        }
        // Digits survive exactly, not through a Double.
        let json = String(decoding: try #require(out.json), as: UTF8.self)
        #expect(json.contains("\"num\":12345678901234567890.1234567890"))
        #expect(json.contains("\"big\":9223372036854775807"))
    }

    @Test func csvNullTokenAndFormatChoice() async throws {
        let table = ExportStack.tableName("null")
        try ExportStack.psql("""
            CREATE TABLE "\(table)" (id int PRIMARY KEY, note text);
            INSERT INTO "\(table)" VALUES (1, NULL), (2, ''), (3, 'NULL'), (4, ' spaced '), (5, 'a,"b"' || E'\\r\\n' || 'c');
            """)
        defer { ExportStack.dropTable(table) }
        let bucket = try await LocalStack.makeBucket()
        let out = try await export(table: table, arguments: ["--format", "csv", "--csv-null", "NULL"], bucket: bucket)
        #expect(out.json == nil)
        #expect(out.keys.count == 2, "\(out.keys)")
        let text = String(decoding: try #require(out.csv), as: UTF8.self)
        #expect(text == "id,note\r\n1,NULL\r\n2,\"\"\r\n3,\"NULL\"\r\n4, spaced \r\n5,\"a,\"\"b\"\"\r\nc\"\r\n", "\(text.debugDescription)")
        let expected = try ExportStack.postgresCSV("SELECT * FROM \"\(table)\"")
        _ = try ExportStack.compare(json: nil, csv: out.csv, expected: expected, csvNull: "NULL")
    }

    @Test func otherTypesMatchPostgresCopy() async throws {
        let table = ExportStack.tableName("types")
        try ExportStack.psql("""
            CREATE TABLE "\(table)" (id int PRIMARY KEY, flag bool, code char(5), addr inet, net cidr, f8 float8, f4 real,
              span interval, t time, tz timetz, p point, nan numeric, "Mixed ""Case"", x" text, tsr tstzrange);
            INSERT INTO "\(table)" VALUES
              (1, true, 'ab', '10.0.0.1', '10.0.0.0/8', 0.1, 1.5, '1 day 02:03:04.5', '23:59:59.999999', '12:00+05:30',
               '(1.5,-2)', 'NaN', 'x', '[2024-01-01 00:00+00,2024-02-01 00:00+00)'),
              (2, false, '', '::1', '2001:db8::/32', 'Infinity', '-0', '-3 mons', '00:00', '00:00-12', '(0,0)', 1e-20, '', 'empty'),
              (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
            """)
        defer { ExportStack.dropTable(table) }
        let bucket = try await LocalStack.makeBucket()
        let out = try await export(table: table, bucket: bucket)
        let expected = try ExportStack.postgresCSV("SELECT * FROM \"\(table)\"")
        let report = try ExportStack.compare(json: out.json, csv: out.csv, expected: expected)
        #expect(report.contains("csv ok: 3 rows") && report.contains("json ok: 3 rows"), "\(report)")
    }

    @Test func largeExportGoesMultipart() async throws {
        let table = ExportStack.tableName("big")
        try ExportStack.loadSample(table: table, rows: 40000)
        defer { ExportStack.dropTable(table) }
        let bucket = try await LocalStack.makeBucket()
        let out = try await export(table: table, bucket: bucket, extra: ["VOLTLAKE_PART_SIZE_MB": "5"])
        let objects = try #require(out.summary["objects"] as? [[String: Any]])
        let client = ExportStack.s3Client()
        defer { Task { try? await client.shutdown() } }
        for object in objects {
            let key = try #require(object["key"] as? String)
            #expect((object["size"] as? Int ?? 0) > 5 * 1024 * 1024, "\(object)")
            #expect((object["etag"] as? String ?? "").contains("-"), "not multipart: \(object)")
            let info = try await client.headObject(bucket: bucket, key: key)
            #expect(info.metadata["record-count"] == "40000")
            #expect(info.metadata["sha256"] == nil, "a multipart object's checksum is in the manifest")
            let body = try await client.getObject(bucket: bucket, key: key, maxSize: 512 * 1024 * 1024).body
            #expect(Self.sha256Hex(body) == object["sha256"] as? String)
        }
        let expected = try ExportStack.postgresCSV("SELECT * FROM \"\(table)\"")
        let report = try ExportStack.compare(json: out.json, csv: out.csv, expected: expected)
        #expect(report.contains("csv ok: 40000 rows") && report.contains("json ok: 40000 rows"), "\(report)")
        #expect(try await ExportStack.openMultipartUploads(bucket).isEmpty)
    }

    static func sha256Hex(_ buffer: ByteBuffer) -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vl-sha-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: path.path, contents: Data(buffer.readableBytesView))
        defer { try? FileManager.default.removeItem(at: path) }
        let output = (try? ExportStack.run("/usr/bin/sha256sum", [path.path], environment: [:]))?.text ?? ""
        return String(output.prefix(64))
    }
}

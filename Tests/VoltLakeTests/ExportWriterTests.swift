import Foundation
import NIOCore
import Testing
@testable import VoltLake

/// The pure parts of the export: CSV encoding, key naming from one run time, the SQL shape.
@Suite struct ExportWriterTests {
    func csv(_ fields: [String?], null: String = "") -> String {
        var out = ByteBuffer()
        CSVWriter(nullToken: null).writeRecord(fields.map { $0.map { ByteBuffer(string: $0) } }, into: &out)
        return String(buffer: out)
    }

    @Test func quotesOnlyWhatNeedsIt() {
        #expect(csv(["plain", " spaced ", "Łódź ąę"]) == "plain, spaced ,Łódź ąę\r\n")
        #expect(csv(["a,b", "say \"hi\"", "line\nbreak", "cr\rx"]) == "\"a,b\",\"say \"\"hi\"\"\",\"line\nbreak\",\"cr\rx\"\r\n")
        #expect(csv(["\"", "\"\"", "x\""]) == "\"\"\"\",\"\"\"\"\"\",\"x\"\"\"\r\n")
    }

    @Test func nullAndEmptyStayApart() {
        #expect(csv([nil, "", "x"]) == ",\"\",x\r\n")
        #expect(csv([nil]) == "\r\n")
        #expect(csv([""]) == "\"\"\r\n")
        #expect(csv([nil, "", "NULL", "NULLS"], null: "NULL") == "NULL,\"\",\"NULL\",NULLS\r\n")
    }

    @Test func oneRunTimeNamesEveryKey() throws {
        let date = try #require(ISO8601DateFormatter().date(from: "2025-03-09T23:59:58Z"))
        let keys = ExportOptions(source: .table("t"), prefix: "raw/components", runTime: date).keys
        #expect(keys.json == "raw/components/components_20250309_235958.json")
        #expect(keys.csv == "raw/components/dt=2025-03-09/components.csv")
        #expect(keys.manifest == "raw/components/manifests/run_20250309_235958.json")
        #expect(keys.exportedAt == "2025-03-09T23:59:58Z")
    }

    @Test func formatsAreDeduplicated() {
        #expect(ExportOptions(source: .table("t"), formats: [.csv, .json, .csv]).formats == [.csv, .json])
    }

    @Test func sqlRendersBothFormatsFromOneScan() throws {
        let columns = [ExportColumn(name: "id", type: "integer", oid: 23), ExportColumn(name: "we\"ird", type: "bool", oid: 16),
                       ExportColumn(name: "tags", type: "text[]", oid: 1009)]
        let sql = try SnapshotReader.rowsSQL(source: .table("public.items"), columns: columns, formats: [.json, .csv])
        #expect(sql == "SELECT q.\"id\"::text, CASE WHEN q.\"we\"\"ird\" IS NULL THEN NULL ELSE format('%s', q.\"we\"\"ird\") END, "
            + "q.\"tags\"::text, to_json(q.\"tags\")::text FROM (SELECT * FROM \"public\".\"items\"\n) AS q")
        let csvOnly = try SnapshotReader.rowsSQL(source: .table("items"), columns: columns, formats: [.csv])
        #expect(!csvOnly.contains("to_json"))
        #expect(throws: DatabaseError.self) { try SnapshotReader.rowsSQL(source: .table("x; DROP TABLE y"), columns: columns, formats: [.csv]) }
        let query = try SnapshotReader.sourceSQL(.query("  SELECT 1 AS n ;; "))
        #expect(query == "SELECT 1 AS n")
    }

    func json(_ columns: [(String, UInt32)], _ texts: [String?], extra: [String?] = []) -> String {
        let renderer = JSONRowRenderer(columns: columns.map { ExportColumn(name: $0.0, type: "", oid: $0.1) })
        var out = ByteBuffer()
        renderer.write(texts: texts.map { $0.map { ByteBuffer(string: $0) } }, extra: extra.map { $0.map { ByteBuffer(string: $0) } }, into: &out)
        return String(buffer: out)
    }

    @Test func rendersJSONLikeRowToJSON() {
        #expect(json([("n", 1700), ("f", 701), ("x", 701), ("b", 16), ("s", 25)], ["12345678901234567890.1234567890", "NaN", "-Infinity", "f", nil])
            == #"{"n":12345678901234567890.1234567890,"f":"NaN","x":"-Infinity","b":false,"s":null}"#)
        #expect(json([("q\"k", 25)], ["a\"b\\c\n\t\u{01}ż"]) == #"{"q\"k":"a\"b\\c\n\t\u0001ż"}"#)
        #expect(json([("t", 1114), ("z", 1184), ("zb", 1184), ("i", 1184)],
                     ["2024-02-29 23:59:59.999999", "2024-03-31 01:30:00+00", "0044-03-15 08:00:00.5+00 BC", "infinity"])
            == #"{"t":"2024-02-29T23:59:59.999999","z":"2024-03-31T01:30:00+00:00","zb":"0044-03-15T08:00:00.5+00:00 BC","i":"infinity"}"#)
        #expect(json([("a", 17), ("b", 17), ("c", 17), ("d", 17)], ["\\x", "\\x00", "\\x0001", "\\x0001fffe"])
            == #"{"a":"","b":"AA==","c":"AAE=","d":"AAH//g=="}"#)
        #expect(json([("j", 3802), ("arr", 1009), ("k", 23)], ["{\"a\": [1, null]}", "{x}", "7"], extra: ["[\"x\"]"])
            == #"{"j":{"a": [1, null]},"arr":["x"],"k":7}"#)
    }
}

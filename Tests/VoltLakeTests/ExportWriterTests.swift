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
        let columns = [ExportColumn(name: "id", type: "integer", oid: 23), ExportColumn(name: "we\"ird", type: "bytea", oid: 17)]
        let sql = try SnapshotReader.rowsSQL(source: .table("public.items"), columns: columns, formats: [.json, .csv])
        #expect(sql.contains("FROM (SELECT * FROM \"public\".\"items\"\n) AS q"))
        #expect(sql.contains("translate(encode(q.\"we\"\"ird\", 'base64'), E'\\n', '') AS \"we\"\"ird\""))
        #expect(sql.hasPrefix("SELECT row_to_json(j)::text, q.\"id\"::text, q.\"we\"\"ird\"::text FROM"))
        #expect(throws: DatabaseError.self) { try SnapshotReader.rowsSQL(source: .table("x; DROP TABLE y"), columns: columns, formats: [.csv]) }
        let query = try SnapshotReader.sourceSQL(.query("  SELECT 1 AS n ;; "))
        #expect(query == "SELECT 1 AS n")
    }
}

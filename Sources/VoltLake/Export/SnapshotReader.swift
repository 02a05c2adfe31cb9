import Foundation
import Logging
import PostgresNIO

/// Reads one consistent snapshot: a read-only, repeatable-read transaction on one connection, in which
/// the columns are described, the rows counted and then streamed, all seeing the same data.
///
/// Values are rendered as text by PostgreSQL itself (exact for every type); the session is fixed to UTC,
/// ISO dates and hex bytea so the text does not depend on server defaults.
struct SnapshotReader {
    let connection: PostgresConnection
    let settings: PostgresSettings
    let logger: Logger

    /// The SELECT that yields the source rows.
    static func sourceSQL(_ source: ExportSource) throws(DatabaseError) -> String {
        switch source {
        case .table(let name):
            let table = try SQLIdentifier.qualifiedTable(name)
            return "SELECT * FROM \(table)"
        case .query(let sql):
            var text = sql.trimmingCharacters(in: .whitespacesAndNewlines)
            while text.hasSuffix(";") { text = String(text.dropLast()).trimmingCharacters(in: .whitespacesAndNewlines) }
            guard !text.isEmpty else { throw DatabaseError(.invalidIdentifier, "--query is empty: give one SELECT statement.") }
            return text
        }
    }

    func begin() async throws(DatabaseError) {
        try await run("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", "starting the snapshot")
        for setting in ["TIME ZONE 'UTC'", "DateStyle = 'ISO, YMD'", "IntervalStyle = 'postgres'",
                        "extra_float_digits = 1", "bytea_output = 'hex'"] {
            try await run("SET LOCAL \(setting)", "setting up the snapshot")
        }
    }

    func end() async {
        _ = try? await connection.query("COMMIT", logger: logger)
    }

    /// The source's columns: names and type OIDs from the row description (a NULL-extended row, so
    /// an empty source describes itself too), type names from `pg_attribute` for a table (with
    /// modifiers, e.g. `numeric(10,2)`) or `format_type` for a query.
    func describe(_ source: ExportSource) async throws(DatabaseError) -> [ExportColumn] {
        let sql = try Self.sourceSQL(source)
        let action = "describing the \(source.label == "query" ? "query" : "table \(source.label)")"
        var described: [(name: String, oid: UInt32)] = []
        do {
            let rows = try await connection.query(
                PostgresQuery(unsafeSQL: "SELECT q.* FROM (SELECT 1) AS voltlake_one LEFT JOIN (SELECT * FROM (\(sql)\n) AS s LIMIT 0) AS q ON true"),
                logger: logger)
            for try await row in rows {
                described = row.map { (name: $0.columnName, oid: $0.dataType.rawValue) }
            }
        } catch {
            throw DatabaseError.from(error, settings: settings, during: action)
        }
        var names = Set<String>()
        for column in described where !names.insert(column.name).inserted {
            throw DatabaseError(.query, "the source has two columns named '\(column.name)'; give each column its own name (… AS other_name).")
        }
        var types: [String: String] = [:]
        do {
            if case .table = source {
                let qualified = try SQLIdentifier.qualifiedTable(source.label)
                let rows = try await connection.query(
                    """
                    SELECT a.attname::text, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a
                    WHERE a.attrelid = to_regclass(\(qualified)) AND a.attnum > 0 AND NOT a.attisdropped
                    """, logger: logger)
                for try await (name, type) in rows.decode((String, String).self) { types[name] = type }
            }
            let oids = described.map { Int64($0.oid) }
            let rows = try await connection.query(
                "SELECT x.oid::int8, format_type(x.oid::oid, NULL) FROM unnest(\(oids)::int8[]) AS x(oid)", logger: logger)
            var byOID: [Int64: String] = [:]
            for try await (oid, type) in rows.decode((Int64, String).self) { byOID[oid] = type }
            return described.map { column in
                ExportColumn(name: column.name, type: types[column.name] ?? byOID[Int64(column.oid)] ?? "oid \(column.oid)", oid: column.oid)
            }
        } catch let error as DatabaseError {
            throw error
        } catch {
            throw DatabaseError.from(error, settings: settings, during: action)
        }
    }

    /// Rows in the snapshot.
    func count(_ source: ExportSource) async throws(DatabaseError) -> Int64 {
        let sql = try Self.sourceSQL(source)
        do {
            let rows = try await connection.query(PostgresQuery(unsafeSQL: "SELECT count(*) FROM (\(sql)\n) AS q"), logger: logger)
            var count: Int64 = 0
            for try await value in rows.decode(Int64.self) { count = value }
            return count
        } catch {
            throw DatabaseError.from(error, settings: settings, during: "counting the rows")
        }
    }

    /// The streaming SELECT: each column's text (its output function, as COPY writes it), then for JSON
    /// `to_json(col)` of the columns `JSONRowRenderer` does not render itself (arrays, composites, …).
    static func rowsSQL(source: ExportSource, columns: [ExportColumn], formats: [ExportFormat]) throws(DatabaseError) -> String {
        let sql = try sourceSQL(source)
        var select = columns.map { column in
            let name = "q.\(SQLIdentifier.quoted(column.name))"
            // These types have casts to text that differ from their output (`true` vs `t`, char(n)
            // losing its padding, inet gaining /32); format() uses the output function, as COPY does.
            return column.castDiffersFromOutput ? "CASE WHEN \(name) IS NULL THEN NULL ELSE format('%s', \(name)) END" : "\(name)::text"
        }
        if formats.contains(.json) {
            select += columns.filter { JSONRowRenderer.kind(oid: $0.oid) == nil }
                .map { "to_json(q.\(SQLIdentifier.quoted($0.name)))::text" }
        }
        if select.isEmpty { select = ["1"] }
        return "SELECT \(select.joined(separator: ", ")) FROM (\(sql)\n) AS q"
    }

    /// Starts the streaming SELECT; rows arrive with back-pressure.
    func rows(_ sql: String) async throws(DatabaseError) -> PostgresRowSequence {
        do {
            return try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
        } catch {
            throw DatabaseError.from(error, settings: settings, during: "reading the rows")
        }
    }

    private func run(_ sql: String, _ action: String) async throws(DatabaseError) {
        do {
            try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
        } catch {
            throw DatabaseError.from(error, settings: settings, during: action)
        }
    }
}

extension SQLIdentifier {
    /// Quotes a name PostgreSQL itself reported (a column of the source), doubling any `"`.
    /// Names from configuration go through `qualifiedTable` instead.
    static func quoted(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

import PostgresNIO

/// Connects to PostgreSQL, finds the components table and counts its rows.
public struct DatabaseCheck: Sendable {
    public var settings: PostgresSettings

    public init(settings: PostgresSettings) {
        self.settings = settings
    }

    public func run() async -> CheckResult {
        let target = "\(settings.user.value)@\(settings.host.value):\(settings.port.value)/\(settings.database.value)"
        let table: String
        do {
            table = try SQLIdentifier.qualifiedTable(settings.table.value)
        } catch {
            return .fail("postgres", error.description, fix: "Set VOLTLAKE_TABLE or --table to a plain table name.")
        }
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnector(settings: settings, connectTimeout: .seconds(5)).connect()
        } catch {
            return .fail("postgres", error.description, fix: nil)
        }
        let result = await inspect(connection, table: table, target: target)
        try? await connection.close()
        return result
    }

    private func inspect(_ connection: PostgresConnection, table: String, target: String) async -> CheckResult {
        do {
            let tableName = settings.table.value
            let exists = try await connection.query("SELECT to_regclass(\(tableName)) IS NOT NULL", logger: connection.logger)
            var found = false
            for try await (value) in exists.decode(Bool.self) { found = value }
            guard found else {
                return .fail("postgres", "connected to \(target), but there is no table '\(tableName)' (\(settings.table.source))",
                             fix: "Check POSTGRES_DB and VOLTLAKE_TABLE / --table; the Volt app's table is electric_components.")
            }
            let rows = try await connection.query(PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(table)"), logger: connection.logger)
            var count: Int64 = 0
            for try await (value) in rows.decode(Int64.self) { count = value }
            let tls = settings.tlsMode.value == .disable ? "no TLS" : "sslmode=\(settings.tlsMode.value.rawValue)"
            return .pass("postgres", "\(target) (\(tls)): table \(tableName) has \(count) rows")
        } catch {
            return .fail("postgres", DatabaseError.from(error, settings: settings, during: "reading \(settings.table.value)").description, fix: nil)
        }
    }
}

import PostgresNIO

/// Reads which picture each component has: `id` and `image` of the components table, streamed.
public struct ComponentCatalogue: Sendable {
    public var settings: PostgresSettings

    public init(settings: PostgresSettings) {
        self.settings = settings
    }

    /// Every component's `(id, image)`, in id order.
    public func rows() async throws(DatabaseError) -> [ComponentImageRow] {
        let table = try SQLIdentifier.qualifiedTable(settings.table.value)
        let connection = try await PostgresConnector(settings: settings, connectTimeout: .seconds(10)).connect()
        do {
            let query = PostgresQuery(unsafeSQL: "SELECT id::text, image::text FROM \(table) ORDER BY id")
            let result = try await connection.query(query, logger: connection.logger)
            var rows: [ComponentImageRow] = []
            for try await (id, image) in result.decode((String, String?).self) {
                rows.append(ComponentImageRow(id: id, image: image))
            }
            try? await connection.close()
            return rows
        } catch {
            try? await connection.close()
            throw DatabaseError.from(error, settings: settings, during: "reading id and image from \(settings.table.value)")
        }
    }

    /// The mapping the catalogue describes.
    public func mapping() async throws(DatabaseError) -> ImageMapping {
        ImageMapping.fromCatalogue(try await rows(), table: settings.table.value)
    }
}

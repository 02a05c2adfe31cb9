import Foundation

/// One object an export wrote, as listed in the manifest and the summary.
public struct ExportedObject: Sendable, Codable, Hashable {
    public var key: String
    public var format: ExportFormat
    public var size: Int64
    /// Lower-case hex SHA-256 of the whole object.
    public var sha256: String
    public var etag: String
    public var rowCount: Int64

    enum CodingKeys: String, CodingKey {
        case key, format, size, sha256, etag
        case rowCount = "row_count"
    }
}

/// The run manifest (`<prefix>manifests/run_YYYYMMDD_HHMMSS.json`), written last and only when every
/// object of the run is complete: its presence says the run's objects are whole.
public struct ExportManifest: Sendable, Codable, Hashable {
    public var runID: String
    public var exportedAt: String
    public var bucket: String
    public var source: ExportSourceInfo
    public var rowCount: Int64
    public var columns: [ExportColumn]
    public var objects: [ExportedObject]
    public var voltlakeVersion: String

    enum CodingKeys: String, CodingKey {
        case bucket, source, columns, objects
        case runID = "run_id"
        case exportedAt = "exported_at"
        case rowCount = "row_count"
        case voltlakeVersion = "voltlake_version"
    }

    func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
        return try encoder.encode(self)
    }
}

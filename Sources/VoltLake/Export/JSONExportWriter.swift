import Foundation
import NIOCore

/// The metadata block of the JSON export.
public struct ExportMetadata: Sendable, Codable, Hashable {
    public var exportedAt: String
    public var source: ExportSourceInfo
    public var rowCount: Int64
    public var columns: [ExportColumn]
    public var voltlakeVersion: String

    enum CodingKeys: String, CodingKey {
        case source, columns
        case exportedAt = "exported_at"
        case rowCount = "row_count"
        case voltlakeVersion = "voltlake_version"
    }
}

/// Writes the JSON export document `{"metadata":{…},"components":[row,…]}` in pieces: the head with the
/// metadata (the row count is known up front from the snapshot), the rows (`JSONRowRenderer`), then
/// the tail. One row per line inside the array.
struct JSONExportWriter {
    private var rowsWritten = 0

    static func head(_ metadata: ExportMetadata) throws -> ByteBuffer {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var out = ByteBuffer(string: "{\"metadata\":")
        out.writeBytes(try encoder.encode(metadata))
        out.writeString(",\"components\":[")
        return out
    }

    /// Starts the next row (the separator before it); the row's object follows.
    mutating func writeRow(into out: inout ByteBuffer) {
        out.writeString(rowsWritten == 0 ? "\n" : ",\n")
        rowsWritten += 1
    }

    static var tail: ByteBuffer { ByteBuffer(string: "\n]}\n") }
}

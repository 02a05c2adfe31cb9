/// What a finished export did: printed at the end, as text or (`--json`) as one JSON document.
public struct ExportSummary: Sendable, Encodable {
    public var bucket: String
    public var rows: Int64
    /// Bytes of the data objects (the manifest not included).
    public var bytes: Int64
    public var objects: [ExportedObject]
    public var manifestKey: String
    public var durationSeconds: Double
    public var rowsPerSecond: Double

    enum CodingKeys: String, CodingKey {
        case bucket, rows, bytes, objects
        case manifestKey = "manifest_key"
        case durationSeconds = "duration_seconds"
        case rowsPerSecond = "rows_per_second"
    }

    /// The human-readable lines: one per object, then the totals.
    public var lines: [String] {
        var lines = objects.map { "wrote s3://\(bucket)/\($0.key) (\($0.rowCount) rows, \($0.size) bytes, sha256 \($0.sha256))" }
        lines.append("wrote s3://\(bucket)/\(manifestKey) (manifest)")
        let rate = rowsPerSecond.isFinite ? Int(rowsPerSecond.rounded()) : 0
        let seconds = (durationSeconds * 100).rounded() / 100
        lines.append("exported \(rows) rows, \(bytes) bytes in \(objects.count) objects in \(seconds) s (\(rate) rows/s)")
        return lines
    }
}

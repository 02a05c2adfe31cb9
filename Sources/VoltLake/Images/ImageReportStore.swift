import Foundation
import S3

extension ImageSyncReport {
    /// Writes the report as pretty JSON to a local file, creating its folder.
    public func write(toFile path: String) throws {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try json().write(to: url, options: .atomic)
    }

    /// Stores the report in the lake at `lakeKey` (`reports/images/images_YYYYMMDD_HHMMSS.json`).
    public func store(in client: S3Client) async throws {
        _ = try await client.putObject(
            bucket: bucket, key: lakeKey, body: Array(try json()), contentType: "application/json",
            metadata: ["tool": "voltlake-images", "failed": String(counts.failed)])
    }
}

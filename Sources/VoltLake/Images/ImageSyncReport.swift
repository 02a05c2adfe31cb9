import Foundation

/// What one `voltlake images` run did: written as JSON locally and to the lake, printed as a table.
public struct ImageSyncReport: Sendable, Codable {
    public struct Counts: Sendable, Codable, Hashable {
        /// Entries found in the folder (files, links, unreadable folders).
        public var scanned = 0
        /// Objects uploaded (a file shared by three components counts three times).
        public var uploaded = 0
        /// Objects already in the lake with the same content.
        public var unchanged = 0
        /// Objects deleted (`--delete`).
        public var deleted = 0
        /// Objects that could not be uploaded or deleted.
        public var failed = 0
        /// Files and components skipped, each with its reason.
        public var skipped = 0
        /// Lake objects with no local file, left in place (no `--delete`).
        public var orphans = 0
    }

    /// One object uploaded (or, in a dry run, to upload).
    public struct Upload: Sendable, Codable, Hashable {
        public var key: String
        public var path: String
        public var componentID: String
        public var size: Int64
        public var reason: UploadReason
    }

    /// One object that failed, with the reason.
    public struct Failure: Sendable, Codable, Hashable {
        public var key: String
        public var path: String?
        public var componentID: String?
        public var operation: String
        public var reason: String
    }

    public var tool = "voltlake images"
    public var version = VoltLakeVersion.current
    public var startedAt: Date
    public var finishedAt: Date
    public var durationSeconds: Double
    public var source: String
    public var bucket: String
    public var prefix: String
    /// `database (electric_components)` or `file names`.
    public var mapping: String
    public var dryRun: Bool
    public var delete: Bool
    public var concurrency: Int
    public var counts = Counts()
    public var skippedByReason: [String: Int] = [:]
    public var bytesUploaded: Int64 = 0
    /// Uploaded objects per second over the whole run.
    public var objectsPerSecond: Double = 0
    /// Uploaded bytes per second over the whole run.
    public var bytesPerSecond: Double = 0
    public var uploaded: [Upload] = []
    public var deleted: [String] = []
    public var orphans: [String] = []
    public var failures: [Failure] = []
    public var skipped: [SkippedItem] = []

    /// True when nothing failed.
    public var succeeded: Bool { counts.failed == 0 }

    mutating func addSkips(_ items: [SkippedItem]) {
        for item in items {
            skipped.append(item)
            skippedByReason[item.reason.rawValue, default: 0] += 1
        }
        counts.skipped = skipped.count
    }

    mutating func finish(at date: Date, duration: Duration) {
        finishedAt = date
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        durationSeconds = (seconds * 1000).rounded() / 1000
        counts.failed = failures.count
        counts.skipped = skipped.count
        skipped.sort { ($0.reason.rawValue, $0.path ?? "", $0.componentID ?? "") < ($1.reason.rawValue, $1.path ?? "", $1.componentID ?? "") }
        failures.sort { $0.key < $1.key }
        uploaded.sort { $0.key < $1.key }
        if seconds > 0 {
            objectsPerSecond = (Double(counts.uploaded) / seconds * 10).rounded() / 10
            bytesPerSecond = (Double(bytesUploaded) / seconds).rounded()
        }
    }

    /// Pretty JSON, keys sorted, dates in ISO 8601, slashes unescaped.
    public func json(pretty: Bool = true) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return try encoder.encode(self)
    }

    /// `reports/images/images_YYYYMMDD_HHMMSS.json` for the run's start (UTC).
    public var lakeKey: String { "reports/images/images_\(Self.stamp(startedAt)).json" }

    /// `voltlake-images-report-YYYYMMDD_HHMMSS.json` for the run's start (UTC).
    public var localFileName: String { "voltlake-images-report-\(Self.stamp(startedAt)).json" }

    static func stamp(_ date: Date) -> String {
        RunStamp(date).compact
    }
}

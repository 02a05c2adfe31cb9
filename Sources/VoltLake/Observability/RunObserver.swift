import Foundation
import S3

/// Everything that watches one run's S3 traffic and links: the audit logs (the user's file and this
/// run's own copy, shipped to the lake at the end) and the statistics.
public struct RunObserver: Sendable {
    public let auditLogs: [AuditLog]
    public let statistics: OperationStatistics
    private let now: @Sendable () -> Date

    public init(auditLogs: [AuditLog], statistics: OperationStatistics = OperationStatistics(), now: @escaping @Sendable () -> Date = { Date() }) {
        self.auditLogs = auditLogs
        self.statistics = statistics
        self.now = now
    }

    /// The callback to hand to `S3Client(onRequest:)`.
    public var onRequest: @Sendable (S3RequestRecord) -> Void {
        let observer = self
        return { record in observer.record(record) }
    }

    public func record(_ record: S3RequestRecord) {
        write(AuditEvent(record: record, at: now()))
        statistics.record(record)
    }

    /// Records a presigned link issued (its signature is never written; `url` nil when not at hand).
    public func recordLink(url: String?, bucket: String, key: String, expiresAt: Date, accessKeyID: String, clientAddress: String? = nil) {
        let event = AuditEvent(presignedLink: url, bucket: bucket, key: key, expiresAt: expiresAt, accessKeyID: accessKeyID,
                               clientAddress: clientAddress, at: now())
        write(event)
    }

    /// Encodes once, appends to every log.
    private func write(_ event: AuditEvent) {
        guard !auditLogs.isEmpty else { return }
        let line = event.jsonLine
        for log in auditLogs { log.append(line: line) }
    }
}

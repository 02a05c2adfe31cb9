import S3

/// Everything that watches one run's S3 traffic: the audit log (optional) and the statistics.
public struct RunObserver: Sendable {
    public let auditLog: AuditLog?
    public let statistics: OperationStatistics

    public init(auditLog: AuditLog?, statistics: OperationStatistics = OperationStatistics()) {
        self.auditLog = auditLog
        self.statistics = statistics
    }

    /// The callback to hand to `S3Client(onRequest:)`.
    public var onRequest: @Sendable (S3RequestRecord) -> Void {
        let auditLog = auditLog
        let statistics = statistics
        return { record in
            auditLog?.record(record)
            statistics.record(record)
        }
    }
}

/// The outcome of one step of `voltlake migrate`.
public struct MigrationStep: Sendable, Encodable {
    public enum Status: String, Sendable, Encodable {
        case ok, failed, skipped
    }

    public var name: String
    public var status: Status
    public var durationSeconds: Double
    /// One line for people: counts and bytes, or what went wrong.
    public var detail: String
    public var check: [CheckResult]?
    public var export: ExportSummary?
    public var images: ImageSyncReport?
}

/// Everything `voltlake migrate` did, step by step, with the S3 traffic per operation.
public struct MigrationReport: Sendable, Encodable {
    public var steps: [MigrationStep]
    public var operations: [OperationStatistics.Summary]
    public var durationSeconds: Double
    public var auditLog: String?
    public var auditObject: String?

    public init(steps: [MigrationStep], operations: [OperationStatistics.Summary], durationSeconds: Double, auditLog: String?, auditObject: String?) {
        self.steps = steps
        self.operations = operations
        self.durationSeconds = durationSeconds
        self.auditLog = auditLog
        self.auditObject = auditObject
    }

    /// True when every step that ran succeeded.
    public var succeeded: Bool { steps.allSatisfy { $0.status != .failed } }
}

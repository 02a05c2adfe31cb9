/// Why an export did not finish, described once: the first real cause (a `DatabaseError`, an `S3Error`
/// or an `ExportError`), what was cleaned up, and anything that still needs a hand.
public struct ExportFailure: Error, Sendable, CustomStringConvertible {
    public var underlying: any Error
    /// Keys this run had completed and then deleted, so nothing of the failed run remains.
    public var removed: [String]
    /// Extra problems: multipart uploads that could not be aborted, objects that could not be deleted.
    public var notes: [String]

    public var description: String {
        var text = "export failed: \(underlying)"
        if !removed.isEmpty { text += " (removed this run's completed \(removed.joined(separator: ", ")))" }
        for note in notes { text += "\n  \(note)" }
        text += "\n  No manifest was written; nothing of this run is left at its keys."
        return text
    }
}

/// Problems of the export itself (neither PostgreSQL nor S3 failed).
public struct ExportError: Error, Sendable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}

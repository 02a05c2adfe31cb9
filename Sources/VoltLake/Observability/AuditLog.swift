import Foundation
import Synchronization

/// Appends `AuditEvent`s as JSON lines to a local file; safe to call from any task.
///
/// Write failures never stop the job, but are counted so the run can report them.
public final class AuditLog: Sendable {
    public let path: String
    private let state: Mutex<State>
    private let now: @Sendable () -> Date

    private struct State {
        var handle: FileHandle?
        var written = 0
        var failures = 0
    }

    /// Opens (creating if needed) the file for appending; throws when it cannot be written.
    public init(path: String, now: @escaping @Sendable () -> Date = { Date() }) throws(AuditLogError) {
        self.path = path
        self.now = now
        let url = URL(fileURLWithPath: path)
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            if !FileManager.default.fileExists(atPath: path) {
                guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
                    throw AuditLogError(path: path, reason: "the file cannot be created")
                }
            }
            let handle = try FileHandle(forWritingTo: url)
            try handle.seekToEnd()
            state = Mutex(State(handle: handle))
        } catch let error as AuditLogError {
            throw error
        } catch {
            throw AuditLogError(path: path, reason: error.localizedDescription)
        }
    }

    /// Appends one event as a JSON line.
    public func append(_ event: AuditEvent) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard var data = try? encoder.encode(event) else { return }
        data.append(0x0A)
        state.withLock { state in
            do {
                try state.handle?.write(contentsOf: data)
                state.written += 1
            } catch {
                state.failures += 1
            }
        }
    }

    /// Records one S3 request attempt.
    public func record(_ record: S3RequestRecordConvertible) {
        append(record.auditEvent(at: now()))
    }

    /// Lines written and lines lost so far.
    public var counts: (written: Int, failures: Int) {
        state.withLock { ($0.written, $0.failures) }
    }

    /// Flushes and closes the file.
    public func close() {
        state.withLock { state in
            try? state.handle?.synchronize()
            try? state.handle?.close()
            state.handle = nil
        }
    }
}

/// Anything that can become an audit line (an S3 request record).
public protocol S3RequestRecordConvertible {
    func auditEvent(at date: Date) -> AuditEvent
}

/// The audit log file cannot be opened or written.
public struct AuditLogError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String {
        "Cannot write the audit log \(path): \(reason). Choose another file with --audit-log or VOLTLAKE_AUDIT_LOG."
    }
}

import Foundation
import Synchronization

/// Appends `AuditEvent`s as JSON lines to a local file; safe to call from any task.
///
/// Write failures never stop the job, but are counted so the run can report them.
public final class AuditLog: Sendable {
    public let path: String
    /// Lines are gathered up to this many bytes before they are written (0: each line at once).
    public let bufferBytes: Int
    private let state: Mutex<State>

    private struct State {
        var handle: FileHandle?
        var pending: [UInt8] = []
        var pendingLines = 0
        var written = 0
        var failures = 0

        /// Writes what is pending; a failed write counts its lines as lost instead of written.
        mutating func flush() {
            guard !pending.isEmpty else { return }
            do {
                try handle?.write(contentsOf: pending)
            } catch {
                written -= pendingLines
                failures += pendingLines
            }
            pending.removeAll(keepingCapacity: true)
            pendingLines = 0
        }
    }

    /// Opens (creating if needed) the file for appending; throws when it cannot be written.
    /// A log that only matters once the run ends (the copy shipped to the lake) can gather its lines in
    /// memory (`bufferBytes`) and write them in larger pieces; `close()` writes the rest.
    public init(path: String, bufferBytes: Int = 0) throws(AuditLogError) {
        self.path = path
        self.bufferBytes = bufferBytes
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
        append(line: event.jsonLine)
    }

    /// Appends a line made by `AuditEvent.jsonLine`, to write one encoding to several logs.
    public func append(line data: [UInt8]) {
        state.withLock { state in
            state.pending.append(contentsOf: data)
            state.pendingLines += 1
            state.written += 1
            if state.pending.count >= bufferBytes { state.flush() }
        }
    }

    /// Lines written and lines lost so far.
    public var counts: (written: Int, failures: Int) {
        state.withLock { ($0.written, $0.failures) }
    }

    /// Flushes and closes the file.
    public func close() {
        state.withLock { state in
            state.flush()
            try? state.handle?.synchronize()
            try? state.handle?.close()
            state.handle = nil
        }
    }
}

/// The audit log file cannot be opened or written.
public struct AuditLogError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String {
        "Cannot write the audit log \(path): \(reason.hasSuffix(".") ? String(reason.dropLast()) : reason). Choose another file with --audit-log or VOLTLAKE_AUDIT_LOG."
    }
}

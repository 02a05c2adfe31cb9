import Foundation
import Logging
import S3
import VoltLake

/// One command's run: its logger, audit log (the user's file plus this run's own copy, shipped to the
/// lake at the end), statistics, and the S3 clients that feed them.
struct RunSession {
    let command: String
    let logger: Logger
    let observer: RunObserver
    let startedAt: Date
    let runID: String
    private let auditLog: AuditLog
    private let runCopy: AuditLog

    init(command: String, global: GlobalOptions) throws {
        self.command = command
        logger = global.bootstrapLogging()
        startedAt = Date()
        runID = String(UUID().uuidString.lowercased().prefix(8))
        do {
            auditLog = try AuditLog(path: global.auditLogPath())
            // Read only when the run ships it, so it may gather lines in memory: one write per 64 KiB, not per line.
            runCopy = try AuditLog(path: FileManager.default.temporaryDirectory.appendingPathComponent("voltlake-audit-\(runID).jsonl").path,
                                   bufferBytes: 64 * 1024)
        } catch {
            throw CommandFailure.usage(error.description)
        }
        observer = RunObserver(auditLogs: [auditLog, runCopy])
    }

    /// An S3 client whose every request lands in the audit log and the statistics.
    func makeClient(_ configuration: VoltLakeConfiguration, configure: (inout S3Configuration) -> Void = { _ in }) throws(ConfigurationError) -> S3Client {
        try configuration.s3.makeClient(configure: configure, logger: logger, onRequest: observer.onRequest)
    }

    /// The lake key of this run's audit lines: `audit/dt=YYYY-MM-DD/<command>_YYYYMMDD_HHMMSS_<run>.jsonl`.
    var auditKey: String {
        let stamp = RunStamp(startedAt)
        return "audit/dt=\(stamp.day)/\(command)_\(stamp.compact)_\(runID).jsonl"
    }

    /// Ships this run's audit lines to the lake; the upload itself is recorded in the local log only.
    /// Returns the object's URI, or nil (with a warning) when it could not be shipped.
    @discardableResult
    func shipAuditLog(client: S3Client, bucket: String) async -> String? {
        runCopy.close()
        defer { try? FileManager.default.removeItem(atPath: runCopy.path) }
        guard runCopy.counts.written > 0 else { return nil }
        do {
            _ = try await client.putFile(bucket: bucket, key: auditKey, path: runCopy.path, contentType: "application/x-ndjson")
            return "s3://\(bucket)/\(auditKey)"
        } catch {
            Terminal.note("warning: the audit log was not shipped to the lake (\(error)); it stays in \(auditLog.path)")
            return nil
        }
    }

    /// Closes the logs; the run copy is removed when it was not shipped.
    func close() {
        auditLog.close()
        runCopy.close()
        try? FileManager.default.removeItem(atPath: runCopy.path)
    }

    var auditLogPath: String { auditLog.path }

    /// Records a presigned link in the audit log (without its signature).
    func recordLink(_ link: PictureLink, key: String, bucket: String, client: S3Client, clientAddress: String? = nil) {
        observer.recordLink(
            url: link.url, bucket: bucket, key: key, expiresAt: Date(timeIntervalSince1970: TimeInterval(link.expiresAtEpochSecond)),
            accessKeyID: client.accessKeyID, clientAddress: clientAddress)
    }
}

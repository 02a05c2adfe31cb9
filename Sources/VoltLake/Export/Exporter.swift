import AsyncAlgorithms
import Foundation
import Logging
import NIOCore
import PostgresNIO
import S3

/// Exports a table (or a query) from one PostgreSQL snapshot to S3 as JSON and CSV, streaming rows
/// into multipart uploads with bounded memory, then writes the run manifest. See `docs/export.md`.
public struct Exporter: Sendable {
    public var configuration: VoltLakeConfiguration
    public var options: ExportOptions
    public var logger: Logger
    /// Bytes collected per format before they are handed to the upload (the channels hold one each).
    public var chunkSize: Int = 256 * 1024

    public init(configuration: VoltLakeConfiguration, options: ExportOptions,
                logger: Logger = Logger(label: "voltlake.export", factory: { _ in SwiftLogNoOpLogHandler() })) {
        self.configuration = configuration
        self.options = options
        self.logger = logger
    }

    var bucket: String { configuration.s3.bucket.value }

    var sourceInfo: ExportSourceInfo {
        let postgres = configuration.postgres
        var info = ExportSourceInfo(host: postgres.host.value, port: postgres.port.value, database: postgres.database.value)
        switch options.source {
        case .table(let name): info.table = name
        case .query(let sql): info.query = sql
        }
        return info
    }

    /// Connects, opens the snapshot, describes and counts the source; writes nothing (`--dry-run`).
    public func plan() async throws -> ExportPlan {
        _ = try SnapshotReader.sourceSQL(options.source)
        let connection = try await PostgresConnector(settings: configuration.postgres, logger: logger).connect()
        let reader = SnapshotReader(connection: connection, settings: configuration.postgres, logger: logger)
        do {
            let plan = try await makePlan(reader)
            await reader.end()
            try? await connection.close()
            return plan
        } catch {
            try? await connection.close()
            throw error
        }
    }

    private func makePlan(_ reader: SnapshotReader) async throws(DatabaseError) -> ExportPlan {
        try await reader.begin()
        let columns = try await reader.describe(options.source)
        let count = try await reader.count(options.source)
        let keys = options.keys
        return ExportPlan(
            bucket: bucket, source: sourceInfo, columns: columns, rowCount: count,
            objects: options.formats.map { ExportPlan.Object(key: keys.key(for: $0), format: $0) },
            manifestKey: keys.manifest, exportedAt: keys.exportedAt)
    }

    /// Runs the export. On any failure nothing of this run is left at its keys (multipart uploads are
    /// aborted, objects this run completed are deleted), no manifest is written, and the error is thrown.
    public func run(client: S3Client) async throws -> ExportSummary {
        let start = ContinuousClock.now
        _ = try SnapshotReader.sourceSQL(options.source)
        let connection = try await PostgresConnector(settings: configuration.postgres, logger: logger).connect()
        let reader = SnapshotReader(connection: connection, settings: configuration.postgres, logger: logger)
        let plan: ExportPlan
        let results: [ExportFormat: UploadResult]
        do {
            plan = try await makePlan(reader)
            results = try await stream(plan: plan, reader: reader, client: client)
            await reader.end()
            try? await connection.close()
        } catch {
            try? await connection.close()
            throw error
        }

        let objects = options.formats.compactMap { format -> ExportedObject? in
            guard let result = results[format] else { return nil }
            return ExportedObject(key: plan.objects.first { $0.format == format }?.key ?? "", format: format,
                                  size: result.size, sha256: result.sha256, etag: result.etag, rowCount: plan.rowCount)
        }
        let keys = options.keys
        let manifest = ExportManifest(
            runID: keys.runID, exportedAt: keys.exportedAt, bucket: bucket, source: sourceInfo, rowCount: plan.rowCount,
            columns: plan.columns, objects: objects, voltlakeVersion: VoltLakeVersion.current)
        do {
            _ = try await client.putObject(
                bucket: bucket, key: keys.manifest, body: ByteBuffer(bytes: try manifest.encoded()),
                contentType: "application/json", metadata: objectMetadata(format: nil, rowCount: plan.rowCount))
        } catch {
            throw await cleanUp(after: error, completed: objects.map(\.key), client: client)
        }
        let elapsed = (ContinuousClock.now - start).components
        let seconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
        return ExportSummary(
            bucket: bucket, rows: plan.rowCount, bytes: objects.reduce(0) { $0 + $1.size }, objects: objects,
            manifestKey: keys.manifest, durationSeconds: seconds,
            rowsPerSecond: seconds > 0 ? Double(plan.rowCount) / seconds : 0)
    }

    func objectMetadata(format: ExportFormat?, rowCount: Int64) -> [String: String] {
        var metadata = [
            "record-count": String(rowCount),
            "exported-at": options.keys.exportedAt,
            "source-table": options.source.label,
            "voltlake-version": VoltLakeVersion.current,
        ]
        if let format { metadata["format"] = format.rawValue }
        return metadata
    }

    /// One pass over the rows feeding one upload per format, all at once.
    private func stream(plan: ExportPlan, reader: SnapshotReader, client: S3Client) async throws -> [ExportFormat: UploadResult] {
        let sql = try SnapshotReader.rowsSQL(source: options.source, columns: plan.columns, formats: options.formats)
        let rows = try await reader.rows(sql)
        let channels = Dictionary(uniqueKeysWithValues: options.formats.map { ($0, ExportChannel()) })
        let producer = RowProducer(
            expectedRows: plan.rowCount, columnCount: plan.columns.count, json: JSONRowRenderer(columns: plan.columns),
            chunkSize: chunkSize,
            csv: CSVWriter(nullToken: options.csvNull), settings: configuration.postgres)
        let jsonHead = try JSONExportWriter.head(ExportMetadata(
            exportedAt: plan.exportedAt, source: sourceInfo, rowCount: plan.rowCount, columns: plan.columns,
            voltlakeVersion: VoltLakeVersion.current))
        let csvHeader = plan.columns.map(\.name)
        let bucket = self.bucket

        var completed: [ExportFormat: UploadResult] = [:]
        var errors: [any Error] = []
        await withTaskGroup(of: Result<(ExportFormat, UploadResult)?, any Error>.self) { group in
            for format in options.formats {
                guard let channel = channels[format] else { continue }
                let key = plan.objects.first { $0.format == format }?.key ?? ""
                let metadata = objectMetadata(format: format, rowCount: plan.rowCount)
                group.addTask {
                    do {
                        let result = try await StreamUpload.run(
                            client: client, bucket: bucket, key: key, contentType: format.contentType,
                            metadata: metadata, channel: channel)
                        return .success((format, result))
                    } catch {
                        return .failure(error)
                    }
                }
            }
            group.addTask {
                do {
                    try await producer.run(rows: rows, json: channels[.json], jsonHead: jsonHead,
                                           csvChannel: channels[.csv], csvHeader: csvHeader)
                    return .success(nil)
                } catch {
                    return .failure(error)
                }
            }
            for await result in group {
                switch result {
                case .success(let done?): completed[done.0] = done.1
                case .success(nil): break
                case .failure(let error):
                    if errors.isEmpty { group.cancelAll() }
                    errors.append(error)
                }
            }
        }
        if !errors.isEmpty {
            throw await cleanUp(after: errors, completed: completed.keys.map { options.keys.key(for: $0) }, client: client)
        }
        return completed
    }

    /// Deletes what this run completed and describes the failure once: its first real cause, plus any
    /// multipart upload that could not be aborted and any object that could not be deleted.
    private func cleanUp(after errors: [any Error], completed: [String], client: S3Client) async -> ExportFailure {
        let real = errors.filter { !($0 is CancellationError) && ($0 as? S3Error)?.kind != .cancelled }
        let primary = real.first ?? errors.first ?? CancellationError()
        var notes: [String] = []
        for error in errors.dropFirst() {
            if let s3 = error as? S3Error, s3.abortFailure != nil, (primary as? S3Error)?.key != s3.key {
                notes.append(s3.description)
            }
        }
        var removed: [String] = []
        for key in completed {
            do {
                try await client.deleteObject(bucket: bucket, key: key)
                removed.append(key)
            } catch {
                notes.append("s3://\(bucket)/\(key) was complete but could not be deleted (\(error)); delete it by hand.")
            }
        }
        return ExportFailure(underlying: primary, removed: removed, notes: notes)
    }

    private func cleanUp(after error: any Error, completed: [String], client: S3Client) async -> ExportFailure {
        await cleanUp(after: [error], completed: completed, client: client)
    }
}

extension ExportFormat {
    var contentType: String {
        switch self {
        case .json: return "application/json"
        case .csv: return "text/csv; charset=utf-8; header=present"
        }
    }
}

import Foundation
import Logging
import S3

/// `voltlake migrate`: check, export, images, in one run. A failed check stops the run before anything
/// is written; export and images are independent, so a failure in one does not stop the other.
public struct Migration: Sendable {
    public var configuration: VoltLakeConfiguration
    public var client: S3Client
    public var imageOptions: ImageSyncOptions
    /// False maps pictures by file name instead of the database's `image` column.
    public var useDatabaseForImages: Bool
    public var runTime: Date
    public var logger: Logger
    /// Where the images step writes its local JSON report (as `voltlake images` does); nil writes none.
    public var reportDirectory: String?

    public init(configuration: VoltLakeConfiguration, client: S3Client, imageOptions: ImageSyncOptions,
                useDatabaseForImages: Bool, runTime: Date = Date(), logger: Logger = S3Client.silentLogger, reportDirectory: String? = nil) {
        self.reportDirectory = reportDirectory
        self.configuration = configuration
        self.client = client
        self.imageOptions = imageOptions
        self.useDatabaseForImages = useDatabaseForImages
        self.runTime = runTime
        self.logger = logger
    }

    /// Runs the steps in order; `onStep` sees each one as it finishes.
    public func run(onStep: @Sendable (MigrationStep) -> Void = { _ in }) async -> [MigrationStep] {
        var steps: [MigrationStep] = []
        func finish(_ step: MigrationStep) {
            steps.append(step)
            onStep(step)
        }
        let check = await timed { await ConnectionCheck(configuration: configuration, includeDatabase: true, client: client).run() }
        let failures = check.value.results.filter { !$0.passed }
        finish(MigrationStep(
            name: "check", status: failures.isEmpty ? .ok : .failed, durationSeconds: check.seconds,
            detail: failures.isEmpty ? "S3, PostgreSQL and the pictures folder are reachable"
                : failures.map { "\($0.name): \($0.detail)" }.joined(separator: "; "),
            check: check.value.results))
        guard failures.isEmpty else {
            finish(Self.skipped("export"))
            finish(Self.skipped("images"))
            return steps
        }
        if Task.isCancelled { return steps }
        finish(await exportStep())
        if Task.isCancelled { return steps }
        finish(await imagesStep())
        return steps
    }

    private func exportStep() async -> MigrationStep {
        let options = ExportOptions(
            source: .table(configuration.postgres.table.value), formats: ExportFormat.allCases,
            prefix: "raw/components/", csvNull: "", runTime: runTime)
        let result = await timed { () async -> Result<ExportSummary, any Error> in
            do {
                return .success(try await Exporter(configuration: configuration, options: options, logger: logger).run(client: client))
            } catch {
                return .failure(error)
            }
        }
        switch result.value {
        case .success(let summary):
            return MigrationStep(
                name: "export", status: .ok, durationSeconds: result.seconds,
                detail: "\(summary.rows) rows, \(summary.bytes) bytes in \(summary.objects.count) objects; manifest s3://\(summary.bucket)/\(summary.manifestKey)",
                export: summary)
        case .failure(let error):
            return MigrationStep(name: "export", status: .failed, durationSeconds: result.seconds, detail: "\(error)")
        }
    }

    private func imagesStep() async -> MigrationStep {
        let result = await timed { () async -> Result<ImageSyncReport, any Error> in
            do {
                let mapping = useDatabaseForImages
                    ? try await ComponentCatalogue(settings: configuration.postgres).mapping()
                    : ImageMapping.byFileName
                let report = try await ImageSync(options: imageOptions, client: client, mapping: mapping).run()
                do {
                    if let reportDirectory { try report.write(toFile: reportDirectory + "/" + report.localFileName) }
                    try await report.store(in: client)
                } catch {
                    return .failure(error)
                }
                return .success(report)
            } catch {
                return .failure(error)
            }
        }
        switch result.value {
        case .success(let report):
            let counts = report.counts
            return MigrationStep(
                name: "images", status: report.succeeded ? .ok : .failed, durationSeconds: result.seconds,
                detail: "\(counts.uploaded) uploaded, \(counts.unchanged) unchanged, \(counts.skipped) skipped, \(counts.failed) failed, \(counts.deleted) deleted; \(report.bytesUploaded) bytes; report s3://\(report.bucket)/\(report.lakeKey)",
                images: report)
        case .failure(let error):
            return MigrationStep(name: "images", status: .failed, durationSeconds: result.seconds, detail: "\(error)")
        }
    }

    static func skipped(_ name: String) -> MigrationStep {
        MigrationStep(name: name, status: .skipped, durationSeconds: 0, detail: "not run: the check failed")
    }

    private func timed<T>(_ body: () async -> T) async -> (value: T, seconds: Double) {
        let start = ContinuousClock.now
        let value = await body()
        let elapsed = (ContinuousClock.now - start).components
        let seconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
        return (value, (seconds * 1000).rounded() / 1000)
    }
}

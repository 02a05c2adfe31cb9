import ArgumentParser
import Foundation
import VoltLake

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Run the whole migration: check, export the catalogue, sync the pictures; then ship the audit log.",
        discussion: """
        Steps, in order: check (S3, PostgreSQL, the pictures folder; a failure stops the run before anything
        is written), export (raw/components/ JSON and CSV from one snapshot, manifest last), images
        (images/components/<id>/, by content). Export and images do not depend on each other: a failure in one
        does not stop the other. Each step keeps its own report (the export manifest, reports/images/…json);
        the run's audit lines go to the audit log and to audit/dt=YYYY-MM-DD/ in the lake.

        Exit status: 0 every step succeeded; 1 a step failed (the summary says which); 2 configuration error.

        Examples:
          voltlake migrate
          voltlake migrate --json
          voltlake migrate --source ../volt/frontend/public/pictures/electricComponents --delete
        """)

    @OptionGroup var global: GlobalOptions

    @OptionGroup var pictures: PictureOptions

    func run() async throws {
        let configuration = try global.resolveConfiguration(extra: pictures.overrides)
        let session = try RunSession(command: "migrate", global: global)
        defer { session.close() }
        let client = try session.makeClient(configuration)
        let migration = Migration(
            configuration: configuration, client: client,
            imageOptions: ImageSyncOptions(
                source: configuration.imagesDirectory.value, bucket: configuration.s3.bucket.value,
                delete: pictures.delete, concurrency: pictures.concurrency),
            useDatabaseForImages: true, runTime: session.startedAt, logger: session.logger,
            reportDirectory: FileManager.default.currentDirectoryPath)
        let json = global.json
        let job = Task { await migration.run { step in if !json { MigrateCommand.printStep(step) } } }
        let interrupt = Interrupt { job.cancel() }
        let steps = await job.value
        interrupt.cancel()

        let shipped = await session.shipAuditLog(client: client, bucket: configuration.s3.bucket.value)
        try? await client.shutdown()
        let elapsed = Date().timeIntervalSince(session.startedAt)
        let report = MigrationReport(
            steps: steps, operations: session.observer.statistics.summaries,
            durationSeconds: (elapsed * 1000).rounded() / 1000, auditLog: session.auditLogPath, auditObject: shipped)
        if json {
            Terminal.printJSON(report)
        } else {
            printSummary(report)
        }
        if job.isCancelled {
            throw CommandFailure(message: "interrupted; open multipart uploads were aborted.", exitCode: ExitStatus.interrupted)
        }
        if !report.succeeded {
            throw CommandFailure(message: "", exitCode: ExitStatus.failed)
        }
    }

    static func printStep(_ step: MigrationStep) {
        let mark = step.status == .ok ? "✓" : (step.status == .failed ? "✗" : "-")
        print("\(mark) \(step.name) (\(step.durationSeconds) s): \(step.detail)")
        if let results = step.check, step.status == .failed {
            for result in results where !result.passed {
                if let fix = result.fix { print("    fix (\(result.name)): \(fix)") }
            }
        }
    }

    private func printSummary(_ report: MigrationReport) {
        print("")
        print(Terminal.table([["STEP", "STATUS", "SECONDS"]] + report.steps.map { [$0.name, $0.status.rawValue, "\($0.durationSeconds)"] }))
        if !report.operations.isEmpty {
            print("")
            print(Terminal.table([["S3 OPERATION", "REQUESTS", "FAILED", "RETRIES", "BYTES", "P50 MS", "P99 MS"]] + report.operations.map {
                [$0.operation, "\($0.requests)", "\($0.failures)", "\($0.retries)", "\($0.bytes)", "\($0.p50Ms)", "\($0.p99Ms)"]
            }))
        }
        print("")
        print("audit log: \(report.auditLog ?? "-")\(report.auditObject.map { " (shipped to \($0))" } ?? "")")
        print(report.succeeded ? "migration complete in \(report.durationSeconds) s" : "migration finished with failures in \(report.durationSeconds) s")
    }
}

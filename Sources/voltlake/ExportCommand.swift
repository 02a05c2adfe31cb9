import ArgumentParser
import Foundation
import S3
import VoltLake

struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export the component catalogue from PostgreSQL to S3 as JSON and CSV, from one snapshot.",
        discussion: """
        Writes, from one read-only repeatable-read snapshot and one UTC run time:
          <prefix>components_YYYYMMDD_HHMMSS.json     {"metadata":{…},"components":[…]}
          <prefix>dt=YYYY-MM-DD/components.csv        RFC 4180, header, NULL = empty unquoted, '' = ""
          <prefix>manifests/run_YYYYMMDD_HHMMSS.json  written last, only when every object is complete
        Rows stream into multipart uploads; on any failure nothing of the run is left at its keys.
        Part size: --part-size-mb or VOLTLAKE_PART_SIZE_MB (default 8, at least 5).

        Examples:
          voltlake export
          voltlake export --dry-run
          voltlake export --format csv --csv-null NULL
          voltlake export --query "SELECT id, name, price FROM electric_components WHERE category = 'mcb'" --prefix raw/mcb/
          voltlake export --json
        """)

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "Export the rows of this SELECT instead of the table.")
    var query: String?

    @Option(name: .long, help: "Formats to write, comma-separated: json, csv (default both).")
    var format: String = "json,csv"

    @Option(name: .long, help: "Key prefix (default raw/components/).")
    var prefix: String = "raw/components/"

    @Option(name: .customLong("csv-null"), help: "Write NULL as this token in CSV instead of an empty field (values equal to it are quoted).")
    var csvNull: String = ""

    @Option(name: .customLong("part-size-mb"), help: "Multipart part size and threshold in MiB (VOLTLAKE_PART_SIZE_MB; default 8, at least 5).")
    var partSizeMB: Int?

    @Flag(name: .customLong("dry-run"), help: "Print the plan and the row count; write nothing.")
    var dryRun = false

    func validate() throws {
        guard parsedFormats != nil else {
            throw ValidationError("--format takes json, csv or json,csv, not '\(format)'.")
        }
        if let partSizeMB, partSizeMB < 5 || partSizeMB > 5120 {
            throw ValidationError("--part-size-mb must be from 5 to 5120 (S3's part size limits).")
        }
        if query != nil, global.table != nil {
            throw ValidationError("give either --table or --query, not both.")
        }
        if prefix.hasPrefix("/") {
            throw ValidationError("--prefix is an S3 key prefix and does not start with '/'.")
        }
    }

    var parsedFormats: [ExportFormat]? {
        let names = format.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        let formats = names.compactMap(ExportFormat.init(rawValue:))
        return formats.isEmpty || formats.count != names.count ? nil : formats
    }

    func run() async throws {
        let configuration = try global.resolveConfiguration()
        let source: ExportSource = query.map(ExportSource.query) ?? .table(configuration.postgres.table.value)
        let options = ExportOptions(
            source: source, formats: parsedFormats ?? ExportFormat.allCases, prefix: prefix, csvNull: csvNull, runTime: Date())
        let exporter = Exporter(configuration: configuration, options: options)
        do {
            if dryRun {
                try await printPlan(exporter.plan())
                return
            }
            let partSize = try resolvedPartSize() * 1024 * 1024
            let session = try RunSession(command: "export", global: global)
            defer { session.close() }
            let client = try session.makeClient(configuration) { s3 in
                s3.partSize = partSize
                s3.multipartThreshold = partSize
                s3.uploadConcurrency = 2
            }
            let job = Task { try await exporter.run(client: client) }
            let interrupt = Interrupt { job.cancel() }
            let outcome = await job.result
            interrupt.cancel()
            await session.shipAuditLog(client: client, bucket: configuration.s3.bucket.value)
            try? await client.shutdown()
            if job.isCancelled {
                throw CommandFailure(
                    message: "interrupted; open multipart uploads were aborted and no manifest was written.",
                    exitCode: ExitStatus.interrupted)
            }
            let summary = try outcome.get()
            if global.json {
                Terminal.printJSON(summary)
            } else {
                for line in summary.lines { print(line) }
            }
        } catch let error as DatabaseError where error.kind == .invalidIdentifier {
            throw CommandFailure.usage(error.description)
        } catch let error as ConfigurationError {
            throw error
        } catch let error as CommandFailure {
            throw error
        } catch {
            throw CommandFailure.failed("\(error)")
        }
    }

    private func resolvedPartSize() throws -> Int {
        if let partSizeMB { return partSizeMB }
        guard let raw = ProcessInfo.processInfo.environment["VOLTLAKE_PART_SIZE_MB"], !raw.isEmpty else { return 8 }
        guard let value = Int(raw), (5...5120).contains(value) else {
            throw CommandFailure.usage("VOLTLAKE_PART_SIZE_MB must be a whole number from 5 to 5120, not '\(raw.prefix(20))'.")
        }
        return value
    }

    private func printPlan(_ plan: ExportPlan) {
        if global.json {
            Terminal.printJSON(plan)
            return
        }
        let source = plan.source.table.map { "table \($0)" } ?? "query"
        print("dry run: would export \(plan.rowCount) rows from \(source) in \(plan.source.database) at \(plan.source.host):\(plan.source.port)")
        for object in plan.objects { print("  s3://\(plan.bucket)/\(object.key)") }
        print("  s3://\(plan.bucket)/\(plan.manifestKey) (manifest, written last)")
        print("columns:")
        print(Terminal.table(plan.columns.map { ["  \($0.name)", $0.type] }))
    }
}

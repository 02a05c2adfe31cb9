import ArgumentParser
import Foundation
import S3
import VoltLake

struct ImagesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "images",
        abstract: "Sync the component pictures to images/components/<componentId>/ in the lake, by content.",
        discussion: """
        A component's picture is the file its image column names (/pictures/electricComponents/<file>);
        a file shared by several components is stored under each one's prefix, subfolders kept. Without a
        database (--no-database, or none configured) the component id is read from the name: <id>/<file>
        or <id>.<ext>. Missing files, unreferenced files, temp_* leftovers, non-pictures, empty and
        unreadable files and links out of the folder are skipped and listed in the report with the reason.

        One listing of images/components/ decides what changed: a file whose size and MD5 match the
        object's ETag is left alone (HeadObject for the sha256 metadata only when the ETag cannot tell).
        Objects get Content-Type from the extension, SSE-S3, and the metadata component-id,
        original-filename, size, modified-at (ISO 8601, UTC) and sha256; non-ASCII values are
        percent-encoded (RFC 3986, UTF-8), e.g. original-filename "łącznik ż.jpg" is stored as
        "%C5%82%C4%85cznik %C5%BC.jpg".

        The report goes to stdout (a table, or --json), to --report (default
        ./voltlake-images-report-<time>.json) and to the lake at reports/images/images_<time>.json.
        Exit status: 0 done; 1 some files failed (all others were uploaded; run again to finish);
        2 configuration error (no such folder, no credentials).

        Examples:
          voltlake images --source frontend/public/pictures/electricComponents
          voltlake images --dry-run --delete
          voltlake images --no-database --concurrency 16 --json
        """)

    @OptionGroup var global: GlobalOptions

    @OptionGroup var pictures: PictureOptions

    @Flag(name: .customLong("no-database"), help: "Map pictures by file name instead of the components table.")
    var noDatabase = false

    @Flag(name: .customLong("dry-run"), help: "Print the plan; upload, delete and write nothing.")
    var dryRun = false

    @Option(name: .long, help: "Where to write the JSON report (default ./voltlake-images-report-<time>.json; in a dry run only when given).")
    var report: String?

    func run() async throws {
        let configuration = try global.resolveConfiguration(extra: pictures.overrides)
        let session = try RunSession(command: "images", global: global)
        defer { session.close() }
        let client = try session.makeClient(configuration)
        let succeeded: Bool
        do {
            succeeded = try await sync(configuration: configuration, client: client)
        } catch {
            if !dryRun { await session.shipAuditLog(client: client, bucket: configuration.s3.bucket.value) }
            try? await client.shutdown()
            throw error
        }
        if !dryRun { await session.shipAuditLog(client: client, bucket: configuration.s3.bucket.value) }
        try? await client.shutdown()
        if !succeeded { throw CommandFailure(message: "", exitCode: ExitStatus.failed) }
    }

    /// Runs the sync, writes and prints the report; false when something failed.
    private func sync(configuration: VoltLakeConfiguration, client: S3Client) async throws -> Bool {
        let mapping: ImageMapping
        if noDatabase {
            mapping = .byFileName
        } else if !configuration.postgres.isConfigured {
            Terminal.note("images: no database configured (DATABASE_URL or POSTGRES_*): mapping pictures by file name")
            mapping = .byFileName
        } else {
            do throws(DatabaseError) {
                mapping = try await ComponentCatalogue(settings: configuration.postgres).mapping()
            } catch {
                throw CommandFailure.failed("\(error.description) (Use --no-database to map pictures by file name.)")
            }
        }
        let progress = ImagesProgress(printPlan: dryRun && !global.json)
        let options = ImageSyncOptions(
            source: configuration.imagesDirectory.value, bucket: configuration.s3.bucket.value,
            delete: pictures.delete, dryRun: dryRun, concurrency: pictures.concurrency)
        var result: ImageSyncReport
        do throws(ImageSyncError) {
            result = try await ImageSync(options: options, client: client, mapping: mapping, onEvent: { progress.handle($0) }).run()
        } catch {
            progress.finish()
            throw error.kind == .configuration ? CommandFailure.usage(error.description) : CommandFailure.failed(error.description)
        }
        progress.finish()

        var succeeded = result.succeeded
        var written: [String] = []
        let localPath = report.map(absolute) ?? (dryRun ? nil : absolute(result.localFileName))
        if let localPath {
            do {
                try result.write(toFile: localPath)
                written.append(localPath)
            } catch {
                Terminal.error("cannot write the report to \(localPath): \(error.localizedDescription)")
                succeeded = false
            }
        }
        if !dryRun {
            do {
                try await result.store(in: client)
                written.append("s3://\(result.bucket)/\(result.lakeKey)")
            } catch {
                Terminal.error("cannot store the report in the lake: \(error)")
                succeeded = false
            }
        }
        if global.json {
            if let data = try? result.json(pretty: false) { print(String(decoding: data, as: UTF8.self)) }
        } else {
            print(ImagesSummary.text(result, reports: written))
        }
        return succeeded
    }

    private func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }
}

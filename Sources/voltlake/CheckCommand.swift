import ArgumentParser
import VoltLake

struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Test the configuration and the connections to S3, PostgreSQL and the pictures folder.",
        discussion: """
        Uses only s3:GetBucketLocation and s3:ListBucket. Prints one line per check (✓ or ✗ with the cause
        and the fix) and exits 0 only when every check passes, 1 otherwise, 2 on a configuration error.

        Examples:
          voltlake check
          voltlake check --profile volt --bucket volt-data-lake
          voltlake check --json
        """)

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "Pictures folder (VOLT_IMAGES_DIR; default frontend/public/pictures/electricComponents).")
    var source: String?

    @Flag(name: .customLong("no-database"), help: "Skip the PostgreSQL check.")
    var noDatabase = false

    func run() async throws {
        var extra: [String: (flag: String, value: String)] = [:]
        if let source { extra["VOLT_IMAGES_DIR"] = ("--source", source) }
        let configuration = try global.resolveConfiguration(extra: extra)
        let session = try RunSession(command: "check", global: global)
        defer { session.close() }
        // With no credentials the check reports that itself; otherwise its requests go through the audited client.
        let client = configuration.s3.credentials == nil ? nil : try session.makeClient(configuration)
        let report = await ConnectionCheck(configuration: configuration, includeDatabase: !noDatabase, client: client).run()
        try? await client?.shutdown()
        if global.json {
            Terminal.printJSON(report)
        } else {
            for result in report.results {
                print("\(result.passed ? "✓" : "✗") \(result.name): \(result.detail)")
                if let fix = result.fix { print("    fix: \(fix)") }
            }
        }
        if !report.passed { throw CommandFailure(message: "", exitCode: ExitStatus.failed) }
    }
}

import ArgumentParser
import Foundation
import Logging
import Synchronization
import VoltLake

/// Options every command shares: where S3 and PostgreSQL are, and output format.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "S3 bucket (S3_BUCKET_NAME; default volt-data-lake).")
    var bucket: String?

    @Option(name: .long, help: "AWS region (AWS_REGION; default eu-central-1).")
    var region: String?

    @Option(name: .long, help: "AWS profile from ~/.aws/credentials and ~/.aws/config (AWS_PROFILE).")
    var profile: String?

    @Option(name: .customLong("endpoint-url"), help: "S3-compatible endpoint, e.g. http://127.0.0.1:9000 (AWS_ENDPOINT_URL).")
    var endpointURL: String?

    @Flag(name: .customLong("path-style"), inversion: .prefixedNo, help: "Path-style S3 addressing (automatic for custom endpoints).")
    var pathStyle: Bool?

    @Option(name: .long, help: "Table holding the components (VOLTLAKE_TABLE; default electric_components).")
    var table: String?

    @Flag(name: .long, help: "Print machine-readable JSON on stdout.")
    var json = false

    @Flag(name: [.short, .long], help: "Log more detail (debug level) on stderr.")
    var verbose = false

    @Flag(name: [.short, .long], help: "Log only errors on stderr.")
    var quiet = false

    @Option(name: .customLong("log-format"), help: "Log format on stderr: text or json (VOLTLAKE_LOG_FORMAT).")
    var logFormat: String?

    @Option(name: .customLong("audit-log"), help: "Audit log file, JSON lines (VOLTLAKE_AUDIT_LOG; default ~/.local/state/voltlake/audit.jsonl).")
    var auditLog: String?

    func validate() throws {
        if verbose && quiet { throw ValidationError("--verbose and --quiet contradict each other: choose one.") }
        if let logFormat, StderrLogHandler.Format(rawValue: logFormat) == nil {
            throw ValidationError("--log-format must be text or json, not '\(logFormat)'.")
        }
    }

    /// Sets up swift-log once for this process: level from --verbose/--quiet, format from --log-format.
    func bootstrapLogging() -> Logger {
        let environment = ProcessInfo.processInfo.environment
        let level: Logger.Level = verbose ? .debug : (quiet ? .error : .notice)
        let format = (logFormat ?? environment["VOLTLAKE_LOG_FORMAT"]).flatMap(StderrLogHandler.Format.init(rawValue:)) ?? .text
        let colour = StderrLogHandler.colourWanted(environment: environment)
        LoggingBootstrap.once {
            LoggingSystem.bootstrap { label in StderrLogHandler(label: label, level: level, format: format, colour: colour) }
        }
        return Logger(label: "voltlake")
    }

    /// The audit log path: --audit-log, VOLTLAKE_AUDIT_LOG, or ~/.local/state/voltlake/audit.jsonl.
    func auditLogPath() -> String {
        let environment = ProcessInfo.processInfo.environment
        if let auditLog { return auditLog }
        if let path = environment["VOLTLAKE_AUDIT_LOG"], !path.isEmpty { return path }
        let state = environment["XDG_STATE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ((environment["HOME"] ?? NSHomeDirectory()) + "/.local/state")
        return state + "/voltlake/audit.jsonl"
    }

    /// Flag overrides keyed by the variable each replaces.
    var overrides: [String: (flag: String, value: String)] {
        var flags: [String: (flag: String, value: String)] = [:]
        if let bucket { flags["S3_BUCKET_NAME"] = ("--bucket", bucket) }
        if let region { flags["AWS_REGION"] = ("--region", region) }
        if let profile { flags["AWS_PROFILE"] = ("--profile", profile) }
        if let endpointURL { flags["AWS_ENDPOINT_URL_S3"] = ("--endpoint-url", endpointURL) }
        if let pathStyle { flags["VOLTLAKE_S3_PATH_STYLE"] = (pathStyle ? "--path-style" : "--no-path-style", pathStyle ? "true" : "false") }
        if let table { flags["VOLTLAKE_TABLE"] = ("--table", table) }
        return flags
    }

    /// Resolves the effective configuration from these flags and the process environment.
    func resolveConfiguration(extra: [String: (flag: String, value: String)] = [:]) throws(ConfigurationError) -> VoltLakeConfiguration {
        let environment = ProcessInfo.processInfo.environment
        let home = environment["HOME"] ?? NSHomeDirectory()
        let inputs = ConfigurationInputs(
            flags: overrides.merging(extra) { _, new in new },
            environment: environment,
            workingDirectory: FileManager.default.currentDirectoryPath,
            homeDirectory: home)
        return try ConfigurationResolver(inputs: inputs).resolve()
    }
}

/// Makes sure LoggingSystem is bootstrapped at most once per process.
enum LoggingBootstrap {
    private static let done = Mutex(false)

    static func once(_ body: () -> Void) {
        let first = done.withLock { done in
            defer { done = true }
            return !done
        }
        if first { body() }
    }
}

import ArgumentParser
import Foundation
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

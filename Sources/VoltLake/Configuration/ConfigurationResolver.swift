import Foundation
import SigV4

/// Everything configuration is resolved from; the executable fills it at the edge.
public struct ConfigurationInputs: Sendable {
    /// Command-line overrides keyed by the variable they replace, e.g. `S3_BUCKET_NAME` → (`--bucket`, value).
    public var flags: [String: (flag: String, value: String)]
    public var environment: [String: String]
    public var workingDirectory: String
    public var homeDirectory: String
    /// Reads a file: nil when it does not exist; throws when it exists but cannot be read.
    public var readFile: @Sendable (String) throws -> String?

    public init(
        flags: [String: (flag: String, value: String)] = [:],
        environment: [String: String],
        workingDirectory: String,
        homeDirectory: String,
        readFile: @escaping @Sendable (String) throws -> String? = ConfigurationInputs.readLocalFile
    ) {
        self.flags = flags
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.homeDirectory = homeDirectory
        self.readFile = readFile
    }

    /// Reads a UTF-8 file from the local disk.
    @Sendable public static func readLocalFile(_ path: String) throws -> String? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return String(decoding: data, as: UTF8.self)
    }
}

/// Resolves the effective configuration with one precedence:
/// flags > environment > `.env` in the working directory > AWS shared files > defaults.
public struct ConfigurationResolver: Sendable {
    public static let defaultRegion = "eu-central-1"
    public static let defaultBucket = "volt-data-lake"
    public static let defaultTable = "electric_components"
    public static let defaultImagesDirectory = "frontend/public/pictures/electricComponents"

    public var inputs: ConfigurationInputs

    public init(inputs: ConfigurationInputs) {
        self.inputs = inputs
    }

    public func resolve() throws(ConfigurationError) -> VoltLakeConfiguration {
        let dotEnvPath = join(inputs.workingDirectory, ".env")
        var dotEnv: [String: DotEnvEntry] = [:]
        var dotEnvRead: String?
        if let text = try read(dotEnvPath) {
            do {
                for entry in try DotEnv.parse(text, file: dotEnvPath) { dotEnv[entry.key] = entry }
            } catch {
                throw .dotEnv(error)
            }
            dotEnvRead = dotEnvPath
        }
        let variables = Variables(flags: inputs.flags, environment: inputs.environment, dotEnv: dotEnv, dotEnvPath: dotEnvPath)
        let s3 = try resolveS3(variables)
        let postgres = try resolvePostgres(variables)
        let images = variables.first("VOLT_IMAGES_DIR").map { Setting(absolute($0.value), $0.source) }
            ?? Setting(join(inputs.workingDirectory, Self.defaultImagesDirectory), .defaultValue)
        return VoltLakeConfiguration(s3: s3, postgres: postgres, imagesDirectory: images, dotEnvPath: dotEnvRead)
    }

    // MARK: S3

    private func resolveS3(_ variables: Variables) throws(ConfigurationError) -> S3Settings {
        let profile = variables.first("AWS_PROFILE", "AWS_DEFAULT_PROFILE") ?? Setting("default", .defaultValue)
        let credentialsPath = variables.first("AWS_SHARED_CREDENTIALS_FILE")
            .map { absolute(expandHome($0.value)) } ?? join(inputs.homeDirectory, ".aws/credentials")
        let configPath = variables.first("AWS_CONFIG_FILE")
            .map { absolute(expandHome($0.value)) } ?? join(inputs.homeDirectory, ".aws/config")
        let credentialsFile = try read(credentialsPath).map { text throws(ConfigurationError) in
            try AWSSharedFile.parse(text, path: credentialsPath, isConfigFile: false)
        }
        let configFile = try read(configPath).map { text throws(ConfigurationError) in
            try AWSSharedFile.parse(text, path: configPath, isConfigFile: true)
        }
        let credentialsSection = credentialsFile?.profiles[profile.value]
        let configSection = configFile?.profiles[profile.value]
        if profile.source != .defaultValue, credentialsSection == nil, configSection == nil {
            throw .profileNotFound(profile: profile.value, files: [credentialsPath, configPath])
        }
        func fromFiles(_ key: String) -> Setting<String>? {
            if let value = credentialsSection?[key], !value.isEmpty {
                return Setting(value, .awsFile(path: credentialsPath, profile: profile.value, key: key))
            }
            if let value = configSection?[key], !value.isEmpty {
                return Setting(value, .awsFile(path: configPath, profile: profile.value, key: key))
            }
            return nil
        }

        var credentials: Setting<AWSCredentials>?
        let keyID = variables.first("AWS_ACCESS_KEY_ID")
        let secret = variables.first("AWS_SECRET_ACCESS_KEY")
        switch (keyID, secret) {
        case let (id?, secret?):
            let token = variables.first("AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN")
            credentials = Setting(
                AWSCredentials(accessKeyID: id.value, secretAccessKey: secret.value, sessionToken: token?.value),
                id.source)
        case let (id?, nil):
            throw .incompleteCredentials(present: "AWS_ACCESS_KEY_ID", missing: "AWS_SECRET_ACCESS_KEY", source: id.source.description)
        case let (nil, secret?):
            throw .incompleteCredentials(present: "AWS_SECRET_ACCESS_KEY", missing: "AWS_ACCESS_KEY_ID", source: secret.source.description)
        case (nil, nil):
            let fileID = fromFiles("aws_access_key_id")
            let fileSecret = fromFiles("aws_secret_access_key")
            switch (fileID, fileSecret) {
            case let (id?, secret?):
                credentials = Setting(
                    AWSCredentials(accessKeyID: id.value, secretAccessKey: secret.value, sessionToken: fromFiles("aws_session_token")?.value),
                    id.source)
            case let (id?, nil):
                throw .incompleteCredentials(present: "aws_access_key_id", missing: "aws_secret_access_key", source: id.source.description)
            case let (nil, secret?):
                throw .incompleteCredentials(present: "aws_secret_access_key", missing: "aws_access_key_id", source: secret.source.description)
            case (nil, nil):
                credentials = nil
            }
        }

        let region = variables.first("AWS_REGION", "AWS_DEFAULT_REGION") ?? fromFiles("region")
            ?? Setting(Self.defaultRegion, .defaultValue)
        guard Self.isValidRegion(region.value) else {
            throw .invalidValue(name: "region", source: region.source.description,
                                reason: "'\(region.value.prefix(40))' is not an AWS region name like eu-central-1")
        }

        var endpoint: Setting<URL>?
        if let raw = variables.first("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL") ?? fromFiles("s3.endpoint_url") ?? fromFiles("endpoint_url") {
            guard let url = URL(string: raw.value), let scheme = url.scheme?.lowercased(),
                  scheme == "http" || scheme == "https", let host = url.host, !host.isEmpty else {
                throw .invalidValue(name: "endpoint URL", source: raw.source.description,
                                    reason: "expected http://host:port or https://host, got '\(raw.value.prefix(80))'")
            }
            endpoint = Setting(url, raw.source)
        }

        let bucket = variables.first("S3_BUCKET_NAME") ?? Setting(Self.defaultBucket, .defaultValue)
        if let problem = Self.bucketNameProblem(bucket.value) {
            throw .invalidValue(name: "S3_BUCKET_NAME", source: bucket.source.description, reason: problem)
        }

        let pathStyle: Setting<Bool>
        if let raw = variables.first("VOLTLAKE_S3_PATH_STYLE") {
            guard let flag = Self.parseBool(raw.value) else {
                throw .invalidValue(name: "VOLTLAKE_S3_PATH_STYLE", source: raw.source.description, reason: "expected true or false")
            }
            pathStyle = Setting(flag, raw.source)
        } else if let style = fromFiles("s3.addressing_style"), style.value == "path" || style.value == "virtual" {
            pathStyle = Setting(style.value == "path", style.source)
        } else if endpoint != nil {
            pathStyle = Setting(true, .automatic("custom endpoint"))
        } else {
            pathStyle = Setting(false, .automatic("AWS uses virtual-hosted style"))
        }
        let maxAttempts = try Self.wholeNumber(
            variables.first("AWS_MAX_ATTEMPTS") ?? fromFiles("max_attempts") ?? Setting("3", .defaultValue),
            name: "AWS_MAX_ATTEMPTS / max_attempts", range: 1...20)
        let timeout = try Self.wholeNumber(
            variables.first("VOLTLAKE_S3_TIMEOUT") ?? Setting("300", .defaultValue),
            name: "VOLTLAKE_S3_TIMEOUT", range: 1...86_400, unit: " seconds")
        return S3Settings(credentials: credentials, profile: profile, region: region, endpoint: endpoint, bucket: bucket,
                          usePathStyle: pathStyle, maxAttempts: maxAttempts, requestTimeoutSeconds: timeout)
    }

    /// A whole number in `range`, or a configuration error naming the setting and where it came from.
    static func wholeNumber(_ raw: Setting<String>, name: String, range: ClosedRange<Int>, unit: String = "") throws(ConfigurationError) -> Setting<Int> {
        guard let value = Int(raw.value.trimmingCharacters(in: .whitespaces)), range.contains(value) else {
            throw .invalidValue(name: name, source: raw.source.description,
                                reason: "expected a whole number from \(range.lowerBound) to \(range.upperBound)\(unit), got '\(raw.value.prefix(20))'")
        }
        return Setting(value, raw.source)
    }

    // MARK: PostgreSQL

    private func resolvePostgres(_ variables: Variables) throws(ConfigurationError) -> PostgresSettings {
        var isConfigured = false
        var url = DatabaseURL()
        var urlSource: ConfigSource?
        if let raw = variables.first("DATABASE_URL"), !raw.value.isEmpty {
            url = try DatabaseURL.parse(raw.value)
            urlSource = .databaseURL(from: raw.source.description)
            isConfigured = true
        }
        func pick(_ fromURL: String?, _ names: String...) -> Setting<String>? {
            if let value = fromURL, let source = urlSource { return Setting(value, source) }
            if urlSource != nil { return nil }
            for name in names {
                if let found = variables.first(name) { isConfigured = true; return found }
            }
            return nil
        }
        let host = pick(url.host, "POSTGRES_HOST", "PGHOST") ?? Setting("localhost", .defaultValue)
        let portText = pick(url.port.map(String.init), "POSTGRES_PORT", "PGPORT") ?? Setting("5432", .defaultValue)
        guard let port = Int(portText.value), (1...65535).contains(port) else {
            throw .invalidValue(name: "PostgreSQL port", source: portText.source.description, reason: "expected a number from 1 to 65535")
        }
        let database = pick(url.database, "POSTGRES_DB", "PGDATABASE") ?? Setting("postgres", .defaultValue)
        let user = pick(url.user, "POSTGRES_USER", "PGUSER") ?? Setting("postgres", .defaultValue)
        let password = pick(url.password, "POSTGRES_PASSWORD", "PGPASSWORD")
        let modeText = (url.sslMode.flatMap { mode in urlSource.map { Setting(mode, $0) } })
            ?? variables.first("PGSSLMODE") ?? Setting("prefer", .defaultValue)
        guard let mode = PostgresTLSMode(rawValue: modeText.value.lowercased()) else {
            throw .invalidValue(name: "sslmode", source: modeText.source.description,
                                reason: "expected one of \(PostgresTLSMode.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let rootCert = (url.sslRootCert.flatMap { cert in urlSource.map { Setting(absolute(expandHome(cert)), $0) } })
            ?? variables.first("PGSSLROOTCERT").map { Setting(absolute(expandHome($0.value)), $0.source) }
        let options = (url.options.flatMap { text in urlSource.map { Setting(text, $0) } }) ?? variables.first("PGOPTIONS")
        let table = variables.first("VOLTLAKE_TABLE") ?? Setting(Self.defaultTable, .defaultValue)
        return PostgresSettings(
            host: host, port: Setting(port, portText.source), database: database, user: user, password: password,
            tlsMode: Setting(mode, modeText.source), rootCertificate: rootCert, options: options, table: table, isConfigured: isConfigured)
    }

    // MARK: Helpers

    private func read(_ path: String) throws(ConfigurationError) -> String? {
        do {
            return try inputs.readFile(path)
        } catch {
            throw .unreadableFile(path: path, reason: "\(error.localizedDescription)")
        }
    }

    private func join(_ base: String, _ path: String) -> String {
        base.hasSuffix("/") ? base + path : base + "/" + path
    }

    private func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : join(inputs.workingDirectory, path)
    }

    private func expandHome(_ path: String) -> String {
        path == "~" ? inputs.homeDirectory : (path.hasPrefix("~/") ? join(inputs.homeDirectory, String(path.dropFirst(2))) : path)
    }

    static func parseBool(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: return nil
        }
    }

    static func isValidRegion(_ region: String) -> Bool {
        !region.isEmpty && region.count <= 32
            && region.unicodeScalars.allSatisfy { $0 == "-" || ("a"..."z").contains($0) || ("0"..."9").contains($0) }
    }

    /// Why a bucket name breaks S3's naming rules, or nil when it is fine.
    public static func bucketNameProblem(_ name: String) -> String? {
        guard (3...63).contains(name.count) else { return "a bucket name has 3 to 63 characters" }
        let allowed = name.unicodeScalars.allSatisfy { $0 == "-" || $0 == "." || ("a"..."z").contains($0) || ("0"..."9").contains($0) }
        guard allowed else { return "a bucket name has only lower-case letters, digits, '-' and '.'" }
        guard let first = name.first, let last = name.last, first.isLetter || first.isNumber, last.isLetter || last.isNumber else {
            return "a bucket name starts and ends with a letter or digit"
        }
        return nil
    }
}

/// Flag, environment and `.env` values, looked up in that order.
struct Variables {
    var flags: [String: (flag: String, value: String)]
    var environment: [String: String]
    var dotEnv: [String: DotEnvEntry]
    var dotEnvPath: String

    /// The first of `names` that is set (non-empty) in the highest-precedence layer.
    func first(_ names: String...) -> Setting<String>? {
        for name in names {
            if let flag = flags[name] { return Setting(flag.value, .flag(flag.flag)) }
        }
        for name in names {
            if let value = environment[name], !value.isEmpty { return Setting(value, .environment(name)) }
        }
        for name in names {
            if let entry = dotEnv[name], !entry.value.isEmpty {
                return Setting(entry.value, .dotEnv(path: dotEnvPath, line: entry.line, name: name))
            }
        }
        return nil
    }
}

/// One line of `voltlake config`: a name, a printable value (secrets redacted) and its source.
public struct ConfigurationRow: Sendable, Hashable, Codable {
    public var name: String
    public var value: String
    public var source: String
}

extension VoltLakeConfiguration {
    /// Shown in place of any secret value.
    public static let redacted = "<set, redacted>"

    /// The effective configuration as printable rows; no secret key, token or password appears in them.
    public var summaryRows: [ConfigurationRow] {
        var rows: [ConfigurationRow] = []
        func add<T>(_ name: String, _ setting: Setting<T>?, _ render: (T) -> String = { "\($0)" }) {
            if let setting {
                rows.append(ConfigurationRow(name: name, value: render(setting.value), source: setting.source.description))
            } else {
                rows.append(ConfigurationRow(name: name, value: "<not set>", source: "-"))
            }
        }
        add("aws.profile", s3.profile)
        if let credentials = s3.credentials {
            rows.append(ConfigurationRow(name: "aws.access_key_id", value: Self.maskKeyID(credentials.value.accessKeyID), source: credentials.source.description))
            rows.append(ConfigurationRow(name: "aws.secret_access_key", value: Self.redacted, source: credentials.source.description))
            rows.append(ConfigurationRow(
                name: "aws.session_token", value: credentials.value.sessionToken == nil ? "<not set>" : Self.redacted,
                source: credentials.value.sessionToken == nil ? "-" : credentials.source.description))
        } else {
            rows.append(ConfigurationRow(name: "aws.credentials", value: "<none found>", source: "-"))
        }
        add("aws.region", s3.region)
        add("s3.endpoint", s3.endpoint) { $0.absoluteString }
        add("s3.bucket", s3.bucket)
        add("s3.path_style", s3.usePathStyle)
        add("s3.max_attempts", s3.maxAttempts)
        add("s3.timeout_seconds", s3.requestTimeoutSeconds)
        add("postgres.host", postgres.host)
        add("postgres.port", postgres.port)
        add("postgres.database", postgres.database)
        add("postgres.user", postgres.user)
        add("postgres.password", postgres.password) { _ in Self.redacted }
        add("postgres.sslmode", postgres.tlsMode) { $0.rawValue }
        add("postgres.sslrootcert", postgres.rootCertificate)
        add("postgres.options", postgres.options)
        add("postgres.table", postgres.table)
        add("images.directory", imagesDirectory)
        rows.append(ConfigurationRow(name: "dotenv", value: dotEnvPath ?? "<no .env in the working directory>", source: "-"))
        return rows
    }

    /// `VOLT…0001`: enough to tell keys apart, as `aws configure list` does.
    public static func maskKeyID(_ id: String) -> String {
        id.count <= 8 ? String(repeating: "*", count: id.count) : "\(id.prefix(4))…\(id.suffix(4))"
    }
}

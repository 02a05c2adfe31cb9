import Foundation
import SigV4

/// Where and how to reach S3.
public struct S3Settings: Sendable {
    /// nil when no credentials were found anywhere; commands that talk to S3 then fail with a fix.
    public var credentials: Setting<AWSCredentials>?
    public var profile: Setting<String>
    public var region: Setting<String>
    /// A custom S3-compatible endpoint (`AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL`); nil for AWS itself.
    public var endpoint: Setting<URL>?
    public var bucket: Setting<String>
    public var usePathStyle: Setting<Bool>
    /// Attempts per S3 request, the first included (`AWS_MAX_ATTEMPTS` / `max_attempts`, as botocore reads them).
    public var maxAttempts: Setting<Int>
    /// Seconds one S3 attempt may take before it is abandoned and retried (`VOLTLAKE_S3_TIMEOUT`).
    public var requestTimeoutSeconds: Setting<Int>
}

/// libpq's `sslmode` values.
public enum PostgresTLSMode: String, Sendable, Hashable, CaseIterable {
    case disable, allow, prefer, require
    case verifyCA = "verify-ca"
    case verifyFull = "verify-full"
}

/// Where and how to reach PostgreSQL, and which table holds the catalogue.
public struct PostgresSettings: Sendable {
    public var host: Setting<String>
    public var port: Setting<Int>
    public var database: Setting<String>
    public var user: Setting<String>
    public var password: Setting<String>?
    public var tlsMode: Setting<PostgresTLSMode>
    public var rootCertificate: Setting<String>?
    /// Server settings sent at connection start, libpq's `PGOPTIONS` / `options=` (e.g. `-c statement_timeout=30s`).
    public var options: Setting<String>?
    public var table: Setting<String>
    /// False when nothing about the database was configured: only defaults are in use.
    public var isConfigured: Bool
}

/// The whole effective configuration of one voltlake run.
public struct VoltLakeConfiguration: Sendable {
    public var s3: S3Settings
    public var postgres: PostgresSettings
    public var imagesDirectory: Setting<String>
    /// The `.env` file that was read, if any.
    public var dotEnvPath: String?
}

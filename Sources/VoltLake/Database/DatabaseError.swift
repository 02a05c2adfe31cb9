import PostgresNIO

/// A PostgreSQL problem, described so a user can act on it; never contains the password.
public struct DatabaseError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        case unreachable
        case authenticationFailed
        case databaseNotFound
        case tls
        case timeout
        case tableNotFound
        case invalidIdentifier
        case query
        case connectionLost
    }

    public var kind: Kind
    public var description: String

    public init(_ kind: Kind, _ description: String) {
        self.kind = kind
        self.description = description
    }

    /// Translates a postgres-nio error for the given settings (host, port, user, database).
    public static func from(_ error: any Error, settings: PostgresSettings, during action: String) -> DatabaseError {
        let target = "\(settings.host.value):\(settings.port.value)"
        if let error = error as? DatabaseError { return error }
        if let psql = error as? PSQLError {
            if let state = psql.serverInfo?[.sqlState] {
                let message = psql.serverInfo?[.message] ?? "no message"
                switch state {
                case "28P01", "28000":
                    return DatabaseError(.authenticationFailed,
                        "PostgreSQL at \(target) refused the password for user '\(settings.user.value)' (\(settings.user.source)). Check POSTGRES_PASSWORD / DATABASE_URL, or the user's pg_hba.conf entry.")
                case "3D000":
                    return DatabaseError(.databaseNotFound,
                        "PostgreSQL at \(target) has no database '\(settings.database.value)' (\(settings.database.source)). Check POSTGRES_DB, or create it with `createdb \(settings.database.value)`.")
                case "42P01":
                    return DatabaseError(.tableNotFound, "PostgreSQL says: \(message) while \(action). Check the table name (VOLTLAKE_TABLE / --table).")
                case "57014":
                    return DatabaseError(.timeout, "PostgreSQL cancelled the query (statement timeout) while \(action): \(message).")
                case "57P01", "57P02", "57P03":
                    return DatabaseError(.connectionLost, "PostgreSQL at \(target) is shutting down or not accepting connections (\(message)) while \(action). Start it and run again.")
                default:
                    return DatabaseError(.query, "PostgreSQL error \(state) while \(action): \(message)")
                }
            }
            switch psql.code {
            case .sslUnsupported:
                return DatabaseError(.tls,
                    "PostgreSQL at \(target) does not support TLS, but sslmode is \(settings.tlsMode.value.rawValue) (\(settings.tlsMode.source)). Enable TLS on the server, or set PGSSLMODE=disable for a local server.")
            case .connectionError where action == "connecting":
                return connectionFailure(psql.underlying, target: target, settings: settings, action: action)
            case .connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown:
                return DatabaseError(.connectionLost, "The connection to PostgreSQL at \(target) was lost while \(action). Is the server still running? Run again when it is.")
            case .queryCancelled:
                return DatabaseError(.timeout, "The query was cancelled while \(action).")
            default:
                return DatabaseError(.query, "PostgreSQL failed while \(action) (\(psql.code)).")
            }
        }
        return connectionFailure(error, target: target, settings: settings, action: action)
    }

    private static func connectionFailure(_ underlying: (any Error)?, target: String, settings: PostgresSettings, action: String) -> DatabaseError {
        let text = underlying.map { String(describing: $0) } ?? "unknown error"
        if text.contains("NIOSSL") || text.contains("handshake") || text.contains("certificate") || text.contains("BoringSSL") {
            if settings.tlsMode.value == .verifyFull, settings.host.value.isIPAddress {
                return DatabaseError(.tls,
                    "TLS to PostgreSQL at \(target) failed: sslmode=verify-full checks the server certificate against the host name, and \(settings.host.value) is an IP address. Connect by the name the certificate was issued for (for AWS RDS: the instance endpoint, e.g. mydb.xxxx.eu-central-1.rds.amazonaws.com), or use sslmode=verify-ca.")
            }
            let why: String
            if text.contains("CERTIFICATE_VERIFY_FAILED") {
                why = "the server's certificate is not signed by a CA in \(settings.rootCertificate?.value ?? "the system trust store")"
            } else if text.contains("failedToValidateHostname") {
                why = "the server's certificate was not issued for \(settings.host.value)"
            } else {
                why = String(text.prefix(160))
            }
            return DatabaseError(.tls,
                "TLS to PostgreSQL at \(target) failed: \(why). With sslmode=verify-full the server's certificate must match the host name and be signed by the CA in PGSSLROOTCERT / sslrootcert (for AWS RDS: the RDS global bundle).")
        }
        if text.contains("timeout") || text.contains("Timeout") {
            return DatabaseError(.timeout, "PostgreSQL at \(target) did not answer in time while \(action). Check the host, port and any firewall or security group.")
        }
        let reason: String
        if text.contains("Connection refused") {
            reason = "connection refused"
        } else if text.contains("UnknownHost") || text.contains("NXDOMAIN") || text.contains("resolve") || text.contains("getaddrinfo") {
            reason = "the host name does not resolve"
        } else {
            reason = String(text.prefix(160))
        }
        return DatabaseError(.unreachable,
            "Cannot connect to PostgreSQL at \(target) (\(settings.host.source)): \(reason). Is the server running and listening there? Check POSTGRES_HOST / POSTGRES_PORT or DATABASE_URL.")
    }
}

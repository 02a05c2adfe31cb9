import Logging
import NIOCore
import NIOSSL
import PostgresNIO

/// Opens PostgreSQL connections from resolved settings, with libpq's sslmode semantics.
public struct PostgresConnector: Sendable {
    public var settings: PostgresSettings
    public var connectTimeout: TimeAmount
    public var logger: Logger

    public init(settings: PostgresSettings, connectTimeout: TimeAmount = .seconds(10), logger: Logger = Logger(label: "voltlake.postgres", factory: { _ in SwiftLogNoOpLogHandler() })) {
        self.settings = settings
        self.connectTimeout = connectTimeout
        self.logger = logger
    }

    /// Connects once, failing fast with a described error.
    ///
    /// The TCP connection is made here, with `ReadDemandGuard` first in its pipeline, and handed to
    /// postgres-nio as an established channel (which then adds TLS and the protocol handlers).
    public func connect(id: Int = 1) async throws(DatabaseError) -> PostgresConnection {
        let tls = try tls()
        do {
            let channel = try await ClientBootstrap(group: PostgresConnection.defaultEventLoopGroup)
                .connectTimeout(connectTimeout)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ReadDemandGuard())
                    }
                }
                .connect(host: settings.host.value, port: settings.port.value).get()
            var configuration = PostgresConnection.Configuration(
                establishedChannel: channel, tls: tls, username: settings.user.value,
                password: settings.password?.value, database: settings.database.value)
            configuration.options.connectTimeout = connectTimeout
            if let options = settings.options?.value, !options.isEmpty {
                configuration.options.additionalStartupParameters = [("options", options)]
            }
            // SNI and, for verify-full, the name the certificate must carry (IP addresses are not valid in SNI).
            if !settings.host.value.isIPAddress {
                configuration.options.tlsServerName = settings.host.value
            }
            do {
                return try await PostgresConnection.connect(on: channel.eventLoop, configuration: configuration, id: id, logger: logger)
            } catch {
                try? await channel.close()
                throw error
            }
        } catch {
            throw DatabaseError.from(error, settings: settings, during: "connecting")
        }
    }

    private func tls() throws(DatabaseError) -> PostgresConnection.Configuration.TLS {
        let mode = settings.tlsMode.value
        if mode == .disable { return .disable }
        var tls = TLSConfiguration.makeClientConfiguration()
        switch mode {
        case .disable:
            return .disable
        case .allow, .prefer, .require:
            tls.certificateVerification = settings.rootCertificate == nil ? .none : .noHostnameVerification
        case .verifyCA:
            tls.certificateVerification = .noHostnameVerification
        case .verifyFull:
            tls.certificateVerification = .fullVerification
        }
        if let root = settings.rootCertificate {
            do {
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(root.value))
            } catch {
                throw DatabaseError(.tls, "Cannot read the CA certificate \(root.value) (\(root.source)): \(error). Point PGSSLROOTCERT / sslrootcert at a PEM file (for AWS RDS: global-bundle.pem).")
            }
        }
        let context: NIOSSLContext
        do {
            context = try NIOSSLContext(configuration: tls)
        } catch {
            throw DatabaseError(.tls, "Cannot set up TLS for PostgreSQL: \(error).")
        }
        return mode == .allow || mode == .prefer ? .prefer(context) : .require(context)
    }
}

extension String {
    var isIPAddress: Bool {
        (try? SocketAddress(ipAddress: self, port: 0)) != nil
    }
}

/// Quotes SQL identifiers from configuration; the one place such names enter SQL.
public enum SQLIdentifier {
    /// `schema.table` or `table`, each part quoted; refuses anything but plain names.
    public static func qualifiedTable(_ name: String) throws(DatabaseError) -> String {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), parts.allSatisfy(isPlainName) else {
            throw DatabaseError(.invalidIdentifier,
                "'\(name.prefix(80))' is not a table name voltlake accepts: use letters, digits and '_' (optionally schema.table), at most 63 characters each.")
        }
        return parts.map { "\"\($0)\"" }.joined(separator: ".")
    }

    static func isPlainName(_ part: Substring) -> Bool {
        guard let first = part.unicodeScalars.first, part.utf8.count <= 63 else { return false }
        let isLetter: (Unicode.Scalar) -> Bool = { ("a"..."z").contains($0) || ("A"..."Z").contains($0) || $0 == "_" }
        return isLetter(first) && part.unicodeScalars.allSatisfy { isLetter($0) || ("0"..."9").contains($0) }
    }
}

import Foundation
import PostgresNIO
import Testing
@testable import VoltLake

/// TLS to PostgreSQL as RDS needs it, against the local server with its test CA (scripts/stack makes
/// a certificate for DNS:localhost only, and a second CA that signed nothing).
@Suite struct PostgresTLSTests {
    static var tlsFolder: String {
        let stack = ProcessInfo.processInfo.environment["VOLTLAKE_STACK_DIR"] ?? LocalStack.packageRoot.appendingPathComponent(".stack").path
        return stack + "/tls"
    }

    func settings(host: String, mode: String, rootCert: String? = nil) throws -> PostgresSettings {
        var environment = [
            "POSTGRES_HOST": host, "POSTGRES_PORT": LocalStack.postgresPort, "POSTGRES_DB": "volt",
            "POSTGRES_USER": "voltlake", "POSTGRES_PASSWORD": "voltlake-local", "PGSSLMODE": mode,
        ]
        if let rootCert { environment["PGSSLROOTCERT"] = rootCert }
        let inputs = ConfigurationInputs(environment: environment, workingDirectory: "/nonexistent", homeDirectory: "/nonexistent")
        return try ConfigurationResolver(inputs: inputs).resolve().postgres
    }

    /// Connects and asks the server whether this session is encrypted.
    func sessionUsesTLS(_ settings: PostgresSettings) async throws -> Bool {
        let connection = try await PostgresConnector(settings: settings, connectTimeout: .seconds(5)).connect()
        var ssl = false
        do {
            let rows = try await connection.query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", logger: connection.logger)
            for try await value in rows.decode(Bool.self) { ssl = value }
        } catch {
            try? await connection.close()
            throw error
        }
        try await connection.close()
        return ssl
    }

    @Test func tlsCertificatesExist() {
        #expect(FileManager.default.fileExists(atPath: Self.tlsFolder + "/ca.crt"), "\(LocalStack.downMessage)")
    }

    @Test func disableMeansPlainText() async throws {
        #expect(try await sessionUsesTLS(settings(host: "127.0.0.1", mode: "disable")) == false)
    }

    @Test(arguments: ["prefer", "require"])
    func preferAndRequireEncrypt(mode: String) async throws {
        #expect(try await sessionUsesTLS(settings(host: "127.0.0.1", mode: mode)) == true)
    }

    @Test func verifyFullAcceptsTheRightNameAndCA() async throws {
        #expect(try await sessionUsesTLS(settings(host: "localhost", mode: "verify-full", rootCert: Self.tlsFolder + "/ca.crt")) == true)
    }

    @Test func verifyCAIgnoresTheName() async throws {
        #expect(try await sessionUsesTLS(settings(host: "127.0.0.1", mode: "verify-ca", rootCert: Self.tlsFolder + "/ca.crt")) == true)
    }

    @Test func verifyFullRefusesACertificateForAnotherName() async throws {
        let settings = try settings(host: "127.0.0.1", mode: "verify-full", rootCert: Self.tlsFolder + "/ca.crt")
        await #expect {
            _ = try await sessionUsesTLS(settings)
        } throws: { error in
            guard let error = error as? DatabaseError else { return false }
            return error.kind == .tls && error.description.contains("TLS to PostgreSQL")
        }
    }

    @Test func verifyFullRefusesAnUntrustedCA() async throws {
        let settings = try settings(host: "localhost", mode: "verify-full", rootCert: Self.tlsFolder + "/other-ca.crt")
        await #expect {
            _ = try await sessionUsesTLS(settings)
        } throws: { error in
            (error as? DatabaseError)?.kind == .tls
        }
    }

    @Test func missingCAFileIsNamed() async throws {
        let settings = try settings(host: "localhost", mode: "verify-full", rootCert: "/nonexistent/rds-ca.pem")
        await #expect {
            _ = try await sessionUsesTLS(settings)
        } throws: { error in
            guard let error = error as? DatabaseError else { return false }
            return error.kind == .tls && error.description.contains("/nonexistent/rds-ca.pem")
        }
    }
}

import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import SigV4

/// An S3 client on async-http-client: signed requests (SigV4), retries with backoff, streaming
/// uploads and downloads. Sendable; share one per process and endpoint, then call `shutdown()`.
public final class S3Client: Sendable {
    /// The configuration this client was made with.
    public let configuration: S3Configuration
    let signer: SigV4Signer
    let httpClient: HTTPClient
    private let ownsHTTPClient: Bool
    let logger: Logger
    let onRequest: (@Sendable (S3RequestRecord) -> Void)?

    /// A logger that drops everything: the default, so the library is silent unless asked.
    public static let silentLogger = Logger(label: "voltlake.s3", factory: { _ in SwiftLogNoOpLogHandler() })

    /// - Parameters:
    ///   - credentials: The keys that sign every request.
    ///   - configuration: Region, endpoint, retries, part sizes, encryption.
    ///   - httpClient: A shared client to use; nil makes one this client owns (pooled keep-alive,
    ///     redirects off, no connection retries of its own) and closes in `shutdown()`. A shared client
    ///     should disallow redirects and set `connectionPool.retryConnectionEstablishment = false`, or a
    ///     refused connection waits for the whole request timeout.
    ///   - logger: Where debug records of requests go (static messages, `s3.*` metadata, no secrets).
    ///   - onRequest: Called once per HTTP attempt, e.g. for an audit log or metrics.
    public init(
        credentials: AWSCredentials,
        configuration: S3Configuration,
        httpClient: HTTPClient? = nil,
        logger: Logger = S3Client.silentLogger,
        onRequest: (@Sendable (S3RequestRecord) -> Void)? = nil
    ) {
        self.configuration = configuration
        self.signer = SigV4Signer(credentials: credentials, region: configuration.region, service: "s3")
        if let httpClient {
            self.httpClient = httpClient
            self.ownsHTTPClient = false
        } else {
            var clientConfiguration = HTTPClient.Configuration()
            clientConfiguration.redirectConfiguration = .disallow
            clientConfiguration.timeout = .init(connect: .seconds(10), read: .seconds(120))
            clientConfiguration.decompression = .disabled
            // A refused connection fails the attempt at once; this client's own retries take over.
            clientConfiguration.connectionPool.retryConnectionEstablishment = false
            self.httpClient = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: clientConfiguration)
            self.ownsHTTPClient = true
        }
        self.logger = logger
        self.onRequest = onRequest
    }

    /// Closes the HTTP client when this S3 client made it; a shared one is left to its owner.
    public func shutdown() async throws {
        if ownsHTTPClient {
            try await httpClient.shutdown()
        }
    }

    /// Runs `body` with this client, then shuts the client down whether `body` threw or not.
    public func use<T>(_ body: (S3Client) async throws -> T) async throws -> T {
        let result: T
        do {
            result = try await body(self)
        } catch {
            try? await shutdown()
            throw error
        }
        try await shutdown()
        return result
    }

    /// The access key id in use (for records and messages; the secret is never exposed).
    public var accessKeyID: String { signer.credentials.accessKeyID }

    /// A presigned GET link for an object. No request is made.
    /// - Parameters:
    ///   - expires: Seconds the link is valid, 1 … 604800 (7 days).
    ///   - date: The signing time; nil means `configuration.now()`.
    public func presignedGetURL(bucket: String, key: String, expires: Int, date: Date? = nil) throws(S3Error) -> String {
        let address = configuration.address(bucket: bucket)
        let request = SigningRequest(method: "GET", host: address.host, path: address.path(key: key))
        do {
            return try signer.presignedURL(for: request, scheme: address.scheme, expires: expires, date: date ?? configuration.now())
        } catch {
            throw S3Error(
                kind: .invalidRequest, operation: "PresignGetObject", bucket: bucket, key: key,
                endpoint: configuration.endpointDescription,
                detail: "a presigned link must expire after 1 to 604800 seconds (7 days), not \(expires)."
            )
        }
    }
}

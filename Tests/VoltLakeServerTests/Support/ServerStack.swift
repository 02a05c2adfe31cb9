import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import NIOCore
import S3
import SigV4
import StackTestSupport
import Synchronization
import Testing

/// The local stack (`scripts/stack up`) for the service tests: a per-test bucket with pictures,
/// the verifying proxy's request record, and plain GETs. Tests fail (never skip) when it is down.
enum ServerStack {
    static let endpoint = Stack.s3Endpoint
    static let region = Stack.region

    static func client(endpoint: String = ServerStack.endpoint, onRequest: (@Sendable (S3RequestRecord) -> Void)? = nil) -> S3Client {
        S3Client(
            credentials: AWSCredentials(accessKeyID: Stack.appKeyID, secretAccessKey: Stack.appSecret),
            configuration: S3Configuration(
                region: region, endpoint: URL(string: endpoint), maxAttempts: 1,
                retryBaseDelay: .milliseconds(5), maxRetryDelay: .milliseconds(20), requestTimeout: .seconds(20)),
            onRequest: onRequest)
    }

    static func makeBucket() async throws -> String {
        try await FrontDoor.makeBucket("vl-test-serve")
    }

    static func put(_ pictures: [String: [UInt8]], into bucket: String) async throws {
        try await client().use { client in
            for (key, bytes) in pictures { _ = try await client.putObject(bucket: bucket, key: key, body: bytes) }
        }
    }

    static func bucket(with pictures: [String: [UInt8]]) async throws -> String {
        let bucket = try await makeBucket()
        try await put(pictures, into: bucket)
        return bucket
    }

    static func picture(_ seed: Int, size: Int = 2500) -> [UInt8] {
        testBytes(size, seed: UInt64(seed))
    }

    static func json(_ buffer: ByteBuffer) throws -> [String: Any] {
        let text = String(buffer: buffer)
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        return try #require(object, "not a JSON object: \(text)")
    }
}

/// Counts the S3 client's requests (an observer besides the proxy's record).
final class RequestCounter: Sendable {
    private let count = Mutex(0)
    var value: Int { count.withLock { $0 } }
    func record() { count.withLock { $0 += 1 } }
}

import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import NIOCore
import S3
import StackTestSupport
import SigV4
import Testing

/// Helpers for the presign tests against the local stack: pictures in a per-test bucket, the
/// proxy's request record, and plain GETs of presigned links.
enum PresignStack {
    static func client(onRequest: (@Sendable (S3RequestRecord) -> Void)? = nil, now: @escaping @Sendable () -> Date = { Date() }) -> S3Client {
        S3Client(
            credentials: AWSCredentials(accessKeyID: LocalStack.appKeyID, secretAccessKey: LocalStack.appSecret),
            configuration: S3Configuration(
                region: LocalStack.region, endpoint: URL(string: LocalStack.s3Endpoint), maxAttempts: 2,
                retryBaseDelay: .milliseconds(5), maxRetryDelay: .milliseconds(20), now: now),
            onRequest: onRequest)
    }

    /// A fresh bucket holding `pictures` (key → bytes).
    static func bucket(with pictures: [String: [UInt8]]) async throws -> String {
        let bucket = try await LocalStack.makeBucket("vl-test-presign")
        try await client().use { client in
            for (key, bytes) in pictures {
                _ = try await client.putObject(bucket: bucket, key: key, body: bytes, contentType: "image/jpeg")
            }
        }
        return bucket
    }

    static func picture(_ seed: Int, size: Int = 3000) -> [UInt8] {
        testBytes(size, seed: UInt64(seed))
    }

    /// Parses one Volt API JSON document.
    static func document(_ text: some StringProtocol) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        return try #require(object, "not a JSON object: \(text)")
    }
}

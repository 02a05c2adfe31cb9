import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import NIOCore
import S3
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
        let client = client()
        do {
            for (key, bytes) in pictures {
                _ = try await client.putObject(bucket: bucket, key: key, body: bytes, contentType: "image/jpeg")
            }
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
        return bucket
    }

    static func picture(_ seed: Int, size: Int = 3000) -> [UInt8] {
        var state = UInt64(seed) &* 0x9E37_79B9_7F4A_7C15 | 1
        return (0..<size).map { _ in
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return UInt8(truncatingIfNeeded: state)
        }
    }

    /// The proxy's request counter now.
    static func sequence() async throws -> Int {
        let (data, _) = try await HTTP.send(URLRequest(url: URL(string: "\(LocalStack.s3Endpoint)/__voltlake/health")!))
        let document = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        let seq = document?["seq"] as? Int
        return try #require(seq, "the proxy's health answer has no seq: \(LocalStack.downMessage)")
    }

    /// Requests the proxy saw for `bucket` after `sequence` (other tests' buckets are left out).
    static func requests(bucket: String, since sequence: Int) async throws -> [[String: Any]] {
        let (data, _) = try await HTTP.send(URLRequest(url: URL(string: "\(LocalStack.s3Endpoint)/__voltlake/requests?since=\(sequence)")!))
        let records = (try JSONSerialization.jsonObject(with: data) as? [[String: Any]]) ?? []
        return records.filter { ($0["bucket"] as? String) == bucket || (($0["path"] as? String) ?? "").contains(bucket) }
    }

    /// A plain GET of a link, as a browser would do it.
    static func get(_ link: String) async throws -> (status: Int, body: [UInt8]) {
        let parsed = URL(string: link)
        let url = try #require(parsed, "not a URL: \(link)")
        let (data, response) = try await HTTP.send(URLRequest(url: url))
        return (response.statusCode, Array(data))
    }

    /// The link with one character of its signature changed.
    static func tampered(_ link: String) -> String {
        var characters = Array(link)
        let last = characters.count - 1
        characters[last] = characters[last] == "0" ? "1" : "0"
        return String(characters)
    }

    /// Parses one Volt API JSON document.
    static func document(_ text: some StringProtocol) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        return try #require(object, "not a JSON object: \(text)")
    }
}

import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import NIOCore
import S3
import SigV4
import Synchronization
import Testing

/// The local stack (`scripts/stack up`) for the service tests: a per-test bucket with pictures,
/// the verifying proxy's request record, and plain GETs. Tests fail (never skip) when it is down.
enum ServerStack {
    static let environment = ProcessInfo.processInfo.environment
    static let endpoint = environment["VOLTLAKE_TEST_S3_ENDPOINT"] ?? "http://127.0.0.1:19000"
    static let region = "eu-central-1"
    static let appKeyID = "VOLTLAKEAPPKEY0000001"
    static let appSecret = "voltlake-local-app-secret/NOT+A+REAL+KEY"
    static let downMessage = "the local stack is not running: start it with `scripts/stack up` (scripts/test does this)"

    static func client(endpoint: String = ServerStack.endpoint, onRequest: (@Sendable (S3RequestRecord) -> Void)? = nil) -> S3Client {
        S3Client(
            credentials: AWSCredentials(accessKeyID: appKeyID, secretAccessKey: appSecret),
            configuration: S3Configuration(
                region: region, endpoint: URL(string: endpoint), maxAttempts: 1,
                retryBaseDelay: .milliseconds(5), maxRetryDelay: .milliseconds(20), requestTimeout: .seconds(20)),
            onRequest: onRequest)
    }

    static func makeBucket() async throws -> String {
        let name = "vl-test-serve-\(UUID().uuidString.lowercased().prefix(12))"
        var request = URLRequest(url: URL(string: "\(endpoint)/__voltlake/buckets/\(name)?region=\(region)")!)
        request.httpMethod = "POST"
        let (_, response) = try await send(request)
        try #require((200..<300).contains(response.statusCode), "creating bucket \(name) failed: \(downMessage)")
        return name
    }

    static func put(_ pictures: [String: [UInt8]], into bucket: String) async throws {
        let client = client()
        do {
            for (key, bytes) in pictures { _ = try await client.putObject(bucket: bucket, key: key, body: bytes) }
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }

    static func bucket(with pictures: [String: [UInt8]]) async throws -> String {
        let bucket = try await makeBucket()
        try await put(pictures, into: bucket)
        return bucket
    }

    static func picture(_ seed: Int, size: Int = 2500) -> [UInt8] {
        var state = UInt64(seed) &* 0x9E37_79B9_7F4A_7C15 | 1
        return (0..<size).map { _ in
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return UInt8(truncatingIfNeeded: state)
        }
    }

    static func sequence() async throws -> Int {
        let (data, _) = try await send(URLRequest(url: URL(string: "\(endpoint)/__voltlake/health")!))
        let document = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        return try #require(document?["seq"] as? Int, "\(downMessage)")
    }

    static func requests(bucket: String, since sequence: Int) async throws -> [[String: Any]] {
        let (data, _) = try await send(URLRequest(url: URL(string: "\(endpoint)/__voltlake/requests?since=\(sequence)")!))
        let records = (try JSONSerialization.jsonObject(with: data) as? [[String: Any]]) ?? []
        return records.filter { ($0["bucket"] as? String) == bucket || (($0["path"] as? String) ?? "").contains(bucket) }
    }

    static func get(_ link: String) async throws -> (status: Int, body: [UInt8]) {
        let parsed = URL(string: link)
        let url = try #require(parsed, "not a URL: \(link)")
        let (data, response) = try await send(URLRequest(url: url))
        return (response.statusCode, Array(data))
    }

    static func tampered(_ link: String) -> String {
        var characters = Array(link)
        let last = characters.count - 1
        characters[last] = characters[last] == "0" ? "1" : "0"
        return String(characters)
    }

    static func json(_ buffer: ByteBuffer) throws -> [String: Any] {
        let text = String(buffer: buffer)
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        return try #require(object, "not a JSON object: \(text)")
    }

    static func send(_ request: URLRequest) async throws -> (Data, HTTPURLResponse) {
        try await withCheckedThrowingContinuation { continuation in
            URLSession.shared.dataTask(with: request) { data, response, error in
                if let error { continuation.resume(throwing: error); return }
                guard let response = response as? HTTPURLResponse else {
                    continuation.resume(throwing: URLError(.badServerResponse)); return
                }
                continuation.resume(returning: (data ?? Data(), response))
            }.resume()
        }
    }
}

/// Counts the S3 client's requests (an observer besides the proxy's record).
final class RequestCounter: Sendable {
    private let count = Mutex(0)
    var value: Int { count.withLock { $0 } }
    func record() { count.withLock { $0 += 1 } }
}

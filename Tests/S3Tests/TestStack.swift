import Foundation
import Synchronization
import S3
import SigV4
import Testing

/// The local verifying stack (`scripts/stack up`): SigV4-checking proxy in front of moto.
/// Tests that need it fail, with this message, when it is not running.
enum TestStack {
    static let endpoint: String = {
        var value = ProcessInfo.processInfo.environment["VOLTLAKE_TEST_S3_ENDPOINT"] ?? "http://127.0.0.1:19000"
        while value.hasSuffix("/") { value.removeLast() }
        return value
    }()

    struct Unavailable: Error, CustomStringConvertible {
        var description: String
    }

    /// Keys from stack/credentials.json, by name ("admin", "app", "tutorial-policy", …).
    static func credentials(_ name: String) throws -> AWSCredentials {
        let path = ProcessInfo.processInfo.environment["VOLTLAKE_TEST_CREDENTIALS"] ?? repositoryRoot + "/stack/credentials.json"
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let document = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        let keys = document?["keys"] as? [[String: Any]] ?? []
        guard let key = keys.first(where: { $0["name"] as? String == name }),
              let id = key["accessKeyId"] as? String, let secret = key["secretAccessKey"] as? String
        else { throw Unavailable(description: "no key named \(name) in \(path)") }
        return AWSCredentials(accessKeyID: id, secretAccessKey: secret, sessionToken: key["sessionToken"] as? String)
    }

    /// The repository root, found from this file (symlinks resolved).
    static var repositoryRoot: String {
        URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }

    static func control(_ method: String, _ path: String, json: String? = nil) throws -> PlainHTTP.Response {
        do {
            return try PlainHTTP.request(
                method, endpoint + "/__voltlake/" + path, body: Array((json ?? "").utf8),
                headers: json == nil ? [:] : ["Content-Type": "application/json"]
            )
        } catch {
            throw Unavailable(description: """
                The local S3 stack is not reachable at \(endpoint) (\(error)). Start it with `scripts/stack up` \
                (or point VOLTLAKE_TEST_S3_ENDPOINT at a running one).
                """)
        }
    }

    /// A fresh bucket `vl-test-<random>` for one test.
    static func makeBucket(region: String = "eu-central-1") throws -> String {
        let name = "vl-test-" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(20)
        let response = try control("POST", "buckets/\(name)?region=\(region)")
        guard response.status == 200 else {
            throw Unavailable(description: "creating bucket \(name) failed: HTTP \(response.status) \(response.text)")
        }
        return name
    }

    /// Makes the next matching requests fail; see stack/verifier.py.
    static func injectFault(_ json: String) throws {
        let response = try control("POST", "faults", json: json)
        guard response.status == 200 else { throw Unavailable(description: "fault not accepted: \(response.text)") }
    }

    /// Open multipart uploads in a bucket, as moto sees them.
    static func openUploads(bucket: String) throws -> [[String: Any]] {
        let response = try control("GET", "multipart-uploads/\(bucket)")
        return (try JSONSerialization.jsonObject(with: Data(response.body)) as? [[String: Any]]) ?? []
    }

    /// The proxy's request counter now.
    static func sequence() throws -> Int {
        let response = try control("GET", "health")
        let document = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
        return document?["seq"] as? Int ?? 0
    }

    /// What the proxy saw since `sequence`.
    static func requests(since sequence: Int) throws -> [[String: Any]] {
        let response = try control("GET", "requests?since=\(sequence)")
        return (try JSONSerialization.jsonObject(with: Data(response.body)) as? [[String: Any]]) ?? []
    }

    static func configuration(
        partSize: Int = 5 * 1024 * 1024, multipartThreshold: Int = 5 * 1024 * 1024, concurrency: Int = 3,
        now: @escaping @Sendable () -> Date = { Date() }
    ) -> S3Configuration {
        S3Configuration(
            region: "eu-central-1", endpoint: URL(string: endpoint), maxAttempts: 3,
            retryBaseDelay: .milliseconds(5), maxRetryDelay: .milliseconds(50), partSize: partSize,
            multipartThreshold: multipartThreshold, uploadConcurrency: concurrency, requestTimeout: .seconds(120), now: now
        )
    }

    /// A client for the stack with the named key; `body` runs, then the client is shut down.
    static func withClient<T>(
        key: String = "app", configuration: S3Configuration = TestStack.configuration(),
        credentials: AWSCredentials? = nil,
        onRequest: (@Sendable (S3RequestRecord) -> Void)? = nil,
        _ body: (S3Client) async throws -> T
    ) async throws -> T {
        let client = S3Client(
            credentials: try credentials ?? Self.credentials(key), configuration: configuration, onRequest: onRequest
        )
        return try await client.use(body)
    }

    /// Deterministic pseudo-random bytes.
    static func bytes(count: Int, seed: UInt64) -> [UInt8] {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        var out = [UInt8](repeating: 0, count: count)
        var index = 0
        while index < count {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            var word = state
            for _ in 0..<8 where index < count {
                out[index] = UInt8(truncatingIfNeeded: word)
                word >>= 8
                index += 1
            }
        }
        return out
    }

    /// `sha256sum` of a file: an independent check of the client's digest.
    static func sha256sum(_ path: String) throws -> String {
        try digest("sha256sum", path)
    }

    /// `md5sum` of a file.
    static func md5sum(_ path: String) throws -> String {
        try digest("md5sum", path)
    }

    private static func digest(_ tool: String, _ path: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool, path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: output, as: UTF8.self).split(separator: " ").first.map(String.init) ?? ""
    }

    static func temporaryFile(bytes: [UInt8]) throws -> String {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("voltlake-s3-test-\(UUID().uuidString)").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }
}

/// Collects `onRequest` records across tasks.
final class RecordLog: Sendable {
    private let storage = Mutex<[S3RequestRecord]>([])
    var records: [S3RequestRecord] { storage.withLock { $0 } }
    func append(_ record: S3RequestRecord) { storage.withLock { $0.append(record) } }
}

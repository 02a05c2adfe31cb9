import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The local stack started by `scripts/stack up` (PostgreSQL, moto, the verifying front door), as the
/// VoltLake and server tests reach it. Tests that need it fail with `downMessage` when it is down; they never skip.
public enum Stack {
    public static let environment = ProcessInfo.processInfo.environment
    public static let s3Endpoint = environment["VOLTLAKE_TEST_S3_ENDPOINT"] ?? "http://127.0.0.1:19000"
    public static let postgresHost = "127.0.0.1"
    public static let postgresPort = environment["VOLTLAKE_TEST_PG_PORT"] ?? "15432"
    public static let region = "eu-central-1"
    public static let appKeyID = "VOLTLAKEAPPKEY0000001"
    public static let appSecret = "voltlake-local-app-secret/NOT+A+REAL+KEY"
    public static let downMessage = "the local stack is not running: start it with `scripts/stack up` (scripts/test does this)"

    /// The repository root, found from this file.
    public static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }
}

/// A failure of the stack's control plane, with what to do about it.
public struct StackError: Error, CustomStringConvertible {
    public var description: String
}

/// Minimal blocking-free HTTP for tests, without depending on URLSession's async API availability.
public enum HTTP {
    public static func send(_ request: URLRequest) async throws -> (Data, HTTPURLResponse) {
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

    /// A GET of a (presigned) link: status and body.
    public static func get(_ link: String) async throws -> (status: Int, body: [UInt8]) {
        guard let url = URL(string: link) else { throw StackError(description: "not a URL: \(link)") }
        let (data, response) = try await send(URLRequest(url: url))
        return (response.statusCode, Array(data))
    }
}

/// The verifying front door's control endpoints (`/__voltlake/…`, see stack/verifier.py).
public enum FrontDoor {
    /// Calls a control endpoint; a non-2xx answer is an error naming the stack.
    public static func control(_ method: String, _ path: String, json: Data? = nil) async throws -> Data {
        guard let url = URL(string: "\(Stack.s3Endpoint)/__voltlake/\(path)") else { throw StackError(description: "bad control path \(path)") }
        var request = URLRequest(url: url)
        request.httpMethod = method
        if let json {
            request.httpBody = json
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await HTTP.send(request)
        guard (200..<300).contains(response.statusCode) else {
            throw StackError(description: "\(method) /__voltlake/\(path): HTTP \(response.statusCode) \(String(decoding: data, as: UTF8.self)) (\(Stack.downMessage))")
        }
        return data
    }

    /// A fresh bucket `<prefix>-<random>` (the app key's policy covers `vl-*`).
    public static func makeBucket(_ prefix: String = "vl-test") async throws -> String {
        let name = "\(prefix)-\(UUID().uuidString.lowercased().prefix(12))"
        _ = try await control("POST", "buckets/\(name)?region=\(Stack.region)")
        return name
    }

    /// The front door's request counter now; read `requests(since:)` later for what came after.
    public static func sequence() async throws -> Int {
        let document = try JSONSerialization.jsonObject(with: try await control("GET", "health")) as? [String: Any]
        guard let seq = document?["seq"] as? Int else { throw StackError(description: "the front door's health answer has no seq: \(Stack.downMessage)") }
        return seq
    }

    /// Every request recorded after `sequence`, as the front door describes them (operation, status, bucket, key, …).
    public static func requests(since sequence: Int) async throws -> [[String: Any]] {
        (try JSONSerialization.jsonObject(with: try await control("GET", "requests?since=\(sequence)")) as? [[String: Any]]) ?? []
    }

    /// The requests for `bucket` (by its name or in the path) after `sequence`; other tests' buckets are left out.
    public static func requests(bucket: String, since sequence: Int) async throws -> [[String: Any]] {
        try await requests(since: sequence)
            .filter { ($0["bucket"] as? String) == bucket || (($0["path"] as? String) ?? "").contains(bucket) }
    }

    /// Makes the next matching requests fail (or drop, or answer late); always scope a fault to the test's own bucket.
    public static func injectFault(_ fault: [String: Any]) async throws {
        _ = try await control("POST", "faults", json: try JSONSerialization.data(withJSONObject: fault))
    }

    /// Open multipart uploads in a bucket, as moto sees them.
    public static func openMultipartUploads(_ bucket: String) async throws -> [[String: Any]] {
        (try JSONSerialization.jsonObject(with: try await control("GET", "multipart-uploads/\(bucket)")) as? [[String: Any]]) ?? []
    }
}

/// Deterministic pseudo-random bytes (xorshift), the same for the same seed in every test target.
public func testBytes(_ count: Int, seed: UInt64) -> [UInt8] {
    var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
    return (0..<count).map { _ in
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return UInt8(truncatingIfNeeded: state)
    }
}

/// A link with its last character changed: its signature no longer matches.
public func tamperedLink(_ link: String) -> String {
    var characters = Array(link)
    let last = characters.count - 1
    characters[last] = characters[last] == "0" ? "1" : "0"
    return String(characters)
}

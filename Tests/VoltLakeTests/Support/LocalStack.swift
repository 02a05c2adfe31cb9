import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// The local stack started by `scripts/stack up` (PostgreSQL, moto, the verifying front door).
/// Tests that need it fail with this message when it is down; they never skip.
enum LocalStack {
    static let environment = ProcessInfo.processInfo.environment
    static let s3Endpoint = environment["VOLTLAKE_TEST_S3_ENDPOINT"] ?? "http://127.0.0.1:19000"
    static let postgresHost = "127.0.0.1"
    static let postgresPort = environment["VOLTLAKE_TEST_PG_PORT"] ?? "15432"
    static let region = "eu-central-1"
    static let appKeyID = "VOLTLAKEAPPKEY0000001"
    static let appSecret = "voltlake-local-app-secret/NOT+A+REAL+KEY"
    static let downMessage = "the local stack is not running: start it with `scripts/stack up` (scripts/test does this)"

    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
    }

    /// Variables that point voltlake at the stack with the least-privilege app key.
    static func voltlakeEnvironment(bucket: String = "volt-data-lake", pictures: String) -> [String: String] {
        [
            "AWS_ENDPOINT_URL": s3Endpoint,
            "AWS_ACCESS_KEY_ID": appKeyID,
            "AWS_SECRET_ACCESS_KEY": appSecret,
            "AWS_REGION": region,
            "S3_BUCKET_NAME": bucket,
            "POSTGRES_HOST": postgresHost,
            "POSTGRES_PORT": postgresPort,
            "POSTGRES_DB": "volt",
            "POSTGRES_USER": "voltlake",
            "POSTGRES_PASSWORD": "voltlake-local",
            "PGSSLMODE": "disable",
            "VOLT_IMAGES_DIR": pictures,
        ]
    }

    /// Creates a bucket through the front door's control endpoint and returns its name.
    static func makeBucket(_ prefix: String = "vl-test") async throws -> String {
        let name = "\(prefix)-\(UUID().uuidString.lowercased().prefix(12))"
        var request = URLRequest(url: URL(string: "\(s3Endpoint)/__voltlake/buckets/\(name)?region=\(region)")!)
        request.httpMethod = "POST"
        let (_, response) = try await HTTP.send(request)
        try #require((200..<300).contains(response.statusCode), "creating bucket \(name) failed: \(downMessage)")
        return name
    }
}

/// Minimal blocking-free HTTP for tests, without depending on URLSession's async API availability.
enum HTTP {
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

import Foundation
import NIOCore
import NIOHTTP1
import SigV4

extension S3Client {
    /// The bucket's region: an empty `LocationConstraint` means us-east-1, `EU` means eu-west-1.
    public func getBucketLocation(bucket: String) async throws -> String {
        let request = S3Request(
            operation: "GetBucketLocation", method: .GET, bucket: bucket, query: [QueryItem("location", "")]
        )
        let response = try await execute(request)
        guard let document = XMLNode.parse(response.bodyBytes), document.name == "LocationConstraint" else {
            throw S3Error(
                kind: .invalidResponse, operation: "GetBucketLocation", bucket: bucket, status: response.status,
                endpoint: configuration.endpointDescription, detail: "no LocationConstraint document"
            )
        }
        return Self.region(fromLocationConstraint: document.text)
    }

    static func region(fromLocationConstraint constraint: String) -> String {
        switch constraint.trimmingCharacters(in: .whitespacesAndNewlines) {
        case "": return "us-east-1"
        case "EU": return "eu-west-1"
        case let region: return region
        }
    }

    /// Checks that the bucket exists and these credentials may list it; returns its region when S3 says.
    @discardableResult
    public func headBucket(bucket: String) async throws -> String? {
        let request = S3Request(operation: "HeadBucket", method: .HEAD, bucket: bucket)
        let response = try await execute(request)
        return response.headers.first(name: "x-amz-bucket-region")
    }
}

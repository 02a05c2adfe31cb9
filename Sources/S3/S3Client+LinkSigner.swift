import Foundation
import SigV4

/// Presigns GET links for one bucket with the address resolved once: for services that sign on
/// every request, where `S3Client.presignedGetURL` would re-read the endpoint each time.
public struct S3LinkSigner: Sendable {
    /// The bucket the links point into.
    public let bucket: String
    private let signer: SigV4Signer
    private let address: S3Address
    private let endpointDescription: String

    init(client: S3Client, bucket: String) {
        self.bucket = bucket
        self.signer = client.signer
        self.address = client.configuration.address(bucket: bucket)
        self.endpointDescription = client.configuration.endpointDescription
    }

    /// A presigned GET link for `key`, valid `expires` seconds (1 … 604800) from `date`. No request is made.
    public func presignedGetURL(key: String, expires: Int, date: Date) throws(S3Error) -> String {
        let request = SigningRequest(method: "GET", host: address.host, path: address.path(key: key))
        do {
            return try signer.presignedURL(for: request, scheme: address.scheme, expires: expires, date: date)
        } catch {
            throw S3Error(
                kind: .invalidRequest, operation: "PresignGetObject", bucket: bucket, key: key,
                endpoint: endpointDescription,
                detail: "a presigned link must expire after 1 to 604800 seconds (7 days), not \(expires)."
            )
        }
    }
}

extension S3Client {
    /// A link signer bound to `bucket` (same credentials and endpoint as this client).
    public func linkSigner(bucket: String) -> S3LinkSigner {
        S3LinkSigner(client: self, bucket: bucket)
    }
}

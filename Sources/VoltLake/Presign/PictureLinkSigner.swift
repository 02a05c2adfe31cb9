import Foundation
import S3

/// A presigned picture link and when it stops working.
public struct PictureLink: Sendable, Hashable {
    public let componentID: String
    public let url: String
    /// Seconds since 1970 (UTC) when the link expires.
    public let expiresAtEpochSecond: Int64
    public let expiresInHours: Int
}

/// Signs picture links for one bucket. No request to S3: signing is local, the signing key cached per day.
public struct PictureLinkSigner: Sendable {
    private let signer: S3LinkSigner

    public init(client: S3Client, bucket: String) {
        self.signer = client.linkSigner(bucket: bucket)
    }

    public var bucket: String { signer.bucket }

    /// A link to `key` for `componentID`, valid `expiry` from `date` (rounded down to the second, as the signature is).
    public func link(componentID: String, key: String, expiry: LinkExpiry, date: Date) throws(PresignError) -> PictureLink {
        let url: String
        do {
            url = try signer.presignedGetURL(key: key, expires: expiry.seconds, date: date)
        } catch {
            throw .storage(error)
        }
        let second = Int64(date.timeIntervalSince1970.rounded(.down))
        return PictureLink(
            componentID: componentID, url: url, expiresAtEpochSecond: second + Int64(expiry.seconds),
            expiresInHours: expiry.hours)
    }
}

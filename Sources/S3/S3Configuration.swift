import Foundation

/// How objects are encrypted at rest: sent as `x-amz-server-side-encryption` on PutObject and
/// CreateMultipartUpload.
public enum ServerSideEncryption: Sendable, Hashable {
    /// No header: the bucket's default encryption applies.
    case none
    /// SSE-S3 (`AES256`).
    case aes256
    /// SSE-KMS (`aws:kms`); `keyID` nil means the account's default `aws/s3` key.
    case kms(keyID: String?)
}

/// Everything the S3 client needs to know besides credentials. Resolved once, at the edge.
public struct S3Configuration: Sendable {
    /// The region requests are signed for, e.g. "eu-central-1".
    public var region: String
    /// A custom endpoint such as `http://127.0.0.1:19000`; nil means AWS (`https://s3.<region>.amazonaws.com`).
    public var endpoint: URL?
    /// Path-style (`host/bucket/key`) or virtual-hosted (`bucket.host/key`) addressing;
    /// nil decides automatically: path style when `endpoint` is set or the bucket name is not DNS-safe.
    public var usePathStyle: Bool?
    /// Attempts per request, the first included (AWS SDK standard mode: 3).
    public var maxAttempts: Int
    /// The first backoff step; attempt n waits a random time in 0 ..< min(maxRetryDelay, base × 2ⁿ⁻¹) (full jitter).
    public var retryBaseDelay: Duration
    /// The upper bound of one backoff wait.
    public var maxRetryDelay: Duration
    /// Size of each multipart part (S3's minimum is 5 MiB); grown when a file would need more than 10,000 parts.
    public var partSize: Int
    /// Objects larger than this are uploaded in parts.
    public var multipartThreshold: Int
    /// How many parts of one upload are in flight at once.
    public var uploadConcurrency: Int
    /// Encryption asked for on every upload.
    public var serverSideEncryption: ServerSideEncryption
    /// Deadline of one HTTP attempt up to the answer's head (the request body included); reading the
    /// answer's body is bounded by the HTTP client's read timeout (120 s idle for the client's own).
    public var requestTimeout: Duration
    /// The clock used for signing; tests fix it.
    public var now: @Sendable () -> Date

    public init(
        region: String,
        endpoint: URL? = nil,
        usePathStyle: Bool? = nil,
        maxAttempts: Int = 3,
        retryBaseDelay: Duration = .milliseconds(200),
        maxRetryDelay: Duration = .seconds(20),
        partSize: Int = 8 * 1024 * 1024,
        multipartThreshold: Int = 8 * 1024 * 1024,
        uploadConcurrency: Int = 4,
        serverSideEncryption: ServerSideEncryption = .aes256,
        requestTimeout: Duration = .seconds(300),
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.region = region
        self.endpoint = endpoint
        self.usePathStyle = usePathStyle
        self.maxAttempts = maxAttempts
        self.retryBaseDelay = retryBaseDelay
        self.maxRetryDelay = maxRetryDelay
        self.partSize = partSize
        self.multipartThreshold = multipartThreshold
        self.uploadConcurrency = uploadConcurrency
        self.serverSideEncryption = serverSideEncryption
        self.requestTimeout = requestTimeout
        self.now = now
    }
}

extension S3Configuration {
    /// S3's limits on multipart uploads.
    static let minimumPartSize = 5 * 1024 * 1024
    static let maximumPartSize = 5 * 1024 * 1024 * 1024
    static let maximumPartCount = 10_000
}

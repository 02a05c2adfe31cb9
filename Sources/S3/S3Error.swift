/// The one error type of the S3 layer. Its `description` says what went wrong and what to do about it;
/// it never contains a secret, a signature or a presigned URL.
public struct S3Error: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is.
    public enum Kind: Sendable, Hashable {
        /// S3 answered with an error status (see `status`, `code`, `message`).
        case service
        /// No connection could be made (refused, unknown host, TLS failure).
        case connectionFailed
        /// The connection was lost before the answer was complete.
        case connectionLost
        /// The request did not complete within its deadline.
        case timeout
        /// S3 answered something this client could not read.
        case invalidResponse
        /// The response body was larger than the limit the caller set.
        case responseTooLarge(limit: Int)
        /// The request was refused before sending (bad metadata name, file not readable, too many parts, …).
        case invalidRequest
        /// The task was cancelled (reported this way only when cleaning up after it failed too).
        case cancelled
        /// The local file changed during the upload (no longer the caller's hash, or shorter than planned);
        /// S3 stored nothing for the request.
        case sourceChanged
    }

    /// A multipart upload that could not be aborted after a failure: its parts remain (and are billed).
    public struct AbortFailure: Sendable, Hashable {
        public var uploadID: String
        public var status: Int?
        public var code: String?
        public var message: String?
    }

    public var kind: Kind
    /// The S3 API operation, e.g. "PutObject".
    public var operation: String
    public var bucket: String?
    public var key: String?
    /// The HTTP status, when S3 answered.
    public var status: Int?
    /// S3's error `Code`, e.g. "AccessDenied"; for bodiless answers (HEAD) one derived from the status.
    public var code: String?
    /// S3's error `Message`.
    public var message: String?
    /// S3's `x-amz-request-id` / `RequestId`, for AWS support.
    public var requestID: String?
    /// The bucket's real region, from `x-amz-bucket-region` or the error's `Region`: retry there.
    public var bucketRegion: String?
    /// The endpoint the request went to ("http://127.0.0.1:19000"), without path or query.
    public var endpoint: String
    /// Extra detail for transport and local failures (the underlying error's text).
    public var detail: String?
    /// Set when a failed multipart upload could not be cleaned up.
    public var abortFailure: AbortFailure?

    public init(
        kind: Kind, operation: String, bucket: String? = nil, key: String? = nil, status: Int? = nil,
        code: String? = nil, message: String? = nil, requestID: String? = nil, bucketRegion: String? = nil,
        endpoint: String, detail: String? = nil, abortFailure: AbortFailure? = nil
    ) {
        self.kind = kind
        self.operation = operation
        self.bucket = bucket
        self.key = key
        self.status = status
        self.code = code
        self.message = message
        self.requestID = requestID
        self.bucketRegion = bucketRegion
        self.endpoint = endpoint
        self.detail = detail
        self.abortFailure = abortFailure
    }

    /// True for failures worth another attempt: 5xx, throttling, timeouts, lost connections.
    public var isRetryable: Bool {
        switch kind {
        case .connectionFailed, .connectionLost, .timeout:
            return true
        case .service:
            if let code, Self.retryableCodes.contains(code) { return true }
            return [500, 502, 503, 504].contains(status ?? 0)
        case .invalidResponse, .responseTooLarge, .invalidRequest, .cancelled, .sourceChanged:
            return false
        }
    }

    static let retryableCodes: Set<String> = [
        "SlowDown", "RequestTimeout", "InternalError", "ServiceUnavailable", "Throttling", "ThrottlingException",
        "TooManyRequests",
    ]

    /// The IAM action the operation needs, for AccessDenied messages.
    public var requiredIAMAction: String? {
        switch operation {
        case "GetObject", "HeadObject": return "s3:GetObject"
        case "PutObject", "CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload": return "s3:PutObject"
        case "DeleteObject", "DeleteObjects": return "s3:DeleteObject"
        case "ListObjectsV2", "HeadBucket": return "s3:ListBucket"
        case "GetBucketLocation": return "s3:GetBucketLocation"
        case "AbortMultipartUpload": return "s3:AbortMultipartUpload"
        case "ListMultipartUploads": return "s3:ListBucketMultipartUploads"
        case "ListParts": return "s3:ListMultipartUploadParts"
        default: return nil
        }
    }

    private var target: String {
        switch (bucket, key) {
        case let (bucket?, key?): return "s3://\(bucket)/\(key)"
        case let (bucket?, nil): return "s3://\(bucket)"
        default: return endpoint
        }
    }

    public var description: String {
        var text = "\(operation) \(target) failed: \(summary)"
        if let requestID { text += " (request id \(requestID))" }
        if let abortFailure { text += " " + Self.describe(abortFailure, bucket: bucket, key: key) }
        return text
    }

    private var summary: String {
        switch kind {
        case .connectionFailed:
            return "could not connect to \(endpoint)" + (detail.map { " (\($0))" } ?? "")
                + ". Check that the endpoint is right and the server is running."
        case .connectionLost:
            return "the connection to \(endpoint) was lost" + (detail.map { " (\($0))" } ?? "") + "."
        case .timeout:
            return "no complete answer from \(endpoint) in time" + (detail.map { " (\($0))" } ?? "")
                + ". The network or the server is slow; try again, or allow more time per attempt (VOLTLAKE_S3_TIMEOUT, in seconds)."
        case .invalidResponse:
            return "the answer from \(endpoint) could not be read" + (detail.map { ": \($0)" } ?? "") + "."
        case .responseTooLarge(let limit):
            return "the object is larger than the \(limit)-byte limit of this read; stream it instead."
        case .invalidRequest:
            return detail ?? "the request is not valid."
        case .cancelled:
            return "the upload was cancelled."
        case .sourceChanged:
            return "the file changed after it was hashed" + (detail.map { " (\($0))" } ?? "") + "; S3 stored nothing for this request."
        case .service:
            return serviceSummary
        }
    }

    private var serviceSummary: String {
        let statusText = status.map { "HTTP \($0)" } ?? "HTTP error"
        let codeText = code.map { "\(statusText) \($0)" } ?? statusText
        switch code {
        case "AccessDenied":
            let action = requiredIAMAction.map { "; the credentials need the IAM permission \($0) on this bucket" } ?? ""
            return "\(codeText): access denied\(action)."
        case "NoSuchBucket":
            return "\(codeText): the bucket \(bucket ?? "") does not exist (check its name and the account)."
        case "NoSuchKey", "NotFound":
            return "\(codeText): no object with this key."
        case "NoSuchUpload":
            return "\(codeText): the multipart upload no longer exists (it was completed or aborted)."
        case "SignatureDoesNotMatch":
            return "\(codeText): the secret access key does not match the key id, so S3 rejected the signature. "
                + "Check the secret (no extra spaces or quotes), and that the endpoint does not rewrite requests."
        case "InvalidAccessKeyId":
            return "\(codeText): the access key id is not known to S3 (a typo, a deleted key, or a key of another partition)."
        case "ExpiredToken", "TokenRefreshRequired":
            return "\(codeText): the session token has expired; get fresh temporary credentials."
        case "InvalidToken":
            return "\(codeText): the session token is malformed or not valid here."
        case "RequestTimeTooSkewed":
            return "\(codeText): this machine's clock differs from S3's by more than 15 minutes; "
                + "check the clock (NTP) and the time zone."
        case "SlowDown", "Throttling", "TooManyRequests":
            return "\(codeText): S3 asked to slow down; still throttled after retrying. Lower the concurrency."
        case "PermanentRedirect", "AuthorizationHeaderMalformed", "IllegalLocationConstraintException", "301":
            if let bucketRegion {
                return "\(codeText): the bucket is in region \(bucketRegion); use that region."
            }
            return "\(codeText): the bucket is in another region than the one configured."
        case "InvalidBucketName":
            return "\(codeText): the bucket name is not valid."
        case "EntityTooSmall":
            return "\(codeText): a multipart part is below S3's 5 MiB minimum."
        case "BadDigest", "InvalidDigest", "XAmzContentSHA256Mismatch":
            return "\(codeText): the body did not match its checksum; it was changed or damaged on the way."
        case "InternalError", "ServiceUnavailable":
            return "\(codeText): S3 had an internal error; still failing after retrying."
        default:
            if let bucketRegion, status == 301 || status == 400 {
                return "\(codeText): the bucket is in region \(bucketRegion); use that region."
            }
            if let message, !message.isEmpty { return "\(codeText): \(message)" }
            return "\(codeText)."
        }
    }

    private static func describe(_ failure: AbortFailure, bucket: String?, key: String?) -> String {
        var text = "The multipart upload \(failure.uploadID) could not be aborted"
        if let code = failure.code { text += " (\(failure.status.map { "HTTP \($0) " } ?? "")\(code))" }
        else if let message = failure.message { text += " (\(message))" }
        text += ", so its parts remain stored and billed."
        if failure.code == "AccessDenied" {
            text += " The credentials need the IAM permission s3:AbortMultipartUpload."
        }
        text += " Abort it with `aws s3api abort-multipart-upload --bucket \(bucket ?? "BUCKET") --key '\(key ?? "KEY")'"
            + " --upload-id \(failure.uploadID)`, and add a lifecycle rule AbortIncompleteMultipartUpload to the bucket."
        return text
    }
}

/// One HTTP attempt, as seen by the client: for audit logs and metrics. Holds no secret.
public struct S3RequestRecord: Sendable {
    /// The S3 API name: "PutObject", "GetObject", "UploadPart", …
    public var operation: String
    public var method: String
    public var bucket: String?
    public var key: String?
    /// 1 for the first attempt, 2 for the first retry, …
    public var attempt: Int
    /// The HTTP status, nil when no answer came (connection failure, timeout).
    public var status: Int?
    /// S3's error code for failed attempts.
    public var errorCode: String?
    /// `x-amz-request-id` of the answer.
    public var requestID: String?
    /// Request body bytes.
    public var bytesSent: Int64
    /// Response body bytes read (for a streamed GetObject: its Content-Length).
    public var bytesReceived: Int64
    /// From sending the request to the end of the answer (for a streamed GetObject: to its head).
    public var duration: Duration
    /// The access key id that signed the request (never the secret).
    public var accessKeyID: String
}

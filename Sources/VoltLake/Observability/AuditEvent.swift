import Foundation
import S3

/// One line of the audit log: an S3 request attempt or a presigned link issued. Holds no secret:
/// the access key id, never the secret key; a link's host and key, never its signature.
public struct AuditEvent: Sendable, Codable, Hashable {
    public var time: String
    public var operation: String
    public var bucket: String?
    public var key: String?
    public var bytes: Int64?
    public var status: Int?
    public var errorCode: String?
    public var requestID: String?
    public var durationMs: Double?
    public var attempt: Int?
    public var accessKeyID: String
    /// The caller of the HTTP service, for links it issued.
    public var clientAddress: String?
    /// For a presigned link: its expiry (ISO 8601) and the link with the signature removed.
    public var expiresAt: String?
    public var link: String?

    public init(record: S3RequestRecord, at date: Date) {
        time = AuditEvent.timestamp(date)
        operation = record.operation
        bucket = record.bucket
        key = record.key
        bytes = record.bytesSent + record.bytesReceived
        status = record.status
        errorCode = record.errorCode
        requestID = record.requestID
        let components = record.duration.components
        durationMs = ((Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15) * 1000).rounded() / 1000
        attempt = record.attempt
        accessKeyID = record.accessKeyID
    }

    /// A presigned GET link issued (no request is made to S3 for it).
    public init(presignedLink url: String?, bucket: String, key: String, expiresAt: Date, accessKeyID: String, clientAddress: String?, at date: Date) {
        time = AuditEvent.timestamp(date)
        operation = "PresignGetObject"
        self.bucket = bucket
        self.key = key
        self.accessKeyID = accessKeyID
        self.clientAddress = clientAddress
        self.expiresAt = AuditEvent.timestamp(expiresAt, fractional: false)
        link = url.map(AuditEvent.withoutSignature)
    }

    /// The link with `X-Amz-Signature` (and any security token) replaced, safe to log.
    public static func withoutSignature(_ url: String) -> String {
        guard let question = url.firstIndex(of: "?") else { return url }
        let base = url[..<question]
        let query = url[url.index(after: question)...].split(separator: "&").map { pair -> String in
            let name = pair.split(separator: "=", maxSplits: 1).first.map(String.init) ?? ""
            switch name {
            case "X-Amz-Signature", "X-Amz-Security-Token": return "\(name)=REDACTED"
            default: return String(pair)
            }
        }
        return base + "?" + query.joined(separator: "&")
    }

    static func timestamp(_ date: Date, fractional: Bool = true) -> String {
        fractional ? RunStamp.iso8601Milliseconds(date) : RunStamp(date).iso8601
    }
}

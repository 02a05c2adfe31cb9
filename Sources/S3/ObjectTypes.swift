import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// What an upload produced.
public struct UploadResult: Sendable, Hashable {
    /// Bytes stored.
    public var size: Int64
    /// The ETag as S3 returns it, quotes included (`"…"`, with `-N` for N parts).
    public var etag: String
    /// Lower-case hex SHA-256 of the whole object, computed while sending.
    public var sha256: String
    /// The version id, when the bucket is versioned.
    public var versionID: String?
    /// Number of parts; 0 for a single PutObject.
    public var partCount: Int
}

/// An object's headers, from HeadObject or GetObject.
public struct ObjectInfo: Sendable, Hashable {
    public var size: Int64
    /// The ETag as S3 returns it, quotes included.
    public var etag: String?
    public var contentType: String?
    /// User metadata, names without `x-amz-meta-`, values decoded (see `putObject`).
    public var metadata: [String: String]
    public var lastModified: Date?
    /// The encryption S3 reports for the object; nil when it reports none.
    public var serverSideEncryption: ServerSideEncryption?
    public var versionID: String?

    init(headers: HTTPHeaders) {
        size = headers.first(name: "content-length").flatMap { Int64($0) } ?? 0
        etag = headers.first(name: "etag")
        contentType = headers.first(name: "content-type")
        var metadata: [String: String] = [:]
        for (name, value) in headers {
            let lower = name.lowercased()
            if lower.hasPrefix(ObjectMetadata.headerPrefix) {
                metadata[String(lower.dropFirst(ObjectMetadata.headerPrefix.count))] = ObjectMetadata.decode(value)
            }
        }
        self.metadata = metadata
        lastModified = headers.first(name: "last-modified").flatMap(HTTPDate.parse)
        switch headers.first(name: "x-amz-server-side-encryption") {
        case "AES256": serverSideEncryption = .aes256
        case "aws:kms", "aws:kms:dsse":
            serverSideEncryption = .kms(keyID: headers.first(name: "x-amz-server-side-encryption-aws-kms-key-id"))
        default: serverSideEncryption = nil
        }
        versionID = headers.first(name: "x-amz-version-id")
    }
}

/// A whole object read into memory.
public struct S3Object: Sendable {
    public var info: ObjectInfo
    public var body: ByteBuffer
}

/// An object whose body is read as it arrives. Read `body` to the end (or drop it) promptly:
/// it holds a pooled connection.
public struct S3ObjectStream: Sendable {
    public var info: ObjectInfo
    /// The bytes, as they arrive.
    public var body: S3ObjectBody
}

/// The bytes of a streamed object; a connection lost midway is thrown as an `S3Error`
/// (`.connectionLost` or `.timeout`); it is not retried, since part of the body was already delivered.
public struct S3ObjectBody: AsyncSequence, Sendable {
    public typealias Element = ByteBuffer
    let body: HTTPClientResponse.Body
    let client: S3Client
    let request: S3Request

    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: HTTPClientResponse.Body.AsyncIterator
        let client: S3Client
        let request: S3Request

        public mutating func next() async throws -> ByteBuffer? {
            do {
                return try await base.next()
            } catch {
                throw client.transportError(error, for: request)
            }
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: body.makeAsyncIterator(), client: client, request: request)
    }
}

/// HTTP dates (RFC 7231 IMF-fixdate), as in `Last-Modified`.
enum HTTPDate {
    static func parse(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: text)
    }
}

/// ISO 8601 timestamps as in S3's XML (`2025-01-31T12:00:00.000Z`).
enum XMLDate {
    static func parse(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }
}

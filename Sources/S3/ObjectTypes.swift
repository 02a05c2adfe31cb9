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
        if let date = parseUTC(text) { return date }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }

    /// `YYYY-MM-DDTHH:MM:SS[.fraction]Z`, the form S3's listings use, parsed without a formatter: making an
    /// `ISO8601DateFormatter` per object cost more CPU than the rest of a 10,000-object listing.
    static func parseUTC(_ text: String) -> Date? {
        let b = Array(text.utf8)
        guard b.count >= 20, b[4] == 0x2D, b[7] == 0x2D, b[10] == 0x54, b[13] == 0x3A, b[16] == 0x3A, b[b.count - 1] == 0x5A
        else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                guard b[index] >= 0x30, b[index] <= 0x39 else { return nil }
                value = value * 10 + Int(b[index] - 0x30)
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var fraction = 0.0
        if b.count > 20 {
            guard b[19] == 0x2E, b.count > 21 else { return nil }
            var scale = 0.1
            for index in 20..<(b.count - 1) {
                guard b[index] >= 0x30, b[index] <= 0x39 else { return nil }
                fraction += Double(b[index] - 0x30) * scale
                scale /= 10
            }
        }
        // Days since 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's days_from_civil).
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * ((month + 9) % 12) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        return Date(timeIntervalSince1970: Double(days * 86_400 + hour * 3_600 + minute * 60 + second) + fraction)
    }
}

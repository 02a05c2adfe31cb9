import Crypto
import Foundation

/// One HTTP header: a name and a value, as given (the signer lower-cases and trims for signing).
public struct HTTPField: Sendable, Hashable {
    public var name: String
    public var value: String
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// One query parameter, decoded. An empty value signs as `name=`.
public struct QueryItem: Sendable, Hashable {
    public var name: String
    public var value: String
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// The `x-amz-content-sha256` value: the lower-case hex SHA-256 of the body, or `UNSIGNED-PAYLOAD`.
public enum PayloadHash: Sendable, Hashable {
    case unsigned
    case sha256(hex: String)

    /// The SHA-256 of an empty body.
    public static let empty = PayloadHash.sha256(hex: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")

    /// The SHA-256 of `body`.
    public static func sha256<D: DataProtocol>(of body: D) -> PayloadHash {
        var hex: [UInt8] = []
        hex.reserveCapacity(64)
        SHA256.hash(data: body).withUnsafeBytes { Encoding.appendHex($0, to: &hex) }
        return .sha256(hex: String(decoding: hex, as: UTF8.self))
    }

    /// The value that goes into the canonical request and the `x-amz-content-sha256` header.
    public var headerValue: String {
        switch self {
        case .unsigned: return "UNSIGNED-PAYLOAD"
        case .sha256(let hex): return hex
        }
    }
}

/// A request to sign: decoded path and query; the signer encodes them exactly as S3 does.
public struct SigningRequest: Sendable {
    /// The HTTP method, e.g. "GET".
    public var method: String
    /// The value of the Host header: "bucket.s3.eu-central-1.amazonaws.com" or "127.0.0.1:19000".
    public var host: String
    /// The decoded path, e.g. "/volt-data-lake/images/components/a b+c/ż.jpg". Empty means "/".
    public var path: String
    /// The decoded query parameters.
    public var query: [QueryItem]
    /// Other headers to sign (content-type, x-amz-meta-*, content-md5, range, …), all of them signed.
    /// A `host` or `authorization` entry is ignored, and so, for header signing, are `x-amz-date`,
    /// `x-amz-content-sha256` and `x-amz-security-token`: the signer sets those itself. Repeated
    /// names are signed as one header with the values joined by "," in order.
    public var headers: [HTTPField]

    public init(method: String, host: String, path: String, query: [QueryItem] = [], headers: [HTTPField] = []) {
        self.method = method
        self.host = host
        self.path = path
        self.query = query
        self.headers = headers
    }

    /// Each path segment percent-encoded once (RFC 3986 unreserved kept, "/" kept): what goes on the wire.
    public var encodedPath: String {
        String(decoding: Encoding.path(path), as: UTF8.self)
    }

    /// The canonical (sorted, encoded) query string, "" if none: what goes on the wire.
    public var encodedQuery: String {
        var out: [UInt8] = []
        Encoding.appendCanonicalQuery(Encoding.encodedPairs(query), to: &out)
        return String(decoding: out, as: UTF8.self)
    }
}

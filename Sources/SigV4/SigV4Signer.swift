import Crypto
import Foundation

/// AWS Signature Version 4 for S3: `Authorization` headers and presigned URLs.
///
/// A pure function of its inputs (the date included); the derived signing key is cached per day,
/// so one signature costs one SHA-256 of the canonical request and one HMAC.
public struct SigV4Signer: Sendable {
    public let credentials: AWSCredentials
    public let region: String
    public let service: String

    private let cache: SigningKeyCache
    private let accessKey: [UInt8]
    private let encodedAccessKey: [UInt8]
    /// "/region/service/aws4_request" and its query-encoded form.
    private let scopeTail: [UInt8]
    private let encodedScopeTail: [UInt8]
    private let sessionToken: [UInt8]?
    private let encodedSessionToken: [UInt8]?

    public init(credentials: AWSCredentials, region: String, service: String = "s3") {
        self.credentials = credentials
        self.region = region
        self.service = service
        self.cache = SigningKeyCache(secretAccessKey: credentials.secretAccessKey, region: region, service: service)
        self.accessKey = Array(credentials.accessKeyID.utf8)
        self.encodedAccessKey = Encoding.queryComponent(credentials.accessKeyID)
        let tail = "/\(region)/\(service)/aws4_request"
        self.scopeTail = Array(tail.utf8)
        self.encodedScopeTail = Encoding.queryComponent(tail)
        self.sessionToken = credentials.sessionToken.map { Array($0.utf8) }
        self.encodedSessionToken = credentials.sessionToken.map { Encoding.queryComponent($0) }
    }

    /// Headers to add to the request: x-amz-date, x-amz-content-sha256, x-amz-security-token (when present), authorization.
    public func signHeaders(for request: SigningRequest, payload: PayloadHash, date: Date) -> [HTTPField] {
        signHeaders(for: request, payload: payload, date: date, includeContentSHA256: true)
    }

    /// As `signHeaders(for:payload:date:)`; without `x-amz-content-sha256` when `includeContentSHA256`
    /// is false (non-S3 services sign the payload hash without sending it; used by the AWS test suite).
    package func signHeaders(for request: SigningRequest, payload: PayloadHash, date: Date, includeContentSHA256: Bool) -> [HTTPField] {
        let (amzDate, hmac) = cache.prepare(date)
        let payloadBytes = Array(payload.headerValue.utf8)

        var headers = CanonicalHeaders(host: request.host, capacity: request.headers.count + 4)
        headers.add(request.headers, excluding: CanonicalHeaders.headerSigningReserved)
        if includeContentSHA256 { headers.add(Array("x-amz-content-sha256".utf8), payloadBytes) }
        headers.add(Array("x-amz-date".utf8), amzDate.bytes)
        if let sessionToken { headers.add(Array("x-amz-security-token".utf8), sessionToken) }
        let (canonicalHeaders, signedHeaders) = headers.build()

        var query: [UInt8] = []
        if !request.query.isEmpty {
            Encoding.appendCanonicalQuery(Encoding.encodedPairs(request.query), to: &query)
        }
        let signature = sign(
            method: request.method, encodedPath: Encoding.path(request.path), query: query,
            canonicalHeaders: canonicalHeaders, signedHeaders: signedHeaders, payload: payloadBytes,
            amzDate: amzDate, hmac: hmac)

        var authorization: [UInt8] = []
        authorization.reserveCapacity(200 + signedHeaders.count)
        authorization.append(contentsOf: "AWS4-HMAC-SHA256 Credential=".utf8)
        authorization.append(contentsOf: accessKey)
        authorization.append(UInt8(ascii: "/"))
        authorization.append(contentsOf: amzDate.dateStamp)
        authorization.append(contentsOf: scopeTail)
        authorization.append(contentsOf: ", SignedHeaders=".utf8)
        authorization.append(contentsOf: signedHeaders)
        authorization.append(contentsOf: ", Signature=".utf8)
        authorization.append(contentsOf: signature)

        var result: [HTTPField] = []
        result.reserveCapacity(4)
        result.append(HTTPField("x-amz-date", amzDate.string))
        if includeContentSHA256 { result.append(HTTPField("x-amz-content-sha256", payload.headerValue)) }
        if let token = credentials.sessionToken { result.append(HTTPField("x-amz-security-token", token)) }
        result.append(HTTPField("authorization", String(decoding: authorization, as: UTF8.self)))
        return result
    }

    /// The full presigned URL "scheme://host/encodedPath?…&X-Amz-Signature=…" (payload `UNSIGNED-PAYLOAD`).
    ///
    /// The query is in canonical order (the request's parameters and the `X-Amz-*` ones sorted together),
    /// with `X-Amz-Signature` last. `seconds` must be 1 … 604800.
    public func presignedURL(for request: SigningRequest, scheme: String = "https", expires seconds: Int, date: Date) throws(SigV4Error) -> String {
        guard (1...604_800).contains(seconds) else { throw .invalidExpiry(seconds: seconds) }
        let (amzDate, hmac) = cache.prepare(date)

        let canonicalHeaders: [UInt8]
        let signedHeaders: [UInt8]
        if request.headers.isEmpty {
            (canonicalHeaders, signedHeaders) = CanonicalHeaders.hostOnly(request.host)
        } else {
            var headers = CanonicalHeaders(host: request.host, capacity: request.headers.count + 1)
            headers.add(request.headers, excluding: CanonicalHeaders.presignReserved)
            (canonicalHeaders, signedHeaders) = headers.build()
        }

        var credential: [UInt8] = []
        credential.reserveCapacity(encodedAccessKey.count + 11 + encodedScopeTail.count)
        credential.append(contentsOf: encodedAccessKey)
        credential.append(contentsOf: "%2F".utf8)
        credential.append(contentsOf: amzDate.dateStamp)
        credential.append(contentsOf: encodedScopeTail)
        var expires: [UInt8] = []
        Encoding.appendDecimal(seconds, to: &expires)
        var encodedSignedHeaders: [UInt8] = []
        encodedSignedHeaders.reserveCapacity(signedHeaders.count + 8)
        Encoding.appendEncoded(signedHeaders, keepSlash: false, to: &encodedSignedHeaders)

        var query: [UInt8] = []
        query.reserveCapacity(256 + (encodedSessionToken?.count ?? 0))
        if request.query.isEmpty {
            // The X-Amz-* parameters alone, written in canonical order.
            query.append(contentsOf: Self.algorithmPair)
            query.append(contentsOf: Self.credentialPrefix)
            query.append(contentsOf: credential)
            query.append(contentsOf: Self.datePrefix)
            query.append(contentsOf: amzDate.bytes)
            query.append(contentsOf: Self.expiresPrefix)
            query.append(contentsOf: expires)
            if let encodedSessionToken {
                query.append(contentsOf: Self.securityTokenPrefix)
                query.append(contentsOf: encodedSessionToken)
            }
            query.append(contentsOf: Self.signedHeadersPrefix)
            query.append(contentsOf: encodedSignedHeaders)
        } else {
            var pairs: [Encoding.EncodedPair] = []
            pairs.reserveCapacity(6 + request.query.count)
            pairs.append((Self.algorithmName, Self.algorithmValue))
            pairs.append((Self.credentialName, credential))
            pairs.append((Self.dateName, amzDate.bytes))
            pairs.append((Self.expiresName, expires))
            if let encodedSessionToken { pairs.append((Self.securityTokenName, encodedSessionToken)) }
            pairs.append((Self.signedHeadersName, encodedSignedHeaders))
            pairs.append(contentsOf: Encoding.encodedPairs(request.query))
            Encoding.sortPairs(&pairs)
            Encoding.appendJoined(pairs, to: &query)
        }

        let encodedPath = Encoding.path(request.path)
        let signature = sign(
            method: request.method, encodedPath: encodedPath, query: query,
            canonicalHeaders: canonicalHeaders, signedHeaders: signedHeaders, payload: Self.unsignedPayload,
            amzDate: amzDate, hmac: hmac)

        var url: [UInt8] = []
        url.reserveCapacity(scheme.utf8.count + request.host.utf8.count + encodedPath.count + query.count + 100)
        url.append(contentsOf: scheme.utf8)
        url.append(contentsOf: "://".utf8)
        url.append(contentsOf: request.host.utf8)
        url.append(contentsOf: encodedPath)
        url.append(UInt8(ascii: "?"))
        url.append(contentsOf: query)
        url.append(contentsOf: "&X-Amz-Signature=".utf8)
        url.append(contentsOf: signature)
        return String(decoding: url, as: UTF8.self)
    }

    /// Builds the canonical request and the string to sign, and returns the hex signature.
    private func sign(
        method: String, encodedPath: [UInt8], query: [UInt8],
        canonicalHeaders: [UInt8], signedHeaders: [UInt8], payload: [UInt8],
        amzDate: AmzDate, hmac: HMAC<SHA256>
    ) -> [UInt8] {
        var canonical: [UInt8] = []
        canonical.reserveCapacity(method.utf8.count + encodedPath.count + query.count + canonicalHeaders.count + signedHeaders.count + payload.count + 8)
        for byte in method.utf8 {
            canonical.append(byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") ? byte - 0x20 : byte)
        }
        canonical.append(0x0A)
        canonical.append(contentsOf: encodedPath)
        canonical.append(0x0A)
        canonical.append(contentsOf: query)
        canonical.append(0x0A)
        canonical.append(contentsOf: canonicalHeaders)
        canonical.append(0x0A)
        canonical.append(contentsOf: signedHeaders)
        canonical.append(0x0A)
        canonical.append(contentsOf: payload)

        var stringToSign: [UInt8] = []
        stringToSign.reserveCapacity(64 + 16 + 8 + scopeTail.count + 64 + 8)
        stringToSign.append(contentsOf: "AWS4-HMAC-SHA256\n".utf8)
        stringToSign.append(contentsOf: amzDate.bytes)
        stringToSign.append(0x0A)
        stringToSign.append(contentsOf: amzDate.dateStamp)
        stringToSign.append(contentsOf: scopeTail)
        stringToSign.append(0x0A)
        SHA256.hash(data: canonical).withUnsafeBytes { Encoding.appendHex($0, to: &stringToSign) }

        var mac = hmac
        mac.update(data: stringToSign)
        var signature: [UInt8] = []
        signature.reserveCapacity(64)
        mac.finalize().withUnsafeBytes { Encoding.appendHex($0, to: &signature) }
        return signature
    }

    private static let unsignedPayload = Array("UNSIGNED-PAYLOAD".utf8)
    private static let algorithmName = Array("X-Amz-Algorithm".utf8)
    private static let algorithmValue = Array("AWS4-HMAC-SHA256".utf8)
    private static let credentialName = Array("X-Amz-Credential".utf8)
    private static let dateName = Array("X-Amz-Date".utf8)
    private static let expiresName = Array("X-Amz-Expires".utf8)
    private static let securityTokenName = Array("X-Amz-Security-Token".utf8)
    private static let signedHeadersName = Array("X-Amz-SignedHeaders".utf8)
    private static let algorithmPair = Array("X-Amz-Algorithm=AWS4-HMAC-SHA256".utf8)
    private static let credentialPrefix = Array("&X-Amz-Credential=".utf8)
    private static let datePrefix = Array("&X-Amz-Date=".utf8)
    private static let expiresPrefix = Array("&X-Amz-Expires=".utf8)
    private static let securityTokenPrefix = Array("&X-Amz-Security-Token=".utf8)
    private static let signedHeadersPrefix = Array("&X-Amz-SignedHeaders=".utf8)
}

extension SigV4Signer: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "SigV4Signer(\(credentials), region: \(region), service: \(service))" }
    public var debugDescription: String { description }
    public var customMirror: Mirror {
        Mirror(self, children: ["credentials": credentials, "region": region, "service": service], displayStyle: .struct)
    }
}

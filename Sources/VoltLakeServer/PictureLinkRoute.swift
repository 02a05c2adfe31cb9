import Foundation
import Hummingbird
import VoltLake

/// `GET /api/upload/component-image-url/<componentId>?expirationHours=24`: the hot path.
/// Validates, looks the key up in the in-memory index and signs locally (or reuses the answer signed
/// for the same key, expiry and second); never calls S3.
struct PictureLinkRoute: Sendable {
    let signer: PictureLinkSigner
    let store: PictureIndexStore
    let metrics: ServiceMetrics
    let defaultExpiry: LinkExpiry
    let token: BearerToken?
    let now: @Sendable () -> Date
    let onLinkIssued: (@Sendable (IssuedLink) -> Void)?

    func respond(to request: Request, context: ServiceRequestContext) throws -> Response {
        try authorize(request)
        // Everything after the route's prefix (`mcb_b16`, or `a/b` which is refused as an id).
        let id = try Self.componentID(context.parameters[Parameters.recursiveCaptureKey] ?? "")
        let expiry = try Self.expiry(inTarget: request.head.path ?? "", default: defaultExpiry)
        guard let lookup = store.slot(for: id) else { throw APIError(PresignError.indexUnavailable) }
        guard let slot = lookup else { throw APIError(PresignError.notFound(componentID: id)) }
        let date = now()
        let second = Int64(date.timeIntervalSince1970.rounded(.down))
        if let body = slot.body(second: second, hours: expiry.hours) {
            metrics.linksIssued.increment()
            onLinkIssued?(IssuedLink(
                componentID: id, key: slot.key, expiresAtEpochSecond: second + Int64(expiry.seconds), url: nil,
                clientAddress: context.remoteAddress?.ipAddress))
            return Response(status: .ok, headers: JSONResponse.headers, body: ResponseBody(byteBuffer: body))
        }
        let link: PictureLink
        do {
            link = try signer.link(componentID: id, key: slot.key, expiry: expiry, date: date)
        } catch {
            throw APIError(error)
        }
        var buffer = ByteBuffer()
        buffer.reserveCapacity(minimumWritableBytes: 160 + link.url.utf8.count)
        VoltAPIJSON.writeLink(link, into: &buffer)
        slot.remember(second: second, hours: expiry.hours, body: buffer)
        metrics.linksIssued.increment()
        onLinkIssued?(IssuedLink(
            componentID: id, key: slot.key, expiresAtEpochSecond: link.expiresAtEpochSecond, url: link.url,
            clientAddress: context.remoteAddress?.ipAddress))
        return Response(status: .ok, headers: JSONResponse.headers, body: ResponseBody(byteBuffer: buffer))
    }

    /// For the route without an id: always an invalid id.
    func refuse(_ request: Request, context: some RequestContext) throws -> Response {
        try authorize(request)
        throw APIError(PresignError.invalidComponentID)
    }

    private func authorize(_ request: Request) throws {
        if let token, !token.accepts(request.headers[.authorization]) { throw APIError.unauthorized }
    }

    /// The id from the path segment, percent-decoded when it holds escapes, then validated.
    static func componentID(_ segment: Substring) throws(APIError) -> String {
        if ComponentID.isValid(segment.utf8) { return String(segment) }
        guard segment.utf8.contains(UInt8(ascii: "%")), segment.utf8.count <= 3 * ComponentID.maximumLength,
              let decoded = String(segment).removingPercentEncoding, ComponentID.isValid(decoded.utf8)
        else { throw APIError(PresignError.invalidComponentID) }
        return decoded
    }

    /// `expirationHours` from the request target's query (the first one), or `fallback` when absent.
    static func expiry(inTarget target: String, default fallback: LinkExpiry) throws(APIError) -> LinkExpiry {
        let utf8 = target.utf8
        guard var start = utf8.firstIndex(of: UInt8(ascii: "?")) else { return fallback }
        start = utf8.index(after: start)
        while start < utf8.endIndex {
            let end = utf8[start...].firstIndex(of: UInt8(ascii: "&")) ?? utf8.endIndex
            let pair = target[start..<end]
            if pair.utf8.starts(with: Self.parameterPrefix) {
                let value = pair.dropFirst(Self.parameterPrefix.count)
                do {
                    return try LinkExpiry(parsing: value)
                } catch {
                    throw APIError(error)
                }
            }
            start = end < utf8.endIndex ? utf8.index(after: end) : end
        }
        return fallback
    }

    private static let parameterPrefix = Array("expirationHours=".utf8)
}

/// A link the service handed out, for the audit log. `url` is nil when the same second's answer was reused.
public struct IssuedLink: Sendable {
    public let componentID: String
    public let key: String
    public let expiresAtEpochSecond: Int64
    public let url: String?
    public let clientAddress: String?
}

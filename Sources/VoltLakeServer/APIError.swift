import Hummingbird
import VoltLake

/// An error answered to the client as the Volt API's JSON: `{"success":false,"error":"…"}`.
/// Only these carry a message out; anything else becomes a bare 500.
public struct APIError: HTTPResponseError, Sendable {
    public let status: HTTPResponse.Status
    public let message: String

    public init(_ status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
    }

    init(_ error: PresignError) {
        switch error {
        case .invalidComponentID, .invalidExpiry: self.init(.badRequest, error.publicMessage)
        case .notFound: self.init(.notFound, error.publicMessage)
        case .indexUnavailable: self.init(.serviceUnavailable, error.publicMessage)
        case .storage: self.init(.internalServerError, error.publicMessage)
        }
    }

    static let unauthorized = APIError(.unauthorized, "Missing or invalid bearer token")

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(minimumWritableBytes: 32 + message.utf8.count)
        VoltAPIJSON.writeError(message, into: &buffer)
        var headers = JSONResponse.headers
        if status == .unauthorized { headers[.wwwAuthenticate] = "Bearer" }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: buffer))
    }
}

enum JSONResponse {
    static let headers: HTTPFields = [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"]
}

import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import SigV4

/// A request body that can be sent again from its start on every attempt.
enum RequestBody: Sendable {
    case empty
    case bytes(ByteBuffer)
    case file(FileRegion)

    var length: Int64 {
        switch self {
        case .empty: return 0
        case .bytes(let buffer): return Int64(buffer.readableBytes)
        case .file(let region): return region.length
        }
    }

    var httpBody: HTTPClientRequest.Body? {
        switch self {
        case .empty: return nil
        case .bytes(let buffer): return .bytes(buffer)
        case .file(let region): return .stream(FileChunks(region: region), length: .known(region.length))
        }
    }
}

/// One S3 API call before signing.
struct S3Request: Sendable {
    /// The S3 API name, e.g. "PutObject".
    var operation: String
    var method: HTTPMethod
    var bucket: String?
    var key: String?
    var query: [QueryItem] = []
    var headers: [HTTPField] = []
    var body: RequestBody = .empty
    var payloadHash: PayloadHash = .empty
    /// CompleteMultipartUpload (and a few others) may answer 200 with an `<Error>` document.
    var mayFailWithOK = false
}

/// A collected answer.
struct S3Response: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var body: ByteBuffer

    var bodyBytes: ByteBufferView { body.readableBytesView }
}

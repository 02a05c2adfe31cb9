import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import SigV4

extension S3Client {
    /// Stores an object from memory with one PutObject.
    ///
    /// The body is checked end to end: its SHA-256 is signed (`x-amz-content-sha256`) and its MD5 sent
    /// as `Content-MD5`. Encryption follows `configuration.serverSideEncryption`.
    /// - Parameters:
    ///   - contentType: The `Content-Type`; nil leaves S3's default (`binary/octet-stream`).
    ///   - metadata: User metadata. Names are lower-case ASCII letters, digits and hyphens (others are
    ///     refused); values that are not printable ASCII, and `%`, are percent-encoded (RFC 3986, UTF-8)
    ///     and decoded again by `headObject`.
    public func putObject(
        bucket: String, key: String, body: ByteBuffer, contentType: String? = nil, metadata: [String: String] = [:]
    ) async throws -> UploadResult {
        let digest = PayloadDigest(of: body)
        let headers = try objectHeaders(operation: "PutObject", bucket: bucket, key: key, contentType: contentType, metadata: metadata)
        return try await putObject(
            bucket: bucket, key: key, body: .bytes(body), digest: digest, headers: headers
        )
    }

    /// Stores an object from memory with one PutObject (see the `ByteBuffer` variant).
    public func putObject(
        bucket: String, key: String, body: [UInt8], contentType: String? = nil, metadata: [String: String] = [:]
    ) async throws -> UploadResult {
        try await putObject(bucket: bucket, key: key, body: ByteBuffer(bytes: body), contentType: contentType, metadata: metadata)
    }

    func putObject(
        bucket: String, key: String, body: RequestBody, digest: PayloadDigest, headers: [HTTPField]
    ) async throws -> UploadResult {
        let request = S3Request(
            operation: "PutObject", method: .PUT, bucket: bucket, key: key,
            headers: headers + [HTTPField("Content-MD5", digest.md5Base64)],
            body: body, payloadHash: .sha256(hex: digest.sha256Hex)
        )
        let response = try await execute(request)
        return UploadResult(
            size: body.length, etag: response.headers.first(name: "etag") ?? "", sha256: digest.sha256Hex,
            versionID: response.headers.first(name: "x-amz-version-id"), partCount: 0
        )
    }

    /// The headers of a new object: content type, encryption, metadata.
    func objectHeaders(
        operation: String, bucket: String, key: String, contentType: String?, metadata: [String: String]
    ) throws(S3Error) -> [HTTPField] {
        var headers: [HTTPField] = []
        if let contentType { headers.append(HTTPField("Content-Type", contentType)) }
        switch configuration.serverSideEncryption {
        case .none:
            break
        case .aes256:
            headers.append(HTTPField("x-amz-server-side-encryption", "AES256"))
        case .kms(let keyID):
            headers.append(HTTPField("x-amz-server-side-encryption", "aws:kms"))
            if let keyID { headers.append(HTTPField("x-amz-server-side-encryption-aws-kms-key-id", keyID)) }
        }
        do {
            for (name, value) in try ObjectMetadata.headers(for: metadata) {
                headers.append(HTTPField(name, value))
            }
        } catch {
            throw S3Error(
                kind: .invalidRequest, operation: operation, bucket: bucket, key: key,
                endpoint: configuration.endpointDescription,
                detail: "the metadata name \"\(error.name)\" is not allowed: use lower-case ASCII letters, digits and hyphens."
            )
        }
        return headers
    }

    /// Reads a whole object into memory, refusing bodies larger than `maxSize` bytes.
    public func getObject(bucket: String, key: String, maxSize: Int = 64 * 1024 * 1024) async throws -> S3Object {
        let request = S3Request(operation: "GetObject", method: .GET, bucket: bucket, key: key)
        let response = try await execute(request, responseLimit: maxSize)
        return S3Object(info: ObjectInfo(headers: response.headers), body: response.body)
    }

    /// Opens an object for streaming: retries cover reaching the head; the body is read by the caller.
    public func getObjectStream(bucket: String, key: String) async throws -> S3ObjectStream {
        let request = S3Request(operation: "GetObject", method: .GET, bucket: bucket, key: key)
        let response = try await executeStreaming(request)
        return S3ObjectStream(
            info: ObjectInfo(headers: response.headers),
            body: S3ObjectBody(body: response.body, client: self, request: request)
        )
    }

    /// An object's size, ETag, type, metadata, date and encryption, without its body.
    public func headObject(bucket: String, key: String) async throws -> ObjectInfo {
        let request = S3Request(operation: "HeadObject", method: .HEAD, bucket: bucket, key: key)
        let response = try await execute(request)
        return ObjectInfo(headers: response.headers)
    }

    /// Deletes an object. Deleting a key that does not exist succeeds, as in S3.
    public func deleteObject(bucket: String, key: String) async throws {
        let request = S3Request(operation: "DeleteObject", method: .DELETE, bucket: bucket, key: key)
        _ = try await execute(request)
    }
}

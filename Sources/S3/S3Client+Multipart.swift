import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SigV4

/// A part that S3 has stored: its number and the ETag to name it by in CompleteMultipartUpload.
public struct CompletedPart: Sendable, Hashable {
    public var partNumber: Int
    public var etag: String

    public init(partNumber: Int, etag: String) {
        self.partNumber = partNumber
        self.etag = etag
    }
}

extension S3Client {
    /// Starts a multipart upload with the new object's content type, encryption and metadata; returns the upload id.
    public func createMultipartUpload(
        bucket: String, key: String, contentType: String? = nil, metadata: [String: String] = [:]
    ) async throws -> String {
        let headers = try objectHeaders(
            operation: "CreateMultipartUpload", bucket: bucket, key: key, contentType: contentType, metadata: metadata
        )
        return try await createMultipartUpload(bucket: bucket, key: key, headers: headers)
    }

    func createMultipartUpload(bucket: String, key: String, headers: [HTTPField]) async throws -> String {
        let request = S3Request(
            operation: "CreateMultipartUpload", method: .POST, bucket: bucket, key: key,
            query: [QueryItem("uploads", "")], headers: headers
        )
        let response = try await execute(request)
        guard let document = XMLNode.parse(response.bodyBytes), let uploadID = document.value("UploadId"), !uploadID.isEmpty
        else {
            throw S3Error(
                kind: .invalidResponse, operation: "CreateMultipartUpload", bucket: bucket, key: key,
                status: response.status, endpoint: configuration.endpointDescription, detail: "no UploadId in the answer"
            )
        }
        return uploadID
    }

    /// Uploads one part (1…10000) with its own `Content-MD5` and signed SHA-256.
    public func uploadPart(
        bucket: String, key: String, uploadID: String, partNumber: Int, body: ByteBuffer
    ) async throws -> CompletedPart {
        try await uploadPart(
            bucket: bucket, key: key, uploadID: uploadID, partNumber: partNumber, body: .bytes(body),
            digest: PayloadDigest(of: body)
        )
    }

    func uploadPart(
        bucket: String, key: String, uploadID: String, partNumber: Int, body: RequestBody, digest: PayloadDigest
    ) async throws -> CompletedPart {
        let request = S3Request(
            operation: "UploadPart", method: .PUT, bucket: bucket, key: key,
            query: [QueryItem("partNumber", String(partNumber)), QueryItem("uploadId", uploadID)],
            headers: [HTTPField("Content-MD5", digest.md5Base64)],
            body: body, payloadHash: .sha256(hex: digest.sha256Hex)
        )
        let response = try await execute(request)
        guard let etag = response.headers.first(name: "etag") else {
            throw S3Error(
                kind: .invalidResponse, operation: "UploadPart", bucket: bucket, key: key, status: response.status,
                endpoint: configuration.endpointDescription, detail: "no ETag for part \(partNumber)"
            )
        }
        return CompletedPart(partNumber: partNumber, etag: etag)
    }

    /// Joins the parts into the object; returns its ETag and version id.
    public func completeMultipartUpload(
        bucket: String, key: String, uploadID: String, parts: [CompletedPart]
    ) async throws -> (etag: String, versionID: String?) {
        var xml = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
        for part in parts.sorted(by: { $0.partNumber < $1.partNumber }) {
            xml += "<Part><PartNumber>\(part.partNumber)</PartNumber><ETag>\(xmlEscaped(part.etag))</ETag></Part>"
        }
        xml += "</CompleteMultipartUpload>"
        let body = ByteBuffer(string: xml)
        let digest = PayloadDigest(of: body)
        let request = S3Request(
            operation: "CompleteMultipartUpload", method: .POST, bucket: bucket, key: key,
            query: [QueryItem("uploadId", uploadID)],
            headers: [HTTPField("Content-Type", "application/xml"), HTTPField("Content-MD5", digest.md5Base64)],
            body: .bytes(body), payloadHash: .sha256(hex: digest.sha256Hex), mayFailWithOK: true
        )
        let response = try await execute(request)
        let document = XMLNode.parse(response.bodyBytes)
        let etag = document?.value("ETag") ?? response.headers.first(name: "etag") ?? ""
        return (etag, response.headers.first(name: "x-amz-version-id"))
    }

    /// Aborts a multipart upload so its parts are deleted. Runs to its end even when the calling task
    /// is cancelled (it is the cleanup after a cancellation). Needs s3:AbortMultipartUpload.
    public func abortMultipartUpload(bucket: String, key: String, uploadID: String) async throws {
        let request = S3Request(
            operation: "AbortMultipartUpload", method: .DELETE, bucket: bucket, key: key,
            query: [QueryItem("uploadId", uploadID)]
        )
        let maxAttempts = max(1, configuration.maxAttempts)
        var attempt = 1
        while true {
            do {
                try await sendIgnoringCancellation(request, attempt: attempt)
                return
            } catch let error as S3Error where error.isRetryable && attempt < maxAttempts {
                try? await Task.sleep(for: .seconds(backoff(afterAttempt: attempt)))
                attempt += 1
            }
        }
    }

    /// One attempt through the future-based API, which the calling task's cancellation does not reach.
    private func sendIgnoringCancellation(_ request: S3Request, attempt number: Int) async throws {
        do {
            try await attempt(request, number: number) { prepared, outcome in
                let http = try HTTPClient.Request(url: prepared.url, method: prepared.method, headers: prepared.headers)
                let response = try await httpClient.execute(request: http, deadline: .now() + .seconds(60), logger: logger).get()
                outcome.answered(response.status, response.headers)
                let body = response.body ?? ByteBuffer()
                outcome.received = Int64(body.readableBytes)
                guard (200..<300).contains(Int(response.status.code)) else {
                    throw failure(S3Response(status: Int(response.status.code), headers: response.headers, body: body),
                                  for: request, outcome: &outcome)
                }
            }
        } catch is CancellationError {
            // The caller's cancellation is not ours to report here: the abort itself was not cancelled.
            throw S3Error(
                kind: .connectionLost, operation: request.operation, bucket: request.bucket, key: request.key,
                endpoint: configuration.endpointDescription, detail: "the abort's connection ended while the run was being cancelled"
            )
        }
    }

    /// Runs an upload between CreateMultipartUpload and CompleteMultipartUpload. On any failure or
    /// cancellation the upload is aborted, so no parts linger and nothing appears at the key; if the abort
    /// fails too, the thrown `S3Error` says so in `abortFailure`.
    func withMultipartUpload(
        bucket: String, key: String, headers: [HTTPField], _ uploadParts: (String) async throws -> [CompletedPart]
    ) async throws -> (etag: String, versionID: String?, partCount: Int) {
        let uploadID = try await createMultipartUpload(bucket: bucket, key: key, headers: headers)
        logger.debug("S3 multipart upload started", metadata: ["s3.bucket": "\(bucket)", "s3.key": "\(key)"])
        do {
            let parts = try await uploadParts(uploadID)
            try Task.checkCancellation()
            let completed = try await completeMultipartUpload(bucket: bucket, key: key, uploadID: uploadID, parts: parts)
            return (completed.etag, completed.versionID, parts.count)
        } catch {
            let abortFailure = await abortAfterFailure(bucket: bucket, key: key, uploadID: uploadID)
            guard let abortFailure else { throw error }
            if var s3Error = error as? S3Error {
                s3Error.abortFailure = abortFailure
                throw s3Error
            }
            let cancelled = error is CancellationError
            throw S3Error(
                kind: cancelled ? .cancelled : .invalidRequest, operation: "MultipartUpload", bucket: bucket, key: key,
                endpoint: configuration.endpointDescription,
                detail: cancelled ? nil : "the upload failed: \(error)", abortFailure: abortFailure
            )
        }
    }

    /// Aborts after a failure; returns what went wrong with the abort, nil when it worked.
    private func abortAfterFailure(bucket: String, key: String, uploadID: String) async -> S3Error.AbortFailure? {
        do {
            try await abortMultipartUpload(bucket: bucket, key: key, uploadID: uploadID)
            return nil
        } catch let error as S3Error {
            if error.code == "NoSuchUpload" { return nil }
            logger.error(
                "S3 multipart upload could not be aborted",
                metadata: ["s3.bucket": "\(bucket)", "s3.key": "\(key)", "s3.upload_id": "\(uploadID)",
                           "s3.error": "\(error.code ?? "\(error.kind)")"]
            )
            return S3Error.AbortFailure(uploadID: uploadID, status: error.status, code: error.code, message: error.message ?? error.detail)
        } catch {
            return S3Error.AbortFailure(uploadID: uploadID, status: nil, code: nil, message: String(describing: error))
        }
    }
}

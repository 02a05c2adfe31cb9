import Crypto
import NIOCore
import SigV4

extension S3Client {
    /// Uploads a file streamed from disk, never holding it in memory.
    ///
    /// The file is first read once to compute its SHA-256 and MD5 (and each part's, for multipart);
    /// files above `configuration.multipartThreshold` go in parts of `configuration.partSize` (grown
    /// when more than 10,000 parts would be needed), `uploadConcurrency` at a time. On any failure or
    /// cancellation the multipart upload is aborted: nothing appears at the key and no parts linger.
    /// Metadata rules as in `putObject`.
    ///
    /// With a `known` digest (the caller hashed the file already) the upload is held to it, so metadata
    /// derived from that hash can never describe other bytes: a single-part file is not hashed again but
    /// signed with the known SHA-256 and MD5, and S3 refuses changed bytes (`XAmzContentSHA256Mismatch`
    /// / `BadDigest`); a multipart file whose parts no longer add up to it is not sent at all
    /// (`S3Error.Kind.sourceChanged`).
    public func putFile(
        bucket: String, key: String, path: String, contentType: String? = nil, metadata: [String: String] = [:],
        known: FileContentDigest? = nil
    ) async throws -> UploadResult {
        let headers = try objectHeaders(operation: "PutObject", bucket: bucket, key: key, contentType: contentType, metadata: metadata)
        let size: Int64
        do {
            size = try FileReader(path: path).size()
        } catch {
            throw S3Error(kind: .invalidRequest, operation: "PutObject", bucket: bucket, key: key,
                          endpoint: configuration.endpointDescription, detail: error.description)
        }
        func checked(_ digests: (whole: String, parts: [PayloadDigest])) throws(S3Error) -> (whole: String, parts: [PayloadDigest]) {
            if let expected = known?.sha256Hex, digests.whole != expected {
                throw S3Error(kind: .sourceChanged, operation: "PutObject", bucket: bucket, key: key,
                              endpoint: configuration.endpointDescription, detail: "sha256 \(digests.whole.prefix(12))…, expected \(expected.prefix(12))…")
            }
            return digests
        }
        if size <= Int64(configuration.multipartThreshold) {
            let digest: PayloadDigest
            if let payload = known?.payload {
                digest = payload
            } else {
                digest = try checked(await fileDigests(path: path, size: size, partSize: max(size, 1), bucket: bucket, key: key))
                    .parts.first ?? PayloadDigest(of: ByteBuffer())
            }
            return try await putObject(
                bucket: bucket, key: key, body: .file(FileRegion(path: path, offset: 0, length: size)),
                digest: digest, headers: headers
            )
        }
        let partSize = try partSize(forFileOfSize: size, bucket: bucket, key: key)
        let digests = try checked(await fileDigests(path: path, size: size, partSize: partSize, bucket: bucket, key: key))
        let limit = max(1, configuration.uploadConcurrency)
        let completed = try await withMultipartUpload(bucket: bucket, key: key, headers: headers) { uploadID in
            try await withThrowingTaskGroup(of: CompletedPart.self) { group in
                var parts: [CompletedPart] = []
                parts.reserveCapacity(digests.parts.count)
                for (index, digest) in digests.parts.enumerated() {
                    if index >= limit, let part = try await group.next() { parts.append(part) }
                    let offset = Int64(index) * partSize
                    let region = FileRegion(path: path, offset: offset, length: min(partSize, size - offset))
                    group.addTask {
                        try await self.uploadPart(
                            bucket: bucket, key: key, uploadID: uploadID, partNumber: index + 1, body: .file(region),
                            digest: digest
                        )
                    }
                }
                for try await part in group { parts.append(part) }
                return parts
            }
        }
        return UploadResult(
            size: size, etag: completed.etag, sha256: digests.whole, versionID: completed.versionID,
            partCount: completed.partCount
        )
    }

    /// The part size for a file: the configured one (at least 5 MiB), grown to whole MiB so the file
    /// fits in 10,000 parts.
    func partSize(forFileOfSize size: Int64, bucket: String, key: String) throws(S3Error) -> Int64 {
        var partSize = Int64(max(configuration.partSize, S3Configuration.minimumPartSize))
        let mebibyte: Int64 = 1024 * 1024
        let needed = (size + Int64(S3Configuration.maximumPartCount) - 1) / Int64(S3Configuration.maximumPartCount)
        if needed > partSize { partSize = (needed + mebibyte - 1) / mebibyte * mebibyte }
        guard partSize <= Int64(S3Configuration.maximumPartSize) else {
            throw S3Error(kind: .invalidRequest, operation: "PutObject", bucket: bucket, key: key,
                          endpoint: configuration.endpointDescription,
                          detail: "the file is \(size) bytes, more than S3's 10,000 parts of 5 GiB can hold.")
        }
        return partSize
    }

    /// One pass over the file: the SHA-256 of the whole and SHA-256/MD5 of each part.
    func fileDigests(
        path: String, size: Int64, partSize: Int64, bucket: String, key: String
    ) async throws -> (whole: String, parts: [PayloadDigest]) {
        let chunkSize: Int64 = 1024 * 1024
        var whole = SHA256()
        var parts: [PayloadDigest] = []
        do {
            let reader = try FileReader(path: path)
            var partStart: Int64 = 0
            repeat {
                let partLength = min(partSize, size - partStart)
                var pair = DigestPair()
                var position: Int64 = 0
                while position < partLength {
                    try Task.checkCancellation()
                    let chunk = try reader.read(count: Int(min(chunkSize, partLength - position)), at: partStart + position)
                    guard chunk.readableBytes > 0 else {
                        throw LocalFileError(path: path, operation: "read (the file got shorter)", errno: 5, shrank: true)
                    }
                    pair.update(chunk)
                    chunk.withUnsafeReadableBytes { whole.update(bufferPointer: $0) }
                    position += Int64(chunk.readableBytes)
                    await Task.yield()
                }
                parts.append(pair.finalize())
                partStart += partLength
            } while partStart < size
        } catch let error as LocalFileError {
            throw S3Error(kind: error.shrank ? .sourceChanged : .invalidRequest, operation: "PutObject", bucket: bucket, key: key,
                          endpoint: configuration.endpointDescription, detail: error.shrank ? "it got shorter while it was read" : error.description)
        }
        return (whole.finalize().hexString, parts)
    }

    /// Uploads a stream of unknown length (an export, say), holding at most about one part per
    /// concurrent upload in memory.
    ///
    /// A stream that ends within `configuration.multipartThreshold` bytes becomes one PutObject; a longer
    /// one a multipart upload in parts of `configuration.partSize` (at least 5 MiB), `uploadConcurrency`
    /// at a time. The part size doubles every 2,000 parts, so the 10,000-part limit allows
    /// 62,000 × `partSize` bytes (about 484 GiB with 8 MiB parts). On failure or cancellation the upload
    /// is aborted. Returns the size, the ETag and the SHA-256 of the whole object.
    public func upload<Body: AsyncSequence>(
        bucket: String, key: String, contentType: String? = nil, metadata: [String: String] = [:], body: Body
    ) async throws -> UploadResult where Body.Element == ByteBuffer {
        let headers = try objectHeaders(operation: "PutObject", bucket: bucket, key: key, contentType: contentType, metadata: metadata)
        let threshold = configuration.multipartThreshold
        let basePartSize = max(configuration.partSize, S3Configuration.minimumPartSize)
        var whole = SHA256()
        var total: Int64 = 0
        var iterator = body.makeAsyncIterator()

        // Read until the stream ends or passes the threshold.
        var head = ByteBuffer()
        var streamEnded = false
        while head.readableBytes <= threshold {
            guard let chunk = try await iterator.next() else {
                streamEnded = true
                break
            }
            var bytes = chunk
            bytes.withUnsafeReadableBytes { whole.update(bufferPointer: $0) }
            total += Int64(bytes.readableBytes)
            head.writeBuffer(&bytes)
        }
        if streamEnded {
            let digest = PayloadDigest(of: head)
            var result = try await putObject(bucket: bucket, key: key, body: .bytes(head), digest: digest, headers: headers)
            result.sha256 = digest.sha256Hex
            return result
        }

        let limit = max(1, configuration.uploadConcurrency)
        let completed = try await withMultipartUpload(bucket: bucket, key: key, headers: headers) { uploadID in
            try await withThrowingTaskGroup(of: CompletedPart.self) { group in
                var parts: [CompletedPart] = []
                var inFlight = 0
                var partNumber = 1
                func partSize(_ number: Int) -> Int {
                    min(basePartSize << min((number - 1) / 2000, 20), S3Configuration.maximumPartSize)
                }
                func submit(_ part: ByteBuffer) async throws {
                    guard partNumber <= S3Configuration.maximumPartCount else {
                        throw S3Error(kind: .invalidRequest, operation: "UploadPart", bucket: bucket, key: key,
                                      endpoint: configuration.endpointDescription,
                                      detail: "the stream needs more than 10,000 parts; raise the part size.")
                    }
                    if inFlight >= limit, let done = try await group.next() {
                        parts.append(done)
                        inFlight -= 1
                    }
                    let number = partNumber
                    group.addTask {
                        try await self.uploadPart(
                            bucket: bucket, key: key, uploadID: uploadID, partNumber: number, body: .bytes(part),
                            digest: PayloadDigest(of: part)
                        )
                    }
                    inFlight += 1
                    partNumber += 1
                }
                // Cut what was read so far, then the rest of the stream, into parts.
                var current = ByteBuffer()
                var pending: ByteBuffer? = head
                head = ByteBuffer()
                while true {
                    guard var chunk = pending else { break }
                    while chunk.readableBytes > 0 {
                        let room = partSize(partNumber) - current.readableBytes
                        if current.capacity == 0 { current.reserveCapacity(partSize(partNumber)) }
                        var piece = chunk.readSlice(length: min(room, chunk.readableBytes)) ?? ByteBuffer()
                        current.writeBuffer(&piece)
                        if current.readableBytes == partSize(partNumber) {
                            try await submit(current)
                            current = ByteBuffer()
                        }
                    }
                    pending = try await iterator.next()
                    if let next = pending {
                        next.withUnsafeReadableBytes { whole.update(bufferPointer: $0) }
                        total += Int64(next.readableBytes)
                    }
                }
                if current.readableBytes > 0 { try await submit(current) }
                for try await part in group { parts.append(part) }
                return parts
            }
        }
        return UploadResult(
            size: total, etag: completed.etag, sha256: whole.finalize().hexString, versionID: completed.versionID,
            partCount: completed.partCount
        )
    }
}

import AsyncAlgorithms
import Crypto
import NIOCore
import S3

/// A piece of an export stream. The stream is complete only when `.end` arrives: a stream that stops
/// without it (cancellation, a failed producer) fails the upload instead of storing a truncated object.
enum ExportChunk: Sendable {
    case bytes(ByteBuffer)
    case end
}

typealias ExportChannel = AsyncThrowingChannel<ExportChunk, any Error>

/// Uploads one export stream to its final key.
///
/// A stream that fits under the multipart threshold is sent with one PutObject, its SHA-256 in the
/// `sha256` metadata; a longer one goes through `S3Client.upload` (multipart, aborted on failure), whose
/// SHA-256 is known only at the end and so is recorded in the run manifest. Either way nothing appears
/// at the key unless the whole stream arrived.
enum StreamUpload {
    static func run(
        client: S3Client, bucket: String, key: String, contentType: String, metadata: [String: String],
        channel: ExportChannel
    ) async throws -> UploadResult {
        var body = CompleteStream(iterator: channel.makeAsyncIterator())
        let threshold = client.configuration.multipartThreshold
        var chunks: [ByteBuffer] = []
        var size = 0
        while size <= threshold {
            guard let chunk = try await body.next() else {
                var whole = ByteBuffer()
                whole.reserveCapacity(size)
                var hasher = SHA256()
                for var chunk in chunks {
                    chunk.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
                    whole.writeBuffer(&chunk)
                }
                var metadata = metadata
                metadata["sha256"] = hasher.finalize().map { byte in
                    let hex = String(byte, radix: 16)
                    return byte < 16 ? "0" + hex : hex
                }.joined()
                try Task.checkCancellation()
                return try await client.putObject(bucket: bucket, key: key, body: whole, contentType: contentType, metadata: metadata)
            }
            size += chunk.readableBytes
            chunks.append(chunk)
        }
        return try await client.upload(
            bucket: bucket, key: key, contentType: contentType, metadata: metadata,
            body: Prefixed(head: chunks, rest: body))
    }
}

/// The channel's bytes, ending normally only at `.end`.
struct CompleteStream {
    var iterator: ExportChannel.AsyncIterator
    var ended = false

    mutating func next() async throws -> ByteBuffer? {
        if ended { return nil }
        switch try await iterator.next() {
        case .bytes(let bytes):
            return bytes
        case .end:
            ended = true
            return nil
        case nil:
            try Task.checkCancellation()
            throw CancellationError()
        }
    }
}

/// Chunks already read, then the rest of the stream.
struct Prefixed: AsyncSequence {
    typealias Element = ByteBuffer
    var head: [ByteBuffer]
    var rest: CompleteStream

    struct AsyncIterator: AsyncIteratorProtocol {
        var head: [ByteBuffer]
        var index = 0
        var rest: CompleteStream

        mutating func next() async throws -> ByteBuffer? {
            if index < head.count {
                defer {
                    head[index] = ByteBuffer()
                    index += 1
                }
                return head[index]
            }
            return try await rest.next()
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(head: head, rest: rest) }
}

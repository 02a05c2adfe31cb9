import Foundation
import Synchronization
import NIOCore
import S3
import SigV4
import Testing

@Suite("Uploads: files, multipart, streams, cleanup after failure")
struct UploadTests {
    static let mebibyte = 1024 * 1024

    @Test("a small file goes as one PutObject, streamed from disk")
    func smallFile() async throws {
        let bucket = try TestStack.makeBucket()
        let bytes = TestStack.bytes(count: 1_234_567, seed: 11)
        let path = try TestStack.temporaryFile(bytes: bytes)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let log = RecordLog()
        try await TestStack.withClient(onRequest: log.append) { s3 in
            let result = try await s3.putFile(bucket: bucket, key: "files/small ż.bin", path: path, contentType: "application/octet-stream")
            #expect(result.partCount == 0)
            #expect(result.size == Int64(bytes.count))
            #expect(result.sha256 == (try TestStack.sha256sum(path)))
            let object = try await s3.getObject(bucket: bucket, key: "files/small ż.bin")
            #expect(Array(object.body.readableBytesView) == bytes)
        }
        #expect(log.records.map(\.operation) == ["PutObject", "GetObject"])
    }

    @Test("an upload is held to the caller's hash: a single part is refused by S3, a multipart file is not sent")
    func knownDigestGuardsTheUpload() async throws {
        let bucket = try TestStack.makeBucket()
        let small = try TestStack.temporaryFile(bytes: TestStack.bytes(count: 4096, seed: 5))
        let large = try TestStack.temporaryFile(bytes: TestStack.bytes(count: 6 * Self.mebibyte, seed: 6))
        defer { for path in [small, large] { try? FileManager.default.removeItem(atPath: path) } }
        let stale = FileContentDigest(sha256Hex: String(repeating: "0", count: 64), md5Hex: String(repeating: "0", count: 32))
        let log = RecordLog()
        let configuration = TestStack.configuration(partSize: 5 * Self.mebibyte, multipartThreshold: 5 * Self.mebibyte)
        try await TestStack.withClient(configuration: configuration, onRequest: log.append) { s3 in
            // Single part: not read again, signed with the known hashes; S3 checks the bytes against them.
            let refused = await #expect(throws: S3Error.self) {
                try await s3.putFile(bucket: bucket, key: "pics/a.jpg", path: small, known: stale)
            }
            #expect(refused?.code == "XAmzContentSHA256Mismatch" || refused?.code == "BadDigest", "\(refused?.description ?? "")")
            // Multipart: the parts are hashed anyway; a file that no longer adds up is not sent.
            let changed = await #expect(throws: S3Error.self) {
                try await s3.putFile(bucket: bucket, key: "pics/b.jpg", path: large, known: stale)
            }
            #expect(changed?.kind == .sourceChanged)
            #expect(changed?.description.contains("the file changed after it was hashed") == true, "\(changed?.description ?? "")")
            #expect(try await s3.listObjectsV2(bucket: bucket).objects.isEmpty)

            let right = FileContentDigest(sha256Hex: try TestStack.sha256sum(small), md5Hex: try TestStack.md5sum(small))
            #expect(try await s3.putFile(bucket: bucket, key: "pics/a.jpg", path: small, known: right).sha256 == right.sha256Hex)
            let rightLarge = FileContentDigest(sha256Hex: try TestStack.sha256sum(large), md5Hex: try TestStack.md5sum(large))
            #expect(try await s3.putFile(bucket: bucket, key: "pics/b.jpg", path: large, known: rightLarge).partCount == 2)
        }
        #expect(log.records.map(\.operation) == ["PutObject", "ListObjectsV2", "PutObject",
                                                  "CreateMultipartUpload", "UploadPart", "UploadPart", "CompleteMultipartUpload"])
    }

    @Test("a 17 MiB file goes in 4 parts of 5 MiB and round-trips with the same SHA-256")
    func multipartFile() async throws {
        let bucket = try TestStack.makeBucket()
        let bytes = TestStack.bytes(count: 17 * Self.mebibyte + 12_345, seed: 17)
        let path = try TestStack.temporaryFile(bytes: bytes)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let log = RecordLog()
        try await TestStack.withClient(onRequest: log.append) { s3 in
            let result = try await s3.putFile(
                bucket: bucket, key: "exports/big file+1.bin", path: path, metadata: ["original-filename": "grosse Datei ü.bin"]
            )
            #expect(result.partCount == 4)
            #expect(result.size == Int64(bytes.count))
            #expect(result.etag.hasSuffix("-4\""))
            #expect(result.sha256 == (try TestStack.sha256sum(path)))

            let info = try await s3.headObject(bucket: bucket, key: "exports/big file+1.bin")
            #expect(info.size == Int64(bytes.count))
            #expect(info.metadata["original-filename"] == "grosse Datei ü.bin")
            #expect(info.serverSideEncryption == .aes256)
            let object = try await s3.getObject(bucket: bucket, key: "exports/big file+1.bin")
            #expect(Array(object.body.readableBytesView) == bytes)
        }
        let parts = log.records.filter { $0.operation == "UploadPart" }
        #expect(parts.count == 4)
        #expect(parts.map(\.bytesSent).sorted() == [Int64(2 * Self.mebibyte + 12_345), 5242880, 5242880, 5242880])
        #expect(try TestStack.openUploads(bucket: bucket).isEmpty)
    }

    @Test("a stream below the threshold becomes one PutObject")
    func smallStream() async throws {
        let bucket = try TestStack.makeBucket()
        let bytes = TestStack.bytes(count: 700_000, seed: 3)
        let log = RecordLog()
        try await TestStack.withClient(onRequest: log.append) { s3 in
            let result = try await s3.upload(
                bucket: bucket, key: "exports/small.csv", contentType: "text/csv", body: Chunks(bytes: bytes, chunk: 65_536)
            )
            #expect(result.partCount == 0)
            #expect(result.size == 700_000)
            let path = try TestStack.temporaryFile(bytes: bytes)
            defer { try? FileManager.default.removeItem(atPath: path) }
            #expect(result.sha256 == (try TestStack.sha256sum(path)))
            #expect(Array(try await s3.getObject(bucket: bucket, key: "exports/small.csv").body.readableBytesView) == bytes)
        }
        #expect(log.records.map(\.operation) == ["PutObject", "GetObject"])
    }

    @Test("a stream above the threshold becomes a multipart upload")
    func largeStream() async throws {
        let bucket = try TestStack.makeBucket()
        let bytes = TestStack.bytes(count: 11 * Self.mebibyte + 1, seed: 5)
        let log = RecordLog()
        try await TestStack.withClient(onRequest: log.append) { s3 in
            let result = try await s3.upload(
                bucket: bucket, key: "exports/large ą.jsonl", metadata: ["rows": "12345"],
                body: Chunks(bytes: bytes, chunk: 100_003)
            )
            #expect(result.partCount == 3)
            #expect(result.size == Int64(bytes.count))
            let path = try TestStack.temporaryFile(bytes: bytes)
            defer { try? FileManager.default.removeItem(atPath: path) }
            #expect(result.sha256 == (try TestStack.sha256sum(path)))
            let object = try await s3.getObject(bucket: bucket, key: "exports/large ą.jsonl")
            #expect(Array(object.body.readableBytesView) == bytes)
            #expect(object.info.metadata["rows"] == "12345")
        }
        #expect(log.records.filter { $0.operation == "UploadPart" }.count == 3)
        #expect(try TestStack.openUploads(bucket: bucket).isEmpty)
    }

    @Test("part 2 failing persistently: upload aborted, nothing at the key, no open upload")
    func failingMultipartIsAborted() async throws {
        let bucket = try TestStack.makeBucket()
        let bytes = TestStack.bytes(count: 12 * Self.mebibyte, seed: 9)
        let path = try TestStack.temporaryFile(bytes: bytes)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let log = RecordLog()
        let faultInstalled = Mutex(false)
        // One part at a time; once part 1 has succeeded, every later UploadPart of this bucket fails.
        let onRequest: @Sendable (S3RequestRecord) -> Void = { record in
            log.append(record)
            if record.operation == "UploadPart", record.status == 200, faultInstalled.withLock({ !$0 }) {
                faultInstalled.withLock { $0 = true }
                try? TestStack.injectFault(
                    #"{"count":100,"status":500,"code":"InternalError","operation":"UploadPart","bucket":"\#(bucket)"}"#
                )
            }
        }
        // The fault only matches this test's own bucket; it is left to expire with it (a global
        // DELETE /__voltlake/faults would also clear other tests' faults).
        try await TestStack.withClient(configuration: TestStack.configuration(concurrency: 1), onRequest: onRequest) { s3 in
            let error = await #expect(throws: S3Error.self) {
                try await s3.putFile(bucket: bucket, key: "exports/doomed.bin", path: path)
            }
            #expect(error?.operation == "UploadPart")
            #expect(error?.code == "InternalError")
            #expect(error?.abortFailure == nil)
            let missing = await #expect(throws: S3Error.self) { try await s3.headObject(bucket: bucket, key: "exports/doomed.bin") }
            #expect(missing?.status == 404)
        }
        let parts = log.records.filter { $0.operation == "UploadPart" }
        #expect(parts.map(\.status) == [200, 500, 500, 500])
        let aborts = log.records.filter { $0.operation == "AbortMultipartUpload" }
        #expect(aborts.map(\.status) == [204])
        #expect(!log.records.contains { $0.operation == "CompleteMultipartUpload" })
        #expect(try TestStack.openUploads(bucket: bucket).isEmpty)
    }

    @Test("when the abort is denied, the error says so and names s3:AbortMultipartUpload")
    func abortDenied() async throws {
        let bucket = try TestStack.makeBucket()
        try TestStack.injectFault(#"{"count":1,"status":403,"code":"AccessDenied","operation":"CompleteMultipartUpload","bucket":"\#(bucket)"}"#)
        let chunks = Chunks(bytes: TestStack.bytes(count: 6 * Self.mebibyte, seed: 2), chunk: 1 << 20)
        let uploadID = try await TestStack.withClient(key: "tutorial-policy") { s3 in
            let error = await #expect(throws: S3Error.self) {
                try await s3.upload(bucket: bucket, key: "orphan.bin", body: chunks)
            }
            #expect(error?.operation == "CompleteMultipartUpload")
            #expect(error?.abortFailure?.code == "AccessDenied")
            #expect(error?.description.contains("s3:AbortMultipartUpload") == true)
            #expect(error?.description.contains("could not be aborted") == true)
            return error?.abortFailure?.uploadID
        }
        let open = try TestStack.openUploads(bucket: bucket)
        #expect(open.count == 1)
        // Clean up with the admin key, as the message tells a user to.
        if let uploadID {
            try await TestStack.withClient(key: "admin") { s3 in
                try await s3.abortMultipartUpload(bucket: bucket, key: "orphan.bin", uploadID: uploadID)
            }
        }
        #expect(try TestStack.openUploads(bucket: bucket).isEmpty)
    }

    @Test("cancelling a multipart upload aborts it")
    func cancelledMultipartIsAborted() async throws {
        let bucket = try TestStack.makeBucket()
        let log = RecordLog()
        try await TestStack.withClient(onRequest: log.append) { s3 in
            let upload = Task {
                try await s3.upload(bucket: bucket, key: "cancelled.bin", body: SlowChunks(parts: 3, partSize: 5 * Self.mebibyte))
            }
            // Wait until the first part is stored, then cancel.
            for _ in 0..<600 where !log.records.contains(where: { $0.operation == "UploadPart" && $0.status == 200 }) {
                try await Task.sleep(for: .milliseconds(50))
            }
            upload.cancel()
            let result = await upload.result
            #expect(throws: (any Error).self) { try result.get() }
        }
        #expect(log.records.contains { $0.operation == "AbortMultipartUpload" && $0.status == 204 })
        #expect(try TestStack.openUploads(bucket: bucket).isEmpty)
        #expect(!log.records.contains { $0.operation == "CompleteMultipartUpload" })
    }
}

/// Bytes as an async sequence of buffers.
struct Chunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let bytes: [UInt8]
    let chunk: Int

    struct AsyncIterator: AsyncIteratorProtocol {
        let bytes: [UInt8]
        let chunk: Int
        var offset = 0
        mutating func next() async -> ByteBuffer? {
            guard offset < bytes.count else { return nil }
            let end = Swift.min(offset + chunk, bytes.count)
            defer { offset = end }
            return ByteBuffer(bytes: bytes[offset..<end])
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(bytes: bytes, chunk: chunk) }
}

/// A stream that yields one part quickly and then waits long before each further part.
struct SlowChunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let parts: Int
    let partSize: Int

    struct AsyncIterator: AsyncIteratorProtocol {
        let parts: Int
        let partSize: Int
        var produced = 0
        mutating func next() async throws -> ByteBuffer? {
            guard produced < parts + 1 else { return nil }
            if produced >= 2 { try await Task.sleep(for: .seconds(30)) }
            produced += 1
            return ByteBuffer(repeating: UInt8(produced), count: partSize / 2 + 1)
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(parts: parts, partSize: partSize) }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore

/// A byte range of a file on disk.
struct FileRegion: Sendable, Hashable {
    var path: String
    var offset: Int64
    var length: Int64
}

/// A local file could not be opened or read.
struct LocalFileError: Error, Sendable, CustomStringConvertible {
    var path: String
    var operation: String
    var errno: Int32
    /// The file ended before the length it had when the upload was planned: it changed under us.
    var shrank = false

    var description: String {
        "cannot \(operation) \(path): \(String(cString: strerror(errno)))"
    }
}

/// An open file read with `pread`, closed when released. Owned by one iterator or one function.
final class FileReader {
    let path: String
    private let descriptor: Int32

    init(path: String) throws(LocalFileError) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw LocalFileError(path: path, operation: "open", errno: errno) }
        self.path = path
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    /// The file's size in bytes.
    func size() throws(LocalFileError) -> Int64 {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw LocalFileError(path: path, operation: "stat", errno: errno) }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw LocalFileError(path: path, operation: "upload", errno: EISDIR) }
        return Int64(info.st_size)
    }

    /// Reads up to `count` bytes at `offset` into a new buffer; an empty buffer means end of file.
    func read(count: Int, at offset: Int64, allocator: ByteBufferAllocator = ByteBufferAllocator()) throws(LocalFileError) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: count)
        var filled = 0
        while filled < count {
            let result = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count - filled) { pointer in
                pread(descriptor, pointer.baseAddress, count - filled, off_t(offset) + off_t(filled))
            }
            if result < 0 {
                if errno == EINTR { continue }
                throw LocalFileError(path: path, operation: "read", errno: errno)
            }
            if result == 0 { break }
            filled += result
        }
        return buffer
    }
}

/// A file region as a sequence of buffers; every iteration opens the file anew and starts at the
/// region's beginning, so a retried request re-reads exactly the same bytes.
struct FileChunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer

    var region: FileRegion
    var chunkSize: Int = 256 * 1024

    struct AsyncIterator: AsyncIteratorProtocol {
        let region: FileRegion
        let chunkSize: Int
        var reader: FileReader?
        var position: Int64 = 0

        mutating func next() async throws -> ByteBuffer? {
            guard position < region.length else { return nil }
            if reader == nil { reader = try FileReader(path: region.path) }
            guard let reader else { return nil }
            let count = Int(Swift.min(Int64(chunkSize), region.length - position))
            let chunk = try reader.read(count: count, at: region.offset + position)
            guard chunk.readableBytes > 0 else {
                throw LocalFileError(path: region.path, operation: "read (the file got shorter while uploading)", errno: EIO, shrank: true)
            }
            position += Int64(chunk.readableBytes)
            return chunk
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(region: region, chunkSize: chunkSize)
    }
}

import Crypto
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import S3

/// An object already under `images/components/`, as the listing shows it.
public struct RemotePicture: Sendable, Hashable {
    public var size: Int64
    /// The ETag, quotes included.
    public var etag: String?

    public init(size: Int64, etag: String?) {
        self.size = size
        self.etag = etag
    }
}

/// Why an object is (re)uploaded.
public enum UploadReason: String, Sendable, Hashable, Codable {
    /// No object at the key yet.
    case new
    /// The object's content differs from the file.
    case changed
}

/// What the listing alone says about one key.
public enum SyncDecision: Sendable, Hashable {
    case unchanged
    case upload(UploadReason)
    /// The listing cannot tell (multipart ETag, or an ETag that is not the MD5, as with SSE-KMS):
    /// ask HeadObject for the `sha256` metadata.
    case needsHead

    /// Decides by content: size, then the ETag of single-part uploads (the MD5 of the bytes for SSE-S3
    /// and unencrypted objects). Modification times are never used.
    public static func compare(size: Int64, digest: FileDigest, remote: RemotePicture?) -> SyncDecision {
        guard let remote else { return .upload(.new) }
        guard remote.size == size else { return .upload(.changed) }
        guard let etag = remote.etag.map(unquoted), !etag.contains("-") else { return .needsHead }
        return etag.lowercased() == digest.md5Hex ? .unchanged : .needsHead
    }

    /// Decides from HeadObject: the `sha256` metadata voltlake writes (the digest must include SHA-256).
    public static func compare(digest: FileDigest, head: ObjectInfo) -> SyncDecision {
        guard let sha256 = digest.sha256Hex else { return .upload(.changed) }
        return head.metadata["sha256"]?.lowercased() == sha256 ? .unchanged : .upload(.changed)
    }

    static func unquoted(_ etag: String) -> String {
        var value = Substring(etag)
        if value.hasPrefix("W/") { value = value.dropFirst(2) }
        if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = value.dropFirst().dropLast() }
        return String(value)
    }
}

/// MD5 (and SHA-256 when asked) of a file, in one streaming pass.
public struct FileDigest: Sendable, Hashable {
    public var md5Hex: String
    /// Nil when only the MD5 was needed (comparing with a listing's ETag).
    public var sha256Hex: String?
    /// Bytes read.
    public var size: Int64

    public init(md5Hex: String, sha256Hex: String?, size: Int64) {
        self.md5Hex = md5Hex
        self.sha256Hex = sha256Hex
        self.size = size
    }

    /// Reads the file in 256 KiB pieces; holds no more than that.
    public static func of(path: String, sha256 withSHA256: Bool = true) throws(LocalReadError) -> FileDigest {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw LocalReadError(path: path, operation: "open", errno: errno) }
        defer { close(descriptor) }
        var md5 = Insecure.MD5()
        var sha256 = SHA256()
        var total: Int64 = 0
        let capacity = 256 * 1024
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count = read(descriptor, buffer.baseAddress, capacity)
            if count < 0 {
                if errno == EINTR { continue }
                throw LocalReadError(path: path, operation: "read", errno: errno)
            }
            if count == 0 { break }
            let chunk = UnsafeRawBufferPointer(rebasing: buffer[0..<count])
            md5.update(bufferPointer: chunk)
            if withSHA256 { sha256.update(bufferPointer: chunk) }
            total += Int64(count)
        }
        return FileDigest(md5Hex: hex(md5.finalize()), sha256Hex: withSHA256 ? hex(sha256.finalize()) : nil, size: total)
    }

    static func hex(_ digest: some Digest) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(type(of: digest).byteCount * 2)
        for byte in digest {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// A local file could not be read.
public struct LocalReadError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var operation: String
    public var errno: Int32

    public var description: String {
        "cannot \(operation) \(path): \(String(cString: strerror(errno)))"
    }
}

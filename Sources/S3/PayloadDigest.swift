import Crypto
import Foundation
import NIOCore

/// The checksums sent with a body: signed SHA-256 and `Content-MD5`.
struct PayloadDigest: Sendable, Hashable {
    var sha256Hex: String
    var md5Base64: String

    init(sha256Hex: String, md5Base64: String) {
        self.sha256Hex = sha256Hex
        self.md5Base64 = md5Base64
    }

    init(of buffer: ByteBuffer) {
        var hasher = DigestPair()
        hasher.update(buffer)
        self = hasher.finalize()
    }
}

/// A whole file's SHA-256 and MD5 (hex) as the caller computed them earlier, for `putFile(known:)`.
public struct FileContentDigest: Sendable, Hashable {
    public var sha256Hex: String
    public var md5Hex: String

    public init(sha256Hex: String, md5Hex: String) {
        self.sha256Hex = sha256Hex
        self.md5Hex = md5Hex
    }

    /// The same digest as a request payload's (Content-MD5 is base64 of the raw MD5); nil when the hex is not 16 bytes.
    var payload: PayloadDigest? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16)
        var utf8 = md5Hex.utf8.makeIterator()
        while let high = utf8.next() {
            guard let low = utf8.next(), let h = Self.nibble(high), let l = Self.nibble(low) else { return nil }
            bytes.append(h << 4 | l)
        }
        guard bytes.count == 16, sha256Hex.utf8.count == 64 else { return nil }
        return PayloadDigest(sha256Hex: sha256Hex, md5Base64: Data(bytes).base64EncodedString())
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

/// SHA-256 and MD5 computed together in one pass.
struct DigestPair {
    private var sha256 = SHA256()
    private var md5 = Insecure.MD5()

    mutating func update(_ buffer: ByteBuffer) {
        buffer.withUnsafeReadableBytes { bytes in
            sha256.update(bufferPointer: bytes)
            md5.update(bufferPointer: bytes)
        }
    }

    func finalize() -> PayloadDigest {
        PayloadDigest(sha256Hex: sha256.finalize().hexString, md5Base64: Data(md5.finalize()).base64EncodedString())
    }
}

extension Digest {
    var hexString: String {
        let hex = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(Self.byteCount * 2)
        for byte in self {
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

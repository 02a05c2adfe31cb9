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

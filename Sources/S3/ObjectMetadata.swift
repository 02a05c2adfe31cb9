/// User metadata (`x-amz-meta-*`) on the wire.
///
/// Names must be lower-case ASCII letters, digits and hyphens (`component-id`, `sha256`): names with `_`
/// or upper case are dropped or refused by some S3-compatible servers, so they are rejected here.
/// Values are sent as printable ASCII; a byte outside 0x21…0x7E (non-ASCII as UTF-8, control
/// characters, a leading or trailing space) and `%` itself are percent-encoded (RFC 3986, upper-case
/// hex), e.g. `Łódź` → `%C5%81%C3%B3d%C5%BA`. `headObject` decodes them again.
enum ObjectMetadata {
    static let headerPrefix = "x-amz-meta-"

    /// Validates the names and encodes the values into headers.
    static func headers(for metadata: [String: String]) throws(MetadataError) -> [(String, String)] {
        var out: [(String, String)] = []
        for (name, value) in metadata.sorted(by: { $0.key < $1.key }) {
            guard isValidName(name) else { throw MetadataError(name: name) }
            out.append((headerPrefix + name, encode(value)))
        }
        return out
    }

    static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }
    }

    static func encode(_ value: String) -> String {
        let bytes = Array(value.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        let hex = Array("0123456789ABCDEF".utf8)
        for (index, byte) in bytes.enumerated() {
            let isEdgeSpace = byte == 0x20 && (index == 0 || index == bytes.count - 1)
            if byte < 0x20 || byte > 0x7E || byte == 0x25 || isEdgeSpace {
                out += [0x25, hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            } else {
                out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Reverses `encode`; a value that is not valid percent-encoded UTF-8 is returned as it came.
    static func decode(_ value: String) -> String {
        guard value.utf8.contains(0x25) else { return value }
        return percentDecoded(value) ?? value
    }

    /// Percent-decodes `%XX` sequences; nil when a sequence is malformed or the result is not UTF-8.
    static func percentDecoded(_ value: String, plusAsSpace: Bool = false) -> String? {
        let bytes = Array(value.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x25 {
                guard index + 2 < bytes.count, let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2])
                else { return nil }
                out.append(high << 4 | low)
                index += 3
            } else {
                out.append(plusAsSpace && byte == 0x2B ? 0x20 : byte)
                index += 1
            }
        }
        return String(validating: out, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: return byte - 0x30
        case 0x41...0x46: return byte - 0x41 + 10
        case 0x61...0x66: return byte - 0x61 + 10
        default: return nil
        }
    }
}

struct MetadataError: Error {
    var name: String
}

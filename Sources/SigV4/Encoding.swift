/// Byte-level helpers for the canonical request: URI encoding as S3 wants it, hex, header values.
enum Encoding {
    /// 1 for the RFC 3986 unreserved bytes `A-Z a-z 0-9 - _ . ~`, 0 otherwise.
    static let unreserved: [Bool] = (0..<256).map { byte in
        switch UInt8(byte) {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    static let upperHex: [UInt8] = Array("0123456789ABCDEF".utf8)
    static let lowerHex: [UInt8] = Array("0123456789abcdef".utf8)

    /// Appends `bytes` percent-encoded once: unreserved bytes kept, "/" kept when `keepSlash`.
    static func appendEncoded<C: Collection<UInt8>>(_ bytes: C, keepSlash: Bool, to out: inout [UInt8]) {
        if let done: Void = bytes.withContiguousStorageIfAvailable({ appendEncoded(buffer: $0, keepSlash: keepSlash, to: &out) }) {
            return done
        }
        let array = Array(bytes)
        array.withUnsafeBufferPointer { appendEncoded(buffer: $0, keepSlash: keepSlash, to: &out) }
    }

    /// The encoding loop over contiguous bytes, writing straight into the array's spare capacity.
    static func appendEncoded(buffer: UnsafeBufferPointer<UInt8>, keepSlash: Bool, to out: inout [UInt8]) {
        let encoded = [UInt8](unsafeUninitializedCapacity: buffer.count * 3) { target, initialized in
            unreserved.withUnsafeBufferPointer { table in
                upperHex.withUnsafeBufferPointer { hex in
                    var index = 0
                    for byte in buffer {
                        if table[Int(byte)] || (keepSlash && byte == UInt8(ascii: "/")) {
                            target[index] = byte
                            index += 1
                        } else {
                            target[index] = UInt8(ascii: "%")
                            target[index + 1] = hex[Int(byte >> 4)]
                            target[index + 2] = hex[Int(byte & 0x0F)]
                            index += 3
                        }
                    }
                    initialized = index
                }
            }
        }
        out.append(contentsOf: encoded)
    }

    /// The path as S3 signs it and as it goes on the wire: each segment encoded once, "/" kept,
    /// an empty path becomes "/".
    static func path(_ path: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(path.utf8.count + 16)
        appendPath(path, to: &out)
        return out
    }

    static func appendPath(_ path: String, to out: inout [UInt8]) {
        if path.isEmpty {
            out.append(UInt8(ascii: "/"))
            return
        }
        if path.utf8.first != UInt8(ascii: "/") {
            out.append(UInt8(ascii: "/"))
        }
        appendEncoded(path.utf8, keepSlash: true, to: &out)
    }

    /// A query component encoded for the canonical query ("/" becomes "%2F").
    static func queryComponent(_ string: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(string.utf8.count + 8)
        appendEncoded(string.utf8, keepSlash: false, to: &out)
        return out
    }

    typealias EncodedPair = (name: [UInt8], value: [UInt8])

    static func encodedPairs(_ items: [QueryItem]) -> [EncodedPair] {
        items.map { (queryComponent($0.name), queryComponent($0.value)) }
    }

    /// Sorts by encoded name, then encoded value (byte order), as SigV4 requires.
    static func sortPairs(_ pairs: inout [EncodedPair]) {
        pairs.sort { lhs, rhs in
            if lhs.name == rhs.name { return lhs.value.lexicographicallyPrecedes(rhs.value) }
            return lhs.name.lexicographicallyPrecedes(rhs.name)
        }
    }

    /// Appends `name=value&…` sorted; nothing for no pairs.
    static func appendCanonicalQuery(_ pairs: [EncodedPair], to out: inout [UInt8]) {
        var sorted = pairs
        sortPairs(&sorted)
        appendJoined(sorted, to: &out)
    }

    static func appendJoined(_ pairs: [EncodedPair], to out: inout [UInt8]) {
        var first = true
        for pair in pairs {
            if !first { out.append(UInt8(ascii: "&")) }
            first = false
            out.append(contentsOf: pair.name)
            out.append(UInt8(ascii: "="))
            out.append(contentsOf: pair.value)
        }
    }

    @inline(__always)
    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x0B || byte == 0x0C
    }

    /// Appends a header value trimmed, with inner runs of whitespace collapsed to one space.
    static func appendTrimmedValue(_ value: String, to out: inout [UInt8]) {
        var pendingSpace = false
        var wroteAny = false
        for byte in value.utf8 {
            if isWhitespace(byte) {
                pendingSpace = wroteAny
            } else {
                if pendingSpace { out.append(0x20) }
                pendingSpace = false
                wroteAny = true
                out.append(byte)
            }
        }
    }

    /// A header name lower-cased (ASCII) and trimmed.
    static func headerName(_ name: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(name.utf8.count)
        for byte in name.utf8 where !isWhitespace(byte) {
            out.append(byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte)
        }
        return out
    }

    /// Appends the lower-case hex of `bytes`.
    @inline(__always)
    static func appendHex<S: Sequence<UInt8>>(_ bytes: S, to out: inout [UInt8]) {
        lowerHex.withUnsafeBufferPointer { hex in
            for byte in bytes {
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0F)])
            }
        }
    }

    /// Appends the decimal digits of a non-negative integer.
    static func appendDecimal(_ value: Int, to out: inout [UInt8]) {
        if value < 10 {
            out.append(UInt8(ascii: "0") + UInt8(value))
            return
        }
        var digits: [UInt8] = []
        var rest = value
        while rest > 0 {
            digits.append(UInt8(ascii: "0") + UInt8(rest % 10))
            rest /= 10
        }
        out.append(contentsOf: digits.reversed())
    }
}

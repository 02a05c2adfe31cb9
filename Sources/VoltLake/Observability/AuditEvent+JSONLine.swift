extension AuditEvent {
    /// The event as one JSON line, byte for byte what `JSONEncoder` writes with `.sortedKeys` and
    /// `.withoutEscapingSlashes` (absent fields left out), plus a newline. Written by hand because the
    /// service writes one per link issued, and `JSONEncoder` was most of that route's CPU.
    public var jsonLine: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(384)
        out.append(UInt8(ascii: "{"))
        var first = true
        func field(_ name: StaticString) {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            out.append(UInt8(ascii: "\""))
            name.withUTF8Buffer { out.append(contentsOf: $0) }
            out.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
        }
        func string(_ name: StaticString, _ value: String?) {
            guard let value else { return }
            field(name)
            Self.appendJSONString(value, to: &out)
        }
        func integer(_ name: StaticString, _ value: (some BinaryInteger)?) {
            guard let value else { return }
            field(name)
            out.append(contentsOf: String(value).utf8)
        }
        // Keys in sorted (byte) order, as `.sortedKeys` writes them.
        string("accessKeyID", accessKeyID)
        integer("attempt", attempt)
        string("bucket", bucket)
        integer("bytes", bytes)
        string("clientAddress", clientAddress)
        if let durationMs {
            field("durationMs")
            out.append(contentsOf: Self.jsonNumber(durationMs).utf8)
        }
        string("errorCode", errorCode)
        string("expiresAt", expiresAt)
        string("key", self.key)
        string("link", link)
        string("operation", operation)
        string("requestID", requestID)
        integer("status", status)
        string("time", time)
        out.append(contentsOf: [UInt8(ascii: "}"), UInt8(ascii: "\n")])
        return out
    }

    /// A JSON string: quotes, backslashes and control characters escaped as JSONEncoder escapes them.
    static func appendJSONString(_ value: String, to out: inout [UInt8]) {
        let hex = hexDigits
        out.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x08: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x0C: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case 0x00..<0x20:
                out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                        hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// A finite Double as JSONEncoder writes it: whole values without a fraction, others in Swift's shortest form.
    static func jsonNumber(_ value: Double) -> String {
        if value.rounded() == value, abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }
}

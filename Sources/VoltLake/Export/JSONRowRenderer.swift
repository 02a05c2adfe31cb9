import NIOCore

/// Renders a row as the JSON object `row_to_json` would give, from the column texts PostgreSQL already
/// sent for the CSV, so the server renders each value once. Types it does not know (arrays, composites,
/// domains, ranges…) come pre-rendered by `to_json(col)` in extra columns after the texts.
struct JSONRowRenderer: Sendable {
    enum Kind: Sendable, Hashable {
        /// Integers, floats, numeric: the text is the JSON number (NaN and infinities become strings).
        case number
        /// `t` / `f` (bool is selected with its output function).
        case boolean
        /// Any text: a JSON string.
        case string
        /// json / jsonb: the text is JSON already.
        case json
        /// `YYYY-MM-DD HH:MM:SS[.f][ BC]` → ISO 8601 with `T`.
        case timestamp
        /// As timestamp, in UTC: the `+00` offset written `+00:00`.
        case timestamptz
        /// `\x…` hex → base64.
        case bytea
        /// Rendered by `to_json` in SQL: the extra column at this index.
        case preRendered(Int)
    }

    /// The JSON kind of a PostgreSQL type; nil means "let `to_json` render it".
    static func kind(oid: UInt32) -> Kind? {
        switch oid {
        case 20, 21, 23, 700, 701, 1700: return .number
        case 16: return .boolean
        case 25, 1043, 1042, 19, 2950, 1082, 1083, 1266, 1186, 869, 650, 18: return .string
        case 114, 3802: return .json
        case 1114: return .timestamp
        case 1184: return .timestamptz
        case 17: return .bytea
        default: return nil
        }
    }

    let kinds: [Kind]
    /// `"name":` for each column, escaped, with the separator before it (`{` or `,`).
    let keys: [[UInt8]]

    init(columns: [ExportColumn]) {
        var extra = 0
        kinds = columns.map { column in
            if let kind = Self.kind(oid: column.oid) { return kind }
            defer { extra += 1 }
            return .preRendered(extra)
        }
        keys = columns.enumerated().map { index, column in
            var out = ByteBuffer()
            out.writeInteger(index == 0 ? UInt8(ascii: "{") : UInt8(ascii: ","))
            Self.writeString(ByteBuffer(string: column.name), into: &out)
            out.writeInteger(UInt8(ascii: ":"))
            return Array(out.readableBytesView)
        }
    }

    /// How many `to_json` columns follow the texts.
    var preRenderedCount: Int { kinds.filter { if case .preRendered = $0 { return true } else { return false } }.count }

    /// Writes one row: `texts` are the column texts (nil is NULL), `extra` the `to_json` texts.
    func write(texts: [ByteBuffer?], extra: [ByteBuffer?], into out: inout ByteBuffer) {
        if kinds.isEmpty { out.writeString("{"); }
        for (index, kind) in kinds.enumerated() {
            out.writeBytes(keys[index])
            if case .preRendered(let at) = kind {
                if let value = extra[at] { out.writeImmutableBuffer(value) } else { out.writeString("null") }
                continue
            }
            guard let text = texts[index] else {
                out.writeString("null")
                continue
            }
            switch kind {
            case .number:
                let first = text.getInteger(at: text.readerIndex, as: UInt8.self)
                let last = text.getInteger(at: text.writerIndex - 1, as: UInt8.self)
                // NaN, Infinity, -Infinity are not JSON numbers.
                if first == UInt8(ascii: "N") || last == UInt8(ascii: "y") { Self.writeString(text, into: &out) }
                else { out.writeImmutableBuffer(text) }
            case .boolean:
                out.writeString(text.getInteger(at: text.readerIndex, as: UInt8.self) == UInt8(ascii: "t") ? "true" : "false")
            case .string:
                Self.writeString(text, into: &out)
            case .json:
                out.writeImmutableBuffer(text)
            case .timestamp, .timestamptz:
                Self.writeTimestamp(text, utcOffset: kind == .timestamptz, into: &out)
            case .bytea:
                Self.writeBase64(hex: text, into: &out)
            case .preRendered:
                break
            }
        }
        out.writeInteger(UInt8(ascii: "}"))
    }

    /// A JSON string, escaped as PostgreSQL's `escape_json` does (UTF-8 kept as is).
    static func writeString(_ text: ByteBuffer, into out: inout ByteBuffer) {
        out.writeInteger(UInt8(ascii: "\""))
        text.withUnsafeReadableBytes { bytes in
            var start = 0
            for index in bytes.indices {
                let byte = bytes[index]
                guard byte < 0x20 || byte == 0x22 || byte == 0x5C else { continue }
                out.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[start..<index]))
                switch byte {
                case 0x22: out.writeString("\\\"")
                case 0x5C: out.writeString("\\\\")
                case 0x08: out.writeString("\\b")
                case 0x0C: out.writeString("\\f")
                case 0x0A: out.writeString("\\n")
                case 0x0D: out.writeString("\\r")
                case 0x09: out.writeString("\\t")
                default:
                    let hex = Array("0123456789abcdef".utf8)
                    out.writeString("\\u00")
                    out.writeInteger(hex[Int(byte >> 4)])
                    out.writeInteger(hex[Int(byte & 0x0F)])
                }
                start = index + 1
            }
            out.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[start...]))
        }
        out.writeInteger(UInt8(ascii: "\""))
    }

    /// `2024-02-29 23:59:59.5` → `"2024-02-29T23:59:59.5"`; with `utcOffset`, `+00` → `+00:00`
    /// (the session is in UTC); ` BC` and `infinity` kept as `row_to_json` writes them.
    static func writeTimestamp(_ text: ByteBuffer, utcOffset: Bool, into out: inout ByteBuffer) {
        out.writeInteger(UInt8(ascii: "\""))
        text.withUnsafeReadableBytes { bytes in
            let count = bytes.count
            let bc = count >= 3 && bytes[count - 3] == 0x20 && bytes[count - 2] == UInt8(ascii: "B") && bytes[count - 1] == UInt8(ascii: "C")
            let end = bc ? count - 3 : count
            let space = bytes.firstIndex(of: 0x20).flatMap { $0 < end ? $0 : nil }
            if let space {
                out.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[0..<space]))
                out.writeInteger(UInt8(ascii: "T"))
                out.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[(space + 1)..<end]))
            } else {
                out.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[0..<end]))
            }
            if utcOffset, end >= 3, bytes[end - 3] == UInt8(ascii: "+"), bytes[end - 2] == UInt8(ascii: "0"),
               bytes[end - 1] == UInt8(ascii: "0") {
                out.writeString(":00")
            }
            if bc { out.writeString(" BC") }
        }
        out.writeInteger(UInt8(ascii: "\""))
    }

    private static let base64Table = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// bytea's hex text (`\x0001ff`) as a base64 JSON string.
    static func writeBase64(hex text: ByteBuffer, into out: inout ByteBuffer) {
        func nibble(_ c: UInt8) -> UInt8 {
            switch c {
            case 0x30...0x39: return c - 0x30
            case 0x61...0x66: return c - 0x61 + 10
            case 0x41...0x46: return c - 0x41 + 10
            default: return 0
            }
        }
        let hex = Array(text.readableBytesView.dropFirst(2))
        var raw: [UInt8] = []
        raw.reserveCapacity(hex.count / 2)
        var index = 0
        while index + 1 < hex.count {
            raw.append(nibble(hex[index]) << 4 | nibble(hex[index + 1]))
            index += 2
        }
        out.writeInteger(UInt8(ascii: "\""))
        var at = 0
        while at + 2 < raw.count {
            let n = UInt32(raw[at]) << 16 | UInt32(raw[at + 1]) << 8 | UInt32(raw[at + 2])
            out.writeBytes([base64Table[Int(n >> 18 & 63)], base64Table[Int(n >> 12 & 63)], base64Table[Int(n >> 6 & 63)], base64Table[Int(n & 63)]])
            at += 3
        }
        let rest = raw.count - at
        if rest == 1 {
            let n = UInt32(raw[at]) << 16
            out.writeBytes([base64Table[Int(n >> 18 & 63)], base64Table[Int(n >> 12 & 63)], UInt8(ascii: "="), UInt8(ascii: "=")])
        } else if rest == 2 {
            let n = UInt32(raw[at]) << 16 | UInt32(raw[at + 1]) << 8
            out.writeBytes([base64Table[Int(n >> 18 & 63)], base64Table[Int(n >> 12 & 63)], base64Table[Int(n >> 6 & 63)], UInt8(ascii: "=")])
        }
        out.writeInteger(UInt8(ascii: "\""))
    }
}

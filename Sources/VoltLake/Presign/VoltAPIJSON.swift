import NIOCore
import SigV4

/// The Volt API's JSON, written by hand straight into a buffer (this is the service's hot path):
/// `{"success":true,"data":{"componentId":…,"imageUrl":…,"expiresAt":"2024-12-21T14:30:22Z","expiresInHours":24}}`
/// and `{"success":false,"error":"…"}`. Slashes are not escaped; non-ASCII text stays UTF-8.
public enum VoltAPIJSON {
    /// Writes the success document for `link`.
    public static func writeLink(_ link: PictureLink, into buffer: inout ByteBuffer) {
        buffer.writeStaticString(#"{"success":true,"data":{"componentId":""#)
        writeEscaped(link.componentID, into: &buffer)
        buffer.writeStaticString(#"","imageUrl":""#)
        writeEscaped(link.url, into: &buffer)
        buffer.writeStaticString(#"","expiresAt":""#)
        writeISO8601(epochSecond: link.expiresAtEpochSecond, into: &buffer)
        buffer.writeStaticString(#"","expiresInHours":"#)
        buffer.writeString(String(link.expiresInHours))
        buffer.writeStaticString("}}")
    }

    /// Writes `{"success":false,"error":message}`.
    public static func writeError(_ message: String, into buffer: inout ByteBuffer) {
        buffer.writeStaticString(#"{"success":false,"error":""#)
        writeEscaped(message, into: &buffer)
        buffer.writeStaticString(#""}"#)
    }

    /// The success document as text.
    public static func link(_ link: PictureLink) -> String {
        var buffer = ByteBufferAllocator().buffer(capacity: 256 + link.url.utf8.count)
        writeLink(link, into: &buffer)
        return String(buffer: buffer)
    }

    /// The error document as text.
    public static func error(_ message: String) -> String {
        var buffer = ByteBufferAllocator().buffer(capacity: 32 + message.utf8.count)
        writeError(message, into: &buffer)
        return String(buffer: buffer)
    }

    /// Writes a JSON string body (without quotes): `"` `\` and control characters escaped, nothing else.
    public static func writeEscaped(_ text: String, into buffer: inout ByteBuffer) {
        let needsEscaping = text.utf8.withContiguousStorageIfAvailable { bytes in
            bytes.contains { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }
        } ?? true
        guard needsEscaping else {
            buffer.writeString(text)
            return
        }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): buffer.writeStaticString("\\\"")
            case UInt8(ascii: "\\"): buffer.writeStaticString("\\\\")
            case 0x0A: buffer.writeStaticString("\\n")
            case 0x0D: buffer.writeStaticString("\\r")
            case 0x09: buffer.writeStaticString("\\t")
            case 0x00..<0x20:
                buffer.writeStaticString("\\u00")
                buffer.writeInteger(hexDigits[Int(byte >> 4)])
                buffer.writeInteger(hexDigits[Int(byte & 0x0F)])
            default:
                buffer.writeInteger(byte)
            }
        }
    }

    /// Writes `YYYY-MM-DDTHH:MM:SSZ` (UTC) for seconds since 1970.
    public static func writeISO8601(epochSecond: Int64, into buffer: inout ByteBuffer) {
        let days = UTCCalendar.floorDiv(epochSecond, 86_400)
        let secondOfDay = Int(epochSecond - days * 86_400)
        let (year, month, day) = UTCCalendar.civil(fromDays: days)
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: 20) { raw in
            func put(_ value: Int, at index: Int, width: Int) {
                var rest = value
                var position = index + width - 1
                while position >= index {
                    raw[position] = UInt8(ascii: "0") + UInt8(rest % 10)
                    rest /= 10
                    position -= 1
                }
            }
            put(max(0, min(year, 9999)), at: 0, width: 4)
            raw[4] = UInt8(ascii: "-")
            put(month, at: 5, width: 2)
            raw[7] = UInt8(ascii: "-")
            put(day, at: 8, width: 2)
            raw[10] = UInt8(ascii: "T")
            put(secondOfDay / 3600, at: 11, width: 2)
            raw[13] = UInt8(ascii: ":")
            put(secondOfDay / 60 % 60, at: 14, width: 2)
            raw[16] = UInt8(ascii: ":")
            put(secondOfDay % 60, at: 17, width: 2)
            raw[19] = UInt8(ascii: "Z")
            return 20
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
}

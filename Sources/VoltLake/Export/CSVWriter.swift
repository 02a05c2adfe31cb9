import NIOCore

/// Writes RFC 4180 CSV straight into a `ByteBuffer`: CRLF record ends, UTF-8 without BOM, fields with a
/// comma, quote, CR or LF quoted and quotes doubled. NULL and the empty string stay apart as in
/// PostgreSQL's own CSV: NULL is an unquoted empty field (or `nullToken`, unquoted), an empty string is `""`.
public struct CSVWriter: Sendable {
    /// What a NULL is written as; empty means an unquoted empty field. A value equal to it is quoted.
    public var nullToken: [UInt8]

    public init(nullToken: String = "") {
        self.nullToken = Array(nullToken.utf8)
    }

    /// Appends one record: `nil` is NULL, anything else the field's UTF-8 bytes.
    public func writeRecord(_ fields: some Sequence<ByteBuffer?>, into out: inout ByteBuffer) {
        var first = true
        for field in fields {
            if !first { writeSeparator(into: &out) }
            first = false
            writeField(field, into: &out)
        }
        endRecord(into: &out)
    }

    /// Appends the separator between two fields.
    @inline(__always)
    public func writeSeparator(into out: inout ByteBuffer) {
        out.writeInteger(UInt8(ascii: ","))
    }

    /// Ends a record (CRLF).
    @inline(__always)
    public func endRecord(into out: inout ByteBuffer) {
        out.writeInteger(UInt16(0x0D0A))
    }

    /// Appends the header: the column names as fields.
    public func writeHeader(_ names: [String], into out: inout ByteBuffer) {
        writeRecord(names.map { ByteBuffer(string: $0) }, into: &out)
    }

    /// Appends one field (no separator).
    @inline(__always)
    public func writeField(_ field: ByteBuffer?, into out: inout ByteBuffer) {
        guard let field else {
            out.writeBytes(nullToken)
            return
        }
        let needsQuotes = field.readableBytes == 0 || field.withUnsafeReadableBytes { bytes in
            for byte in bytes where byte == 0x2C || byte == 0x22 || byte == 0x0D || byte == 0x0A { return true }
            return false
        } || (!nullToken.isEmpty && field.readableBytesView.elementsEqual(nullToken))
        guard needsQuotes else {
            out.writeImmutableBuffer(field)
            return
        }
        out.writeInteger(UInt8(ascii: "\""))
        field.withUnsafeReadableBytes { bytes in
            var start = 0
            for index in bytes.indices where bytes[index] == 0x22 {
                out.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[start...index]))
                out.writeInteger(UInt8(ascii: "\""))
                start = index + 1
            }
            out.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[start...]))
        }
        out.writeInteger(UInt8(ascii: "\""))
    }
}

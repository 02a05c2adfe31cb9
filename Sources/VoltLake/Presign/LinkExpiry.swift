/// How long a picture link stays valid: whole hours from 1 to 168 (S3's 7-day limit for presigned links).
public struct LinkExpiry: Sendable, Hashable, CustomStringConvertible {
    public static let hourRange = 1...168
    /// The default the old script and the Volt route use.
    public static let standard = LinkExpiry(checkedHours: 24)

    public let hours: Int
    /// The validity in seconds, as the signer wants it.
    public var seconds: Int { hours * 3600 }

    /// Accepts `hours` in 1…168.
    public init(hours: Int) throws(PresignError) {
        guard Self.hourRange.contains(hours) else { throw .invalidExpiry(text: String(hours)) }
        self.hours = hours
    }

    /// Parses text such as "24": ASCII digits only, value 1…168. "0", "-1", "169", "1.5", "abc",
    /// "1e9", "" and " 24" are refused.
    public init(parsing text: some StringProtocol) throws(PresignError) {
        var value = 0
        var digits = 0
        for byte in text.utf8 {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9"), digits < 6 else {
                throw .invalidExpiry(text: Self.shown(text))
            }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
            digits += 1
        }
        guard digits > 0, Self.hourRange.contains(value) else { throw .invalidExpiry(text: Self.shown(text)) }
        self.hours = value
    }

    private init(checkedHours: Int) { self.hours = checkedHours }

    public var description: String { "\(hours)h" }

    /// The input, for the error message, when it is short printable ASCII.
    private static func shown(_ text: some StringProtocol) -> String? {
        let bytes = text.utf8
        guard !bytes.isEmpty, bytes.count <= 16,
              bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "'") && $0 != UInt8(ascii: "\\") })
        else { return nil }
        return String(text)
    }
}

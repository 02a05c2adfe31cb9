/// A Volt component id (`mcb_b16`): 1–64 characters from `A-Z a-z 0-9 _ -`.
///
/// Nothing else is accepted — no `/`, `.`, `%`, whitespace, NUL or non-ASCII look-alikes — so an id
/// can never steer an object key outside `images/components/<id>/`.
public struct ComponentID: Sendable, Hashable, CustomStringConvertible {
    public static let maximumLength = 64

    /// The validated id.
    public let value: String

    /// Validates `text`; throws `PresignError.invalidComponentID` when it is not a valid id.
    public init(validating text: some StringProtocol) throws(PresignError) {
        guard Self.isValid(text.utf8) else { throw .invalidComponentID }
        self.value = String(text)
    }

    /// True when `bytes` form a valid id.
    public static func isValid(_ bytes: some Collection<UInt8>) -> Bool {
        var count = 0
        for byte in bytes {
            count += 1
            guard count <= maximumLength, allowed[Int(byte)] else { return false }
        }
        return count > 0
    }

    public var description: String { value }

    private static let allowed: [Bool] = (0..<256).map { byte in
        switch UInt8(byte) {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
            return true
        default:
            return false
        }
    }
}

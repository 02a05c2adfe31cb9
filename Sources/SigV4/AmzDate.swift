import Foundation

/// The SigV4 timestamp `yyyyMMdd'T'HHmmss'Z'` (UTC), formatted by hand from a `Date`.
struct AmzDate: Sendable, Equatable {
    /// Whole seconds since 1970-01-01T00:00:00Z (rounded down).
    let epochSecond: Int64
    /// The 16 ASCII bytes "20130524T000000Z"; the first 8 are the scope date.
    let bytes: [UInt8]

    var day: Int64 { Self.floorDiv(epochSecond, 86_400) }
    var dateStamp: ArraySlice<UInt8> { bytes[0..<8] }
    var string: String { String(decoding: bytes, as: UTF8.self) }

    init(_ date: Date) {
        self.init(epochSecond: Self.epochSecond(of: date))
    }

    static func epochSecond(of date: Date) -> Int64 {
        let interval = date.timeIntervalSince1970.rounded(.down)
        guard interval.isFinite else { return 0 }
        return Int64(max(min(interval, 253_402_300_799), -62_135_596_800))  // years 1 … 9999
    }

    init(epochSecond: Int64) {
        self.epochSecond = epochSecond
        let days = Self.floorDiv(epochSecond, 86_400)
        let secondOfDay = Int(epochSecond - days * 86_400)
        let (year, month, day) = Self.civil(fromDays: days)
        var out = [UInt8](repeating: UInt8(ascii: "0"), count: 16)
        func put(_ value: Int, at index: Int, width: Int) {
            var rest = value
            var position = index + width - 1
            while position >= index {
                out[position] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
                position -= 1
            }
        }
        put(year, at: 0, width: 4)
        put(month, at: 4, width: 2)
        put(day, at: 6, width: 2)
        out[8] = UInt8(ascii: "T")
        put(secondOfDay / 3600, at: 9, width: 2)
        put(secondOfDay / 60 % 60, at: 11, width: 2)
        put(secondOfDay % 60, at: 13, width: 2)
        out[15] = UInt8(ascii: "Z")
        self.bytes = out
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    /// Howard Hinnant's days-from-civil inverse: proleptic Gregorian (year, month, day) for days since 1970-01-01.
    static func civil(fromDays days: Int64) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = floorDiv(z, 146_097)
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (Int(year), Int(month), Int(day))
    }
}

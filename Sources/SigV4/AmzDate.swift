import Foundation

/// The SigV4 timestamp `yyyyMMdd'T'HHmmss'Z'` (UTC), formatted by hand from a `Date`.
struct AmzDate: Sendable, Equatable {
    /// Whole seconds since 1970-01-01T00:00:00Z (rounded down).
    let epochSecond: Int64
    /// The 16 ASCII bytes "20130524T000000Z"; the first 8 are the scope date.
    let bytes: [UInt8]

    var day: Int64 { UTCCalendar.floorDiv(epochSecond, 86_400) }
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
        let days = UTCCalendar.floorDiv(epochSecond, 86_400)
        let secondOfDay = Int(epochSecond - days * 86_400)
        let (year, month, day) = UTCCalendar.civil(fromDays: days)
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
}

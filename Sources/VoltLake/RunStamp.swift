import Foundation
import SigV4

/// A UTC time in the three spellings the lake's keys and metadata use, from one calculation.
public struct RunStamp: Sendable, Hashable {
    /// `2024-12-20` (Hive-style `dt=` partitions).
    public let day: String
    /// `20241220_143022` (file names).
    public let compact: String
    /// `2024-12-20T14:30:22Z` (ISO 8601, whole seconds).
    public let iso8601: String

    public init(_ date: Date) {
        let second = Int64(date.timeIntervalSince1970.rounded(.down))
        let (year, month, dayOfMonth) = UTCCalendar.civil(fromDays: UTCCalendar.floorDiv(second, 86_400))
        let secondOfDay = Int(second - UTCCalendar.floorDiv(second, 86_400) * 86_400)
        func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        let (hour, minute, sec) = (pad(secondOfDay / 3600, 2), pad(secondOfDay / 60 % 60, 2), pad(secondOfDay % 60, 2))
        day = "\(pad(year, 4))-\(pad(month, 2))-\(pad(dayOfMonth, 2))"
        compact = "\(pad(year, 4))\(pad(month, 2))\(pad(dayOfMonth, 2))_\(hour)\(minute)\(sec)"
        iso8601 = "\(day)T\(hour):\(minute):\(sec)Z"
    }
}

extension RunStamp {
    /// `2024-12-20T14:30:22.250Z`: ISO 8601 with milliseconds, as the audit log writes times
    /// (what `Date.ISO8601FormatStyle(includingFractionalSeconds: true)` writes in UTC, without its cost).
    public static func iso8601Milliseconds(_ date: Date) -> String {
        let interval = date.timeIntervalSince1970
        let second = Int64(interval.rounded(.down))
        let millisecond = min(999, max(0, Int(((interval - Double(second)) * 1000).rounded(.down))))
        let days = UTCCalendar.floorDiv(second, 86_400)
        let (year, month, day) = UTCCalendar.civil(fromDays: days)
        let secondOfDay = Int(second - days * 86_400)
        var out: [UInt8] = []
        out.reserveCapacity(24)
        func digits(_ value: Int, _ width: Int) {
            var divisor = 1
            for _ in 1..<width { divisor *= 10 }
            var rest = value
            while divisor > 0 {
                out.append(UInt8(ascii: "0") + UInt8(rest / divisor % 10))
                rest %= divisor
                divisor /= 10
            }
        }
        digits(year, 4); out.append(UInt8(ascii: "-")); digits(month, 2); out.append(UInt8(ascii: "-")); digits(day, 2)
        out.append(UInt8(ascii: "T"))
        digits(secondOfDay / 3600, 2); out.append(UInt8(ascii: ":")); digits(secondOfDay / 60 % 60, 2)
        out.append(UInt8(ascii: ":")); digits(secondOfDay % 60, 2)
        out.append(UInt8(ascii: ".")); digits(millisecond, 3); out.append(UInt8(ascii: "Z"))
        return String(decoding: out, as: UTF8.self)
    }
}

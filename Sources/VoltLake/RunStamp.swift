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

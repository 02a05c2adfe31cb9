import Foundation
import Testing
@testable import S3

/// The listing's timestamps, parsed without a formatter, agree with ISO8601DateFormatter.
@Suite struct XMLDateTests {
    @Test func fastPathMatchesTheFormatter() throws {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        for text in ["2025-01-31T12:00:00.000Z", "1970-01-01T00:00:00.000Z", "2024-02-29T23:59:59.999Z", "2000-03-01T00:00:00.500Z",
                     "2099-12-31T08:30:15.123Z"] {
            let fast = try #require(XMLDate.parseUTC(text), "\(text)")
            let slow = try #require(formatter.date(from: text))
            #expect(abs(fast.timeIntervalSince1970 - slow.timeIntervalSince1970) < 0.0005, "\(text)")
        }
        #expect(XMLDate.parseUTC("2025-01-31T12:00:00Z")?.timeIntervalSince1970 == 1_738_324_800)
        #expect(XMLDate.parseUTC("2025-01-31 12:00:00Z") == nil)
        #expect(XMLDate.parseUTC("2025-01-31T12:00:00+01:00") == nil)
        #expect(XMLDate.parse("2025-01-31T12:00:00+01:00")?.timeIntervalSince1970 == 1_738_321_200)
    }
}

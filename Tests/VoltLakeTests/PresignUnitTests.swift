import Foundation
import NIOCore
import Testing
@testable import VoltLake

@Suite struct ComponentIDTests {
    @Test(arguments: ["mcb_b16", "isolator", "pen_splitter", "A-9", "x", String(repeating: "a", count: 64)])
    func acceptsVoltSlugs(_ text: String) throws {
        #expect(try ComponentID(validating: text).value == text)
    }

    @Test(arguments: [
        "", "../x", "..", ".", "a/b", "/etc/passwd", "%2e%2e", "mcb%5Fb16", "a\u{0}b", "\u{0}", "a b", " mcb", "mcb\n",
        "a.jpg", "a\\b", "a?b", "a#b", "a+b", "mcb_b16/", String(repeating: "a", count: 65), String(repeating: "x", count: 10_000),
        "mсb_b16",  // Cyrillic "с"
        "ｍcb",  // full-width m
        "mcb\u{200B}", "ﬁ", "ł",
    ])
    func refusesAnythingElse(_ text: String) {
        #expect(throws: PresignError.self) { try ComponentID(validating: text) }
        #expect(!ComponentID.isValid(text.utf8))
    }
}

@Suite struct LinkExpiryTests {
    @Test(arguments: [("1", 1), ("24", 24), ("168", 168), ("024", 24)])
    func acceptsWholeHours(_ text: String, _ hours: Int) throws {
        let expiry = try LinkExpiry(parsing: text)
        #expect(expiry.hours == hours)
        #expect(expiry.seconds == hours * 3600)
    }

    @Test(arguments: ["0", "-1", "169", "1.5", "abc", "1e9", "", " 24", "24 ", "+24", "0x10", "99999999999999999999", "24h", "２４"])
    func refusesTheRest(_ text: String) {
        #expect(throws: PresignError.self) { try LinkExpiry(parsing: text) }
    }

    @Test func messageIsClear() {
        do {
            _ = try LinkExpiry(parsing: "1.5")
            Issue.record("accepted 1.5")
        } catch {
            #expect(error.description.contains("1 to 168"))
            #expect(error.description.contains("'1.5'"))
            #expect(error.isInvalidInput)
        }
        #expect(throws: PresignError.self) { try LinkExpiry(hours: 0) }
        #expect(throws: PresignError.self) { try LinkExpiry(hours: 169) }
    }
}

@Suite struct PictureIndexTests {
    @Test func picksTheFileNamedAfterTheIdElseTheFirstByName() {
        let index = PictureIndex(keys: [
            "images/components/mcb_b16/zzz.webp",
            "images/components/mcb_b16/mcb_b16.jpg",
            "images/components/mcb_b16/aaa.jpg",
            "images/components/isolator/b.png",
            "images/components/isolator/a.png",
            "images/components/rcd/temp_1700000000.webp",
            "images/components/bad id/x.jpg",
            "images/components/deep/a/b.jpg",
            "images/components/empty/",
            "images/components/noslash",
            "raw/components/x.json",
            "images/components/mcb_b16x/mcb_b16.jpg",
        ])
        #expect(index.count == 4)
        #expect(index.key(forValidID: "mcb_b16") == "images/components/mcb_b16/mcb_b16.jpg")
        #expect(index.key(forValidID: "isolator") == "images/components/isolator/a.png")
        #expect(index.key(forValidID: "rcd") == "images/components/rcd/temp_1700000000.webp")
        #expect(index.key(forValidID: "mcb_b16x") == "images/components/mcb_b16x/mcb_b16.jpg")
        #expect(index.key(forValidID: "deep") == nil)
        #expect(index.entries.map(\.componentID.value) == ["isolator", "mcb_b16", "mcb_b16x", "rcd"])
    }

    @Test func orderDoesNotMatter() {
        let keys = ["images/components/a/x.jpg", "images/components/a/a.jpg", "images/components/a/b.jpg", "images/components/a/a.webp"]
        for permutation in [keys, keys.reversed(), [keys[2], keys[0], keys[3], keys[1]]] {
            #expect(PictureIndex(keys: permutation).key(forValidID: "a") == "images/components/a/a.jpg")
        }
    }

    @Test func namedAfterIdNeedsADotAndAnExtension() {
        #expect(PictureIndex.isNamedAfter("a.jpg", id: "a"))
        #expect(!PictureIndex.isNamedAfter("a.", id: "a"))
        #expect(!PictureIndex.isNamedAfter("ab.jpg", id: "a"))
        #expect(!PictureIndex.isNamedAfter("a", id: "a"))
    }

    @Test func grouperStreamsOneEntryPerComponentInListingOrder() {
        let listing = [
            "images/components/a-b/z.jpg",
            "images/components/a/a.jpg",
            "images/components/a/b.jpg",
            "images/components/a_b/c.jpg",
            "images/components/a_b/a_b.png",
            "images/components/zz/../x.jpg",
        ]
        var grouper = PictureGrouper()
        var out: [String] = []
        for key in listing { if let entry = grouper.add(key) { out.append(entry.key) } }
        if let entry = grouper.finish() { out.append(entry.key) }
        #expect(out == ["images/components/a-b/z.jpg", "images/components/a/a.jpg", "images/components/a_b/a_b.png"])
    }
}

@Suite struct VoltAPIJSONTests {
    let link = PictureLink(
        componentID: "mcb_b16",
        url: "https://volt-data-lake.s3.eu-central-1.amazonaws.com/images/components/mcb_b16/%C5%82%C4%85cznik%20%C5%BC%2B1.jpg?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20241220%2Feu-central-1%2Fs3%2Faws4_request",
        expiresAtEpochSecond: 1_734_791_422, expiresInHours: 24)

    @Test func successDocumentIsTheVoltShapeWithoutEscapedSlashes() throws {
        let text = VoltAPIJSON.link(link)
        #expect(text.hasPrefix(#"{"success":true,"data":{"componentId":"mcb_b16","imageUrl":"https://volt-data-lake"#))
        #expect(text.hasSuffix(#""expiresAt":"2024-12-21T14:30:22Z","expiresInHours":24}}"#))
        #expect(!text.contains("\\/"))
        let document = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(document["success"] as? Bool == true)
        let data = try #require(document["data"] as? [String: Any])
        #expect(data["imageUrl"] as? String == link.url)
        #expect(data["expiresInHours"] as? Int == 24)
    }

    @Test func errorDocumentEscapesWhatJSONNeeds() throws {
        let message = "quote \" backslash \\ newline \n tab \t nul \u{0} bell \u{7} żółw / done"
        let text = VoltAPIJSON.error(message)
        #expect(text.hasPrefix(#"{"success":false,"error":""#))
        #expect(text.contains("\\u0000") && text.contains("\\u0007") && text.contains("żółw / done"))
        let document = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(document["error"] as? String == message)
        #expect(document["success"] as? Bool == false)
    }

    @Test(arguments: [
        (Int64(0), "1970-01-01T00:00:00Z"), (951_782_400, "2000-02-29T00:00:00Z"), (1_734_791_422, "2024-12-21T14:30:22Z"),
        (4_107_542_399, "2100-02-28T23:59:59Z"), (1_709_251_199, "2024-02-29T23:59:59Z"),
    ])
    func iso8601MatchesFoundation(_ second: Int64, _ expected: String) {
        var buffer = ByteBuffer()
        VoltAPIJSON.writeISO8601(epochSecond: second, into: &buffer)
        #expect(String(buffer: buffer) == expected)
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        #expect(formatter.string(from: Date(timeIntervalSince1970: TimeInterval(second))) == expected)
    }
}

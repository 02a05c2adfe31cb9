import Foundation
import S3
import Testing
import StackTestSupport
@testable import VoltLake

/// `voltlake presign` as the Volt server runs it, and its links through the SigV4-verifying proxy.
@Suite struct PresignCommandTests {
    static let pictures: [String: [UInt8]] = [
        "images/components/mcb_b16/łącznik ż+1.jpg": PresignStack.picture(1),
        "images/components/isolator/isolator.jpg": PresignStack.picture(2),
        "images/components/isolator/another.jpg": PresignStack.picture(3),
        "images/components/pen_splitter/a b+c=%&~ (1).png": PresignStack.picture(4),
        "images/components/rcd-2p/temp_1700000000.webp": PresignStack.picture(5),
    ]
    static let expected: [String: String] = [
        "mcb_b16": "images/components/mcb_b16/łącznik ż+1.jpg",
        "isolator": "images/components/isolator/isolator.jpg",
        "pen_splitter": "images/components/pen_splitter/a b+c=%&~ (1).png",
        "rcd-2p": "images/components/rcd-2p/temp_1700000000.webp",
    ]

    func run(_ arguments: [String], bucket: String) throws -> CLI.Result {
        try CLI.run(["presign"] + arguments, environment: LocalStack.voltlakeEnvironment(bucket: bucket, pictures: "/nonexistent"), in: try CLI.sandbox())
    }

    @Test func linksFromTheCommandFetchTheExactBytesAlsoForAwkwardKeys() async throws {
        let bucket = try await PresignStack.bucket(with: Self.pictures)
        for (id, key) in Self.expected {
            let before = Date()
            let result = try run(["--component-id", id, "--expiration", "24"], bucket: bucket)
            #expect(result.status == 0, "\(id): \(result.all)")
            #expect(!result.stdout.contains("\\/"))
            let document = try PresignStack.document(result.stdout)
            #expect(document["success"] as? Bool == true)
            let data = try #require(document["data"] as? [String: Any])
            #expect(data["componentId"] as? String == id)
            #expect(data["expiresInHours"] as? Int == 24)
            let expiresAt = try #require(data["expiresAt"] as? String)
            let expiry = try #require(ISO8601DateFormatter().date(from: expiresAt), "expiresAt \(expiresAt) is not ISO 8601")
            #expect(abs(expiry.timeIntervalSince(before) - 86_400) < 30)
            #expect(expiresAt.hasSuffix("Z"))
            let link = try #require(data["imageUrl"] as? String)
            let (status, body) = try await HTTP.get(link)
            #expect(status == 200, "\(id): GET \(link) → \(status)")
            #expect(body == Self.pictures[key], "\(id): the link does not return \(key)'s bytes")

            let (tamperedStatus, _) = try await HTTP.get(tamperedLink(link))
            #expect(tamperedStatus == 403, "\(id): a tampered link was not refused")
        }
    }

    @Test func aLinkPastItsExpiryIsRefused() async throws {
        let key = "images/components/mcb_b16/łącznik ż+1.jpg"
        let bucket = try await PresignStack.bucket(with: [key: Self.pictures[key]!])
        let client = PresignStack.client()
        let signer = PictureLinkSigner(client: client, bucket: bucket)
        let expiry = try LinkExpiry(hours: 1)
        let stale = try signer.link(componentID: "mcb_b16", key: key, expiry: expiry, date: Date(timeIntervalSinceNow: -3_700))
        let fresh = try signer.link(componentID: "mcb_b16", key: key, expiry: expiry, date: Date())
        try await client.shutdown()
        #expect(try await HTTP.get(stale.url).status == 403)
        let (status, body) = try await HTTP.get(fresh.url)
        #expect(status == 200)
        #expect(body == Self.pictures[key])
    }

    @Test func invalidInputIsRefusedWithExitTwoAndNothingIsSignedOrSent() async throws {
        let bucket = try await PresignStack.bucket(with: ["images/components/mcb_b16/mcb_b16.jpg": PresignStack.picture(9)])
        let since = try await FrontDoor.sequence()
        let hostileIDs = [
            "../x", "..", "%2e%2e", "a/b", "../../raw/components", String(repeating: "x", count: 10_000),
            "mсb_b16", "ｍcb_b16", "mcb_b16\u{200B}", "", " mcb_b16", "mcb_b16.jpg",
        ]
        for id in hostileIDs {
            let result = try run(["--component-id", id, "--expiration", "24"], bucket: bucket)
            #expect(result.status == 2, "id \(id.prefix(40)): \(result.all.prefix(300))")
            let document = try PresignStack.document(result.stdout)
            #expect(document["success"] as? Bool == false)
            #expect((document["error"] as? String)?.contains("Invalid component id") == true)
            #expect(!result.stdout.contains("X-Amz-Signature"))
            #expect(result.stdout.utf8.count < 300, "the error echoes the input")
        }
        for expiration in ["0", "-1", "169", "1.5", "abc", "1e9", "", "24h"] {
            let result = try run(["--component-id", "mcb_b16", "--expiration", expiration], bucket: bucket)
            #expect(result.status == 2, "expiration \(expiration): \(result.all)")
            let document = try PresignStack.document(result.stdout)
            #expect(document["success"] as? Bool == false)
            #expect((document["error"] as? String)?.contains("1 to 168") == true)
            #expect(!result.stdout.contains("X-Amz-Signature"))
        }
        for arguments in [["--all", "--component-id", "mcb_b16"], []] {
            let result = try run(arguments, bucket: bucket)
            #expect(result.status == 2, "\(arguments): \(result.all)")
            #expect(try PresignStack.document(result.stdout)["success"] as? Bool == false)
        }
        let seen = try await FrontDoor.requests(bucket: bucket, since: since)
        #expect(seen.isEmpty, "invalid input reached S3: \(seen.map { $0["operation"] ?? "?" })")
    }

    @Test func aComponentWithoutAPictureIsNotFoundWithExitOne() async throws {
        let bucket = try await PresignStack.bucket(with: ["images/components/mcb_b16/mcb_b16.jpg": PresignStack.picture(9)])
        let result = try run(["--component-id", "isolator", "--expiration", "2"], bucket: bucket)
        #expect(result.status == 1, "\(result.all)")
        let document = try PresignStack.document(result.stdout)
        #expect(document["success"] as? Bool == false)
        #expect((document["error"] as? String)?.contains("isolator") == true)
        #expect(result.stderr.contains("isolator"))
    }

    @Test func missingCredentialsAreAConfigurationErrorWithJSON() throws {
        let result = try CLI.run(["presign", "--component-id", "mcb_b16"], environment: ["AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""], in: try CLI.sandbox())
        #expect(result.status == 2, "\(result.all)")
        let document = try PresignStack.document(result.stdout)
        #expect(document["success"] as? Bool == false)
        #expect((document["error"] as? String)?.contains("credentials") == true)
    }

    @Test func anS3FailureIsExitOneWithJSON() async throws {
        // A bucket the app key may not touch: the proxy refuses the listing (403).
        let result = try run(["--component-id", "mcb_b16"], bucket: "not-allowed-bucket-\(UUID().uuidString.prefix(8).lowercased())")
        #expect(result.status == 1, "\(result.all)")
        let document = try PresignStack.document(result.stdout)
        #expect(document["success"] as? Bool == false)
        #expect(!(result.stdout.contains(LocalStack.appSecret)))
    }

    @Test func allStreamsOneLinkPerComponentFromOneListing() async throws {
        let bucket = try await PresignStack.bucket(with: Self.pictures)
        let since = try await FrontDoor.sequence()
        let result = try run(["--all", "--expiration", "1"], bucket: bucket)
        #expect(result.status == 0, "\(result.all)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == Self.expected.count)
        var ids: [String] = []
        for line in lines {
            let data = try #require(try PresignStack.document(line)["data"] as? [String: Any])
            let id = try #require(data["componentId"] as? String)
            ids.append(id)
            #expect(data["expiresInHours"] as? Int == 1)
            let (status, body) = try await HTTP.get(try #require(data["imageUrl"] as? String))
            #expect(status == 200)
            #expect(body == Self.pictures[Self.expected[id] ?? ""], "\(id)")
        }
        #expect(Set(ids) == Set(Self.expected.keys))
        let listings = try await FrontDoor.requests(bucket: bucket, since: since).filter { $0["operation"] as? String == "ListObjectsV2" }
        #expect(listings.count == 1)
    }
}

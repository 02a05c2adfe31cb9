import Foundation
import SigV4
import Testing

/// Rules of the canonical request and of the API, each checked against values written from the
/// SigV4/S3 rules by hand (or computed with Python's datetime), never from this signer's output.
@Suite struct SignerBehaviourTests {
    static let credentials = AWSCredentials(accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    static let signer = SigV4Signer(credentials: credentials, region: "us-east-1")
    static let date = Date(timeIntervalSince1970: 1_369_353_600)  // 20130524T000000Z
    static let host = "examplebucket.s3.amazonaws.com"

    static func authorization(_ request: SigningRequest, signer: SigV4Signer = signer, date: Date = date) -> String? {
        signer.signHeaders(for: request, payload: .empty, date: date).first { $0.name == "authorization" }?.value
    }

    // MARK: encoding

    @Test func pathSegmentsAreEncodedOnce() {
        let request = SigningRequest(method: "GET", host: Self.host, path: "/volt-data-lake/images/components/a b+c/ż.jpg")
        #expect(request.encodedPath == "/volt-data-lake/images/components/a%20b%2Bc/%C5%BC.jpg")
        #expect(SigningRequest(method: "GET", host: Self.host, path: "/100%/x%20y").encodedPath == "/100%25/x%2520y")
        #expect(SigningRequest(method: "GET", host: Self.host, path: "/a//b/./../~-_.").encodedPath == "/a//b/./../~-_.")
        #expect(SigningRequest(method: "GET", host: Self.host, path: "/=&?#!'()*,;:@$").encodedPath
            == "/%3D%26%3F%23%21%27%28%29%2A%2C%3B%3A%40%24")
        #expect(SigningRequest(method: "GET", host: Self.host, path: "/😀").encodedPath == "/%F0%9F%98%80")
        #expect(SigningRequest(method: "GET", host: Self.host, path: "").encodedPath == "/")
        #expect(SigningRequest(method: "GET", host: Self.host, path: "key").encodedPath == "/key")
    }

    @Test func queryIsEncodedAndSorted() {
        let request = SigningRequest(method: "GET", host: Self.host, path: "/", query: [
            QueryItem("prefix", "images/a b+c/"),
            QueryItem("list-type", "2"),
            QueryItem("continuation-token", "1/ab+c=="),
            QueryItem("uploads", ""),
            QueryItem("Zeta", "ż"),
        ])
        #expect(request.encodedQuery
            == "Zeta=%C5%BC&continuation-token=1%2Fab%2Bc%3D%3D&list-type=2&prefix=images%2Fa%20b%2Bc%2F&uploads=")
        #expect(SigningRequest(method: "GET", host: Self.host, path: "/").encodedQuery == "")
        // Repeated names sort by value.
        #expect(SigningRequest(method: "GET", host: Self.host, path: "/", query: [QueryItem("a", "2"), QueryItem("a", "1")]).encodedQuery == "a=1&a=2")
    }

    // MARK: headers

    @Test func headerValuesAreTrimmedAndWhitespaceCollapsed() {
        let messy = SigningRequest(method: "PUT", host: Self.host, path: "/k", headers: [
            HTTPField("  X-Amz-Meta-Note ", " \t a   b\t\tc  d \t"),
            HTTPField("Content-Type", "  image/jpeg  "),
        ])
        let clean = SigningRequest(method: "PUT", host: Self.host, path: "/k", headers: [
            HTTPField("x-amz-meta-note", "a b c d"),
            HTTPField("content-type", "image/jpeg"),
        ])
        let different = SigningRequest(method: "PUT", host: Self.host, path: "/k", headers: [
            HTTPField("x-amz-meta-note", "a b cd"),
            HTTPField("content-type", "image/jpeg"),
        ])
        #expect(Self.authorization(messy) == Self.authorization(clean))
        #expect(Self.authorization(messy) != Self.authorization(different))
        #expect(Self.authorization(messy)?.contains("SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-meta-note,") == true)
    }

    @Test func headersTheSignerOwnsAreNotTakenFromTheCaller() {
        let plain = SigningRequest(method: "GET", host: Self.host, path: "/test.txt", headers: [HTTPField("Range", "bytes=0-9")])
        var withStale = plain
        withStale.headers += [
            HTTPField("Host", "evil.example"), HTTPField("X-Amz-Date", "19990101T000000Z"),
            HTTPField("Authorization", "old"), HTTPField("x-amz-content-sha256", "UNSIGNED-PAYLOAD"),
        ]
        let fields = Self.signer.signHeaders(for: withStale, payload: .empty, date: Self.date)
        // The AWS published GET Object signature, unchanged by the stale headers.
        #expect(fields.first { $0.name == "authorization" }?.value.hasSuffix(
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41") == true)
    }

    @Test func unsignedPayloadHeader() {
        let request = SigningRequest(method: "PUT", host: Self.host, path: "/big.bin")
        let fields = Self.signer.signHeaders(for: request, payload: .unsigned, date: Self.date)
        #expect(fields.first { $0.name == "x-amz-content-sha256" }?.value == "UNSIGNED-PAYLOAD")
        #expect(PayloadHash.unsigned.headerValue == "UNSIGNED-PAYLOAD")
        #expect(PayloadHash.sha256(of: [UInt8]()) == .empty)
    }

    // MARK: dates

    @Test(arguments: [
        (951_868_799.0, "20000229T235959Z"), (4_107_542_399.0, "21000228T235959Z"),
        (1_709_251_199.0, "20240229T235959Z"), (1_709_251_200.0, "20240301T000000Z"),
        (0.0, "19700101T000000Z"), (2_145_916_799.0, "20371231T235959Z"),
        (1_234_567_890.75, "20090213T233130Z"),
    ])
    func amzDateIsFormattedInUTC(seconds: Double, expected: String) {
        let fields = Self.signer.signHeaders(
            for: SigningRequest(method: "GET", host: Self.host, path: "/"), payload: .empty, date: Date(timeIntervalSince1970: seconds))
        #expect(fields.first { $0.name == "x-amz-date" }?.value == expected)
        #expect(fields.first { $0.name == "authorization" }?.value.contains("/\(expected.prefix(8))/us-east-1/s3/aws4_request,") == true)
    }

    @Test func cachedSigningKeyFollowsTheDay() throws {
        // One signer used across midnight must agree with fresh signers for each instant.
        let shared = SigV4Signer(credentials: Self.credentials, region: "eu-central-1")
        let request = SigningRequest(method: "GET", host: Self.host, path: "/a")
        for seconds in [1_709_251_199.0, 1_709_251_200.0, 1_709_251_199.0, 1_369_353_600.0, 1_709_337_600.0] {
            let date = Date(timeIntervalSince1970: seconds)
            let fresh = SigV4Signer(credentials: Self.credentials, region: "eu-central-1")
            #expect(Self.authorization(request, signer: shared, date: date) == Self.authorization(request, signer: fresh, date: date))
            #expect(try shared.presignedURL(for: request, expires: 60, date: date) == fresh.presignedURL(for: request, expires: 60, date: date))
        }
    }

    @Test func signerIsUsableFromManyTasks() async throws {
        let request = SigningRequest(method: "GET", host: Self.host, path: "/test.txt")
        let signer = SigV4Signer(credentials: Self.credentials, region: "us-east-1")
        let urls = try await withThrowingTaskGroup(of: String.self) { group in
            for task in 0..<8 {
                group.addTask {
                    var last = ""
                    for step in 0..<200 {
                        // Alternate days so the cache is rewritten concurrently.
                        let date = (task + step) % 2 == 0 ? Self.date : Date(timeIntervalSince1970: 1_369_440_000)
                        last = try signer.presignedURL(for: request, expires: 86400, date: date)
                    }
                    return last
                }
            }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(urls.count == 8)
        let published = "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256"
            + "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
            + "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
            + "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
        let again = try signer.presignedURL(for: request, expires: 86400, date: Self.date)
        #expect(again == published)
    }

    // MARK: presign

    @Test(arguments: [0, -1, 604_801, Int.max, Int.min])
    func expiryOutOfBoundsThrows(seconds: Int) {
        let request = SigningRequest(method: "GET", host: Self.host, path: "/test.txt")
        #expect(throws: SigV4Error.invalidExpiry(seconds: seconds)) {
            try Self.signer.presignedURL(for: request, expires: seconds, date: Self.date)
        }
        #expect(SigV4Error.invalidExpiry(seconds: seconds).description.contains("604800"))
    }

    @Test(arguments: [1, 604_800])
    func expiryBoundsAreAccepted(seconds: Int) throws {
        let url = try Self.signer.presignedURL(
            for: SigningRequest(method: "GET", host: Self.host, path: "/test.txt"), expires: seconds, date: Self.date)
        #expect(url.contains("&X-Amz-Expires=\(seconds)&"))
    }

    @Test func presignWithSessionTokenSignsTheToken() throws {
        let token = "FQoGZXIvYXdz/EXAMPLE+token=="
        let withToken = SigV4Signer(
            credentials: AWSCredentials(accessKeyID: "ASIAEXAMPLE123456789", secretAccessKey: "secret/key+0", sessionToken: token),
            region: "eu-central-1")
        let request = SigningRequest(method: "GET", host: "127.0.0.1:19000", path: "/volt-data-lake/a b.jpg")
        let url = try withToken.presignedURL(for: request, scheme: "http", expires: 900, date: Self.date)
        #expect(url.hasPrefix("http://127.0.0.1:19000/volt-data-lake/a%20b.jpg?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=ASIAEXAMPLE123456789%2F20130524%2Feu-central-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=900&X-Amz-Security-Token=FQoGZXIvYXdz%2FEXAMPLE%2Btoken%3D%3D&X-Amz-SignedHeaders=host&X-Amz-Signature="))
        #expect(!url.contains("secret"))

        let headers = withToken.signHeaders(for: request, payload: .empty, date: Self.date)
        #expect(headers.first { $0.name == "x-amz-security-token" }?.value == token)
        #expect(headers.first { $0.name == "authorization" }?.value.contains("SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,") == true)
    }

    @Test func presignSortsRequestQueryWithAuthParameters() throws {
        let request = SigningRequest(method: "GET", host: Self.host, path: "/k", query: [
            QueryItem("response-content-disposition", "attachment; filename=\"a b.jpg\""),
            QueryItem("versionId", "v/1"),
        ])
        let url = try Self.signer.presignedURL(for: request, expires: 60, date: Self.date)
        let query = url.split(separator: "?", maxSplits: 1)[1]
        let names = query.split(separator: "&").map { $0.split(separator: "=", maxSplits: 1)[0] }
        #expect(names == ["X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders",
                          "response-content-disposition", "versionId", "X-Amz-Signature"])
        #expect(query.contains("response-content-disposition=attachment%3B%20filename%3D%22a%20b.jpg%22&versionId=v%2F1&"))
    }

    @Test func presignSignsGivenHeaders() throws {
        let request = SigningRequest(method: "PUT", host: Self.host, path: "/k", headers: [HTTPField("Content-Type", "image/jpeg")])
        let url = try Self.signer.presignedURL(for: request, expires: 60, date: Self.date)
        #expect(url.contains("&X-Amz-SignedHeaders=content-type%3Bhost&"))
    }

    // MARK: credentials

    @Test func credentialsNeverPrintTheSecretOrToken() {
        let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
        let token = "IQoJb3JpZ2luX2VjEXAMPLETOKEN"
        let credentials = AWSCredentials(accessKeyID: "VOLTEXAMPLEKEY000001", secretAccessKey: secret, sessionToken: token)
        for text in [credentials.description, credentials.debugDescription, String(describing: credentials),
                     String(reflecting: credentials), "\(credentials)", String(describing: [credentials])] {
            #expect(!text.contains(secret))
            #expect(!text.contains(token))
            #expect(!text.contains("VOLTEXAMPLEKEY000001"))
        }
        #expect(credentials.description == "AWSCredentials(accessKeyID: VOLT…01, secret: <redacted>, sessionToken: <redacted>)")
        #expect(AWSCredentials(accessKeyID: "VOLTEXAMPLEKEY000001", secretAccessKey: secret).description
            == "AWSCredentials(accessKeyID: VOLT…01, secret: <redacted>, sessionToken: none)")
        let signer = SigV4Signer(credentials: credentials, region: "us-east-1")
        #expect(!String(reflecting: signer).contains(secret))
        #expect(!String(reflecting: signer).contains(token))
    }
}

extension SignerBehaviourTests {
    @Test func dumpDoesNotRevealSecrets() {
        let credentials = AWSCredentials(accessKeyID: "VOLTEXAMPLEKEY000001", secretAccessKey: "s3cr3t/value", sessionToken: "t0ken/value")
        var dumped = ""
        dump(SigV4Signer(credentials: credentials, region: "us-east-1"), to: &dumped)
        dump(credentials, to: &dumped)
        #expect(!dumped.contains("s3cr3t"))
        #expect(!dumped.contains("t0ken"))
    }
}

import Foundation
import SigV4
import Testing

/// Cases from the AWS SigV4 test suite as shipped in awslabs/aws-c-auth
/// (`tests/aws-signing-test-suite/v4/<case>/header-signed-request.txt`, Apache-2.0): the expected
/// `Authorization` values are copied from those files. That suite's harness double-encodes paths as
/// non-S3 services do; S3 encodes each segment once, so only cases whose paths have nothing to
/// double-encode are used. The suite's service signs the payload hash without sending
/// `x-amz-content-sha256`, hence the package-level `includeContentSHA256: false`.
@Suite struct AWSSigningTestSuiteTests {
    static let credentials = AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    static let signer = SigV4Signer(credentials: credentials, region: "us-east-1", service: "service")
    /// 20150830T123600Z
    static let date = Date(timeIntervalSince1970: 1_440_938_160)
    static let host = "example.amazonaws.com"
    static let prefix = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var method = "GET"
        var path = "/"
        var query: [QueryItem] = []
        var headers: [HTTPField] = []
        var token: String? = nil
        var expected: String
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "get-vanilla-query", expected: "SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        Case(name: "get-vanilla-query-order-key-case", query: [QueryItem("Param2", "value2"), QueryItem("Param1", "value1")],
             expected: "SignedHeaders=host;x-amz-date, Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"),
        Case(name: "get-vanilla-query-unreserved",
             query: [QueryItem("-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")],
             expected: "SignedHeaders=host;x-amz-date, Signature=9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197"),
        Case(name: "get-vanilla-empty-query-key", query: [QueryItem("Param1", "value1")],
             expected: "SignedHeaders=host;x-amz-date, Signature=a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb"),
        Case(name: "get-vanilla-utf8-query", query: [QueryItem("ሴ", "bar")],
             expected: "SignedHeaders=host;x-amz-date, Signature=2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"),
        Case(name: "get-vanilla-query-order-encoded",
             query: [QueryItem("Param-3", "Value3"), QueryItem("Param", "Value2"), QueryItem("ሴ", "Value1")],
             expected: "SignedHeaders=host;x-amz-date, Signature=371d3713e185cc334048618a97f809c9ffe339c62934c032af5a0e595648fcac"),
        Case(name: "get-unreserved", path: "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
             expected: "SignedHeaders=host;x-amz-date, Signature=07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f"),
        Case(name: "get-header-value-trim", headers: [HTTPField("My-Header1", " value1"), HTTPField("My-Header2", " \"a   b   c\"")],
             expected: "SignedHeaders=host;my-header1;my-header2;x-amz-date, Signature=acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"),
        Case(name: "get-header-key-duplicate",
             headers: [HTTPField("My-Header1", "value2"), HTTPField("My-Header1", "value2"), HTTPField("My-Header1", "value1")],
             expected: "SignedHeaders=host;my-header1;x-amz-date, Signature=c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea"),
        Case(name: "get-header-value-order",
             headers: [HTTPField("My-Header1", "value4"), HTTPField("My-Header1", "value1"), HTTPField("My-Header1", "value3"), HTTPField("My-Header1", "value2")],
             expected: "SignedHeaders=host;my-header1;x-amz-date, Signature=08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01"),
        Case(name: "get-vanilla-with-session-token", token: "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267",
             expected: "SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8"),
        Case(name: "post-vanilla", method: "POST",
             expected: "SignedHeaders=host;x-amz-date, Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"),
        Case(name: "post-vanilla-query", method: "POST", query: [QueryItem("Param1", "value1")],
             expected: "SignedHeaders=host;x-amz-date, Signature=28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11"),
        Case(name: "post-header-key-sort", method: "POST", headers: [HTTPField("My-Header1", "value1")],
             expected: "SignedHeaders=host;my-header1;x-amz-date, Signature=c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c"),
        Case(name: "post-header-value-case", method: "POST", headers: [HTTPField("My-Header1", "VALUE1")],
             expected: "SignedHeaders=host;my-header1;x-amz-date, Signature=cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d"),
        Case(name: "post-sts-header-before", method: "POST",
             token: "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==",
             expected: "SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead"),
    ]

    @Test(arguments: cases) func headerSignedRequest(_ testCase: Case) {
        var credentials = Self.credentials
        if let token = testCase.token {
            credentials = AWSCredentials(accessKeyID: credentials.accessKeyID, secretAccessKey: credentials.secretAccessKey, sessionToken: token)
        }
        let signer = SigV4Signer(credentials: credentials, region: "us-east-1", service: "service")
        let request = SigningRequest(method: testCase.method, host: Self.host, path: testCase.path, query: testCase.query, headers: testCase.headers)
        let fields = signer.signHeaders(for: request, payload: .empty, date: Self.date, includeContentSHA256: false)
        #expect(fields.first { $0.name == "authorization" }?.value == Self.prefix + testCase.expected)
        #expect(fields.first { $0.name == "x-amz-date" }?.value == "20150830T123600Z")
        #expect(fields.first { $0.name == "x-amz-security-token" }?.value == testCase.token)
        #expect(!fields.contains { $0.name == "x-amz-content-sha256" })
    }

    /// `post-x-www-form-urlencoded` sends and signs `x-amz-content-sha256`, as S3 requests do.
    @Test func postFormURLEncodedThroughPublicAPI() {
        let request = SigningRequest(
            method: "POST", host: Self.host, path: "/",
            headers: [HTTPField("Content-Type", "application/x-www-form-urlencoded"), HTTPField("Content-Length", "13")])
        let payload = PayloadHash.sha256(of: Array("Param1=value1".utf8))
        #expect(payload == .sha256(hex: "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e"))
        let fields = Self.signer.signHeaders(for: request, payload: payload, date: Self.date)
        #expect(fields.first { $0.name == "authorization" }?.value == Self.prefix
            + "SignedHeaders=content-length;content-type;host;x-amz-content-sha256;x-amz-date, "
            + "Signature=d3875051da38690788ef43de4db0d8f280229d82040bfac253562e56c3f20e0b")
    }
}

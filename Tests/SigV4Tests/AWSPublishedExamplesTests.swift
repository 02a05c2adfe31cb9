import Foundation
import SigV4
import Testing

/// The examples AWS publishes for S3 (same keys, region and time throughout):
/// - "Authenticating Requests: Using Query Parameters (AWS Signature Version 4)" — the presigned GET;
/// - "Signature Calculations for the Authorization Header: Transferring Payload in a Single Chunk"
///   (the examples linked from "Examples: Signature Calculations in AWS Signature Version 4") — the
///   GET Object, PUT Object, GET Bucket Lifecycle and GET Bucket (List Objects) header signatures.
/// Expected values are copied from those pages, never from this signer's output.
@Suite struct AWSPublishedExamplesTests {
    static let credentials = AWSCredentials(
        accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    static let signer = SigV4Signer(credentials: credentials, region: "us-east-1")
    /// 20130524T000000Z
    static let date = Date(timeIntervalSince1970: 1_369_353_600)
    static let host = "examplebucket.s3.amazonaws.com"
    static let credentialPrefix = "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "

    static func header(_ name: String, in fields: [HTTPField]) -> String? {
        fields.first { $0.name == name }?.value
    }

    @Test func presignedGetObject() throws {
        let request = SigningRequest(method: "GET", host: Self.host, path: "/test.txt")
        let url = try Self.signer.presignedURL(for: request, expires: 86400, date: Self.date)
        #expect(url == "https://examplebucket.s3.amazonaws.com/test.txt"
            + "?X-Amz-Algorithm=AWS4-HMAC-SHA256"
            + "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
            + "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
            + "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404")
    }

    @Test func getObjectWithRange() {
        let request = SigningRequest(method: "GET", host: Self.host, path: "/test.txt", headers: [HTTPField("Range", "bytes=0-9")])
        let fields = Self.signer.signHeaders(for: request, payload: .empty, date: Self.date)
        #expect(Self.header("authorization", in: fields) == Self.credentialPrefix
            + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
        #expect(Self.header("x-amz-date", in: fields) == "20130524T000000Z")
        #expect(Self.header("x-amz-content-sha256", in: fields) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Self.header("x-amz-security-token", in: fields) == nil)
        #expect(fields.map(\.name) == ["x-amz-date", "x-amz-content-sha256", "authorization"])
    }

    @Test func putObject() {
        let body = Array("Welcome to Amazon S3.".utf8)
        let payload = PayloadHash.sha256(of: body)
        #expect(payload == .sha256(hex: "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072"))
        let request = SigningRequest(
            method: "PUT", host: Self.host, path: "/test$file.text",
            headers: [HTTPField("Date", "Fri, 24 May 2013 00:00:00 GMT"), HTTPField("x-amz-storage-class", "REDUCED_REDUNDANCY")])
        #expect(request.encodedPath == "/test%24file.text")
        let fields = Self.signer.signHeaders(for: request, payload: payload, date: Self.date)
        #expect(Self.header("authorization", in: fields) == Self.credentialPrefix
            + "SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class, "
            + "Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd")
    }

    @Test func getBucketLifecycle() {
        let request = SigningRequest(method: "GET", host: Self.host, path: "/", query: [QueryItem("lifecycle", "")])
        #expect(request.encodedQuery == "lifecycle=")
        let fields = Self.signer.signHeaders(for: request, payload: .empty, date: Self.date)
        #expect(Self.header("authorization", in: fields) == Self.credentialPrefix
            + "SignedHeaders=host;x-amz-content-sha256;x-amz-date, "
            + "Signature=fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543")
    }

    @Test func getBucketListObjects() {
        let request = SigningRequest(
            method: "GET", host: Self.host, path: "/", query: [QueryItem("prefix", "J"), QueryItem("max-keys", "2")])
        #expect(request.encodedQuery == "max-keys=2&prefix=J")
        let fields = Self.signer.signHeaders(for: request, payload: .empty, date: Self.date)
        #expect(Self.header("authorization", in: fields) == Self.credentialPrefix
            + "SignedHeaders=host;x-amz-content-sha256;x-amz-date, "
            + "Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7")
    }

    @Test func emptyPathSignsAsSlash() {
        let empty = SigningRequest(method: "GET", host: Self.host, path: "", query: [QueryItem("lifecycle", "")])
        #expect(empty.encodedPath == "/")
        let fields = Self.signer.signHeaders(for: empty, payload: .empty, date: Self.date)
        #expect(Self.header("authorization", in: fields)?.hasSuffix("fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543") == true)
    }
}

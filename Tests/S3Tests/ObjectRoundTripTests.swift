import Foundation
import S3
import Testing

/// Every object operation against the verifying proxy, with keys that are hard to sign and encode.
@Suite("Objects round-trip through the verifying proxy")
struct ObjectRoundTripTests {
    static let awkwardKeys = [
        "plain.txt",
        "with space/and  two spaces.txt",
        "plus+sign=equals&ampersand~tilde.txt",
        "percent%20literal%2Fnot-a-slash%.bin",
        "zażółć gęślą jaźń/ąćęłńóśźż ĄĆĘŁŃÓŚŹŻ.jpg",
        "deep/a/b/c/d/e/f/g/h/i/j/k/l/m/file.csv",
        "*star(paren)!'quote,comma;semi:colon@at$dollar #hash ?question.txt",
    ]

    @Test("put, list, get, head, presign and delete", arguments: awkwardKeys)
    func roundTrip(key: String) async throws {
        let bucket = try TestStack.makeBucket()
        let body = TestStack.bytes(count: 10_000 + key.utf8.count, seed: UInt64(key.utf8.count))
        let metadata = ["component-id": "C-42", "original-filename": "Łódź – zdjęcie 1.jpg", "sha256": "abc%def"]
        try await TestStack.withClient { s3 in
            let put = try await s3.putObject(bucket: bucket, key: key, body: body, contentType: "image/jpeg", metadata: metadata)
            #expect(put.size == Int64(body.count))
            #expect(put.etag.hasPrefix("\""))

            let page = try await s3.listObjectsV2(bucket: bucket, prefix: key)
            #expect(page.objects.map(\.key) == [key])
            #expect(page.objects.first?.size == Int64(body.count))
            #expect(page.objects.first?.etag == put.etag)

            let object = try await s3.getObject(bucket: bucket, key: key)
            #expect(Array(object.body.readableBytesView) == body)

            let info = try await s3.headObject(bucket: bucket, key: key)
            #expect(info.size == Int64(body.count))
            #expect(info.contentType == "image/jpeg")
            #expect(info.metadata == metadata)
            #expect(info.serverSideEncryption == .aes256)
            #expect(info.etag == put.etag)
            #expect(info.lastModified != nil)

            let link = try s3.presignedGetURL(bucket: bucket, key: key, expires: 300)
            #expect(!link.contains(TestStack.credentialsSecretMarker))
            let fetched = try PlainHTTP.request("GET", link)
            #expect(fetched.status == 200, "presigned GET answered \(fetched.status): \(fetched.text)")
            #expect(fetched.body == body)

            try await s3.deleteObject(bucket: bucket, key: key)
            let error = await #expect(throws: S3Error.self) { try await s3.headObject(bucket: bucket, key: key) }
            #expect(error?.status == 404)
            #expect(try await s3.listObjectsV2(bucket: bucket, prefix: key).objects.isEmpty)
        }
    }

    @Test("a tampered presigned link is refused")
    func tamperedLink() async throws {
        let bucket = try TestStack.makeBucket()
        try await TestStack.withClient { s3 in
            _ = try await s3.putObject(bucket: bucket, key: "a b.txt", body: Array("hello".utf8))
            let link = try s3.presignedGetURL(bucket: bucket, key: "a b.txt", expires: 60)
            let tampered = link.replacingOccurrences(of: "a%20b.txt", with: "a%20c.txt")
            #expect(try PlainHTTP.request("GET", tampered).status == 403)
            #expect(try PlainHTTP.request("GET", link).status == 200)
        }
    }

    @Test("getObject streams, and refuses bodies above its limit")
    func streamingAndLimit() async throws {
        let bucket = try TestStack.makeBucket()
        let body = TestStack.bytes(count: 300_000, seed: 7)
        try await TestStack.withClient { s3 in
            _ = try await s3.putObject(bucket: bucket, key: "big.bin", body: body)
            let stream = try await s3.getObjectStream(bucket: bucket, key: "big.bin")
            #expect(stream.info.size == 300_000)
            var received: [UInt8] = []
            for try await chunk in stream.body { received += chunk.readableBytesView }
            #expect(received == body)

            let error = await #expect(throws: S3Error.self) {
                try await s3.getObject(bucket: bucket, key: "big.bin", maxSize: 1000)
            }
            #expect(error?.kind == .responseTooLarge(limit: 1000))
        }
    }

    @Test("a missing key is NoSuchKey, with a message that says so")
    func missingKey() async throws {
        let bucket = try TestStack.makeBucket()
        try await TestStack.withClient { s3 in
            let error = await #expect(throws: S3Error.self) { try await s3.getObject(bucket: bucket, key: "nope/ż.txt") }
            #expect(error?.code == "NoSuchKey")
            #expect(error?.status == 404)
            #expect(error?.description.contains("s3://\(bucket)/nope/ż.txt") == true)
            #expect(error?.description.contains("no object with this key") == true)
        }
    }

    @Test("listing pages through everything, decodes keys, and groups by delimiter")
    func listing() async throws {
        let bucket = try TestStack.makeBucket()
        let keys = (0..<7).map { "dir \($0 % 2)/obj+\($0)ż.txt" } + ["top level.txt"]
        try await TestStack.withClient { s3 in
            for key in keys { _ = try await s3.putObject(bucket: bucket, key: key, body: Array(key.utf8)) }

            var pages = 0
            for try await _ in s3.listObjectsV2Pages(bucket: bucket, pageSize: 3) { pages += 1 }
            #expect(pages == 3)

            var all: [String] = []
            for try await object in s3.listAllObjects(bucket: bucket, pageSize: 2) { all.append(object.key) }
            #expect(all.sorted() == keys.sorted())

            var underPrefix: [String] = []
            for try await object in s3.listAllObjects(bucket: bucket, prefix: "dir 1/") { underPrefix.append(object.key) }
            #expect(underPrefix.sorted() == keys.filter { $0.hasPrefix("dir 1/") }.sorted())

            let grouped = try await s3.listObjectsV2(bucket: bucket, delimiter: "/")
            #expect(grouped.commonPrefixes.sorted() == ["dir 0/", "dir 1/"])
            #expect(grouped.objects.map(\.key) == ["top level.txt"])
        }
    }

    @Test("bucket location and head bucket")
    func bucketLocation() async throws {
        let bucket = try TestStack.makeBucket()
        try await TestStack.withClient { s3 in
            #expect(try await s3.getBucketLocation(bucket: bucket) == "eu-central-1")
            try await s3.headBucket(bucket: bucket)
            let error = await #expect(throws: S3Error.self) {
                try await s3.headBucket(bucket: "vl-test-does-not-exist-\(UUID().uuidString.prefix(8).lowercased())")
            }
            #expect(error?.status == 404)
        }
    }

    @Test("a bucket in another region: the error names the right region")
    func wrongRegion() async throws {
        let bucket = try TestStack.makeBucket(region: "us-west-2")
        try await TestStack.withClient { s3 in
            let error = await #expect(throws: S3Error.self) {
                try await s3.putObject(bucket: bucket, key: "x", body: [1, 2, 3])
            }
            #expect(error?.bucketRegion == "us-west-2")
            #expect(error?.description.contains("us-west-2") == true)
        }
    }

    @Test("metadata names outside lower-case ASCII, digits and hyphens are refused before sending")
    func badMetadataName() async throws {
        let bucket = try TestStack.makeBucket()
        let log = RecordLog()
        try await TestStack.withClient(onRequest: log.append) { s3 in
            let error = await #expect(throws: S3Error.self) {
                try await s3.putObject(bucket: bucket, key: "x", body: [1], metadata: ["Original_Name": "a"])
            }
            #expect(error?.kind == .invalidRequest)
            #expect(error?.description.contains("Original_Name") == true)
        }
        #expect(log.records.isEmpty)
    }
}

extension TestStack {
    /// A fragment of the test secrets that must never appear in a link or message.
    static let credentialsSecretMarker = "NOT+A+REAL+KEY"
}

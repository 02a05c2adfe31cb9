import Foundation
import NIOCore
import SigV4
import Testing

@testable import S3

@Suite("Pure parts of the S3 client")
struct UnitTests {
    @Test("metadata values: printable ASCII kept, the rest percent-encoded, and decoded back")
    func metadataValues() {
        #expect(ObjectMetadata.encode("plain value-1") == "plain value-1")
        #expect(ObjectMetadata.encode("Łódź") == "%C5%81%C3%B3d%C5%BA")
        #expect(ObjectMetadata.encode("100%") == "100%25")
        #expect(ObjectMetadata.encode(" padded ") == "%20padded%20")
        #expect(ObjectMetadata.encode("tab\there") == "tab%09here")
        for value in ["Łódź – zdjęcie", "100%", " padded ", "a%2Fb", "ąćęłńóśźż", "😀", ""] {
            #expect(ObjectMetadata.decode(ObjectMetadata.encode(value)) == value)
        }
        #expect(ObjectMetadata.decode("50% off") == "50% off")
    }

    @Test("metadata names: lower-case ASCII letters, digits and hyphens only")
    func metadataNames() throws {
        #expect(ObjectMetadata.isValidName("component-id"))
        #expect(ObjectMetadata.isValidName("sha256"))
        #expect(!ObjectMetadata.isValidName("Component-Id"))
        #expect(!ObjectMetadata.isValidName("original_name"))
        #expect(!ObjectMetadata.isValidName("ż"))
        #expect(!ObjectMetadata.isValidName(""))
        let headers = try ObjectMetadata.headers(for: ["b": "2", "a": "ą"])
        #expect(headers.map(\.0) == ["x-amz-meta-a", "x-amz-meta-b"])
        #expect(headers.map(\.1) == ["%C4%85", "2"])
    }

    @Test("addressing: AWS virtual-hosted, custom endpoints path style")
    func addressing() {
        let aws = S3Configuration(region: "eu-central-1")
        let virtual = aws.address(bucket: "volt-data-lake")
        #expect(virtual.host == "volt-data-lake.s3.eu-central-1.amazonaws.com")
        #expect(virtual.path(key: "a b/ż.jpg") == "/a b/ż.jpg")
        #expect(virtual.path(key: nil) == "/")
        #expect(aws.address(bucket: "dotted.bucket").host == "s3.eu-central-1.amazonaws.com")
        #expect(aws.address(bucket: "dotted.bucket").path(key: "k") == "/dotted.bucket/k")
        #expect(S3Configuration(region: "us-east-1").address(bucket: "b-1-x").host == "b-1-x.s3.amazonaws.com")

        let local = S3Configuration(region: "eu-central-1", endpoint: URL(string: "http://127.0.0.1:19000"))
        let pathStyle = local.address(bucket: "vl-test-1")
        #expect(pathStyle.host == "127.0.0.1:19000")
        #expect(pathStyle.origin == "http://127.0.0.1:19000")
        #expect(pathStyle.path(key: "k/ey") == "/vl-test-1/k/ey")
        #expect(pathStyle.path(key: nil) == "/vl-test-1")

        let defaultPort = S3Configuration(region: "x", endpoint: URL(string: "https://minio.example:443/"), usePathStyle: false)
        #expect(defaultPort.address(bucket: "bucket").host == "bucket.minio.example")
        #expect(defaultPort.endpointDescription == "https://minio.example:443")
    }

    @Test("location constraints: empty is us-east-1, EU is eu-west-1")
    func locationConstraint() {
        #expect(S3Client.region(fromLocationConstraint: "") == "us-east-1")
        #expect(S3Client.region(fromLocationConstraint: "EU") == "eu-west-1")
        #expect(S3Client.region(fromLocationConstraint: "eu-central-1") == "eu-central-1")
    }

    @Test("ListObjectsV2 XML: url-encoded keys decoded (+ is a space), pages and prefixes read")
    func listParsing() async throws {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
              <Name>b</Name><Prefix></Prefix><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys>
              <EncodingType>url</EncodingType><IsTruncated>true</IsTruncated>
              <NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>
              <Contents><Key>a+b%2Bc%25d/%C5%BC.jpg</Key><LastModified>2025-01-31T12:00:00.000Z</LastModified>
                <ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag><Size>123</Size><StorageClass>STANDARD</StorageClass></Contents>
              <Contents><Key>plain</Key><LastModified>2025-01-31T12:00:01Z</LastModified><ETag>&quot;x-2&quot;</ETag><Size>5</Size></Contents>
              <CommonPrefixes><Prefix>dir+1/</Prefix></CommonPrefixes>
            </ListBucketResult>
            """
        let client = S3Client(
            credentials: AWSCredentials(accessKeyID: "AKID", secretAccessKey: "secret", sessionToken: nil),
            configuration: S3Configuration(region: "eu-central-1"), httpClient: nil
        )
        let document = try #require(XMLNode.parse(Array(xml.utf8)))
        let page = try client.parseListPage(document, bucket: "b")
        #expect(page.objects.map(\.key) == ["a b+c%d/ż.jpg", "plain"])
        #expect(page.objects.map(\.size) == [123, 5])
        #expect(page.objects.first?.etag == "\"9b2cf535f27731c974343645a3985328\"")
        #expect(page.objects.first?.lastModified == Date(timeIntervalSince1970: 1_738_324_800))
        #expect(page.objects.last?.lastModified == Date(timeIntervalSince1970: 1_738_324_801))
        #expect(page.commonPrefixes == ["dir 1/"])
        #expect(page.isTruncated)
        #expect(page.nextContinuationToken == "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=")
        try await client.shutdown()
    }

    @Test("error messages: actionable, with the IAM action or the right region, never a secret")
    func errorDescriptions() {
        func error(_ operation: String, _ status: Int, _ code: String, region: String? = nil) -> S3Error {
            S3Error(kind: .service, operation: operation, bucket: "volt-data-lake", key: "images/a.jpg", status: status,
                    code: code, message: "m", requestID: "REQ1", bucketRegion: region, endpoint: "https://s3.amazonaws.com")
        }
        let denied = error("PutObject", 403, "AccessDenied").description
        #expect(denied.contains("s3:PutObject"))
        #expect(denied.contains("s3://volt-data-lake/images/a.jpg"))
        #expect(denied.contains("REQ1"))
        #expect(error("AbortMultipartUpload", 403, "AccessDenied").description.contains("s3:AbortMultipartUpload"))
        #expect(error("GetObject", 403, "SignatureDoesNotMatch").description
            .contains("the secret access key does not match the key id"))
        #expect(error("GetObject", 403, "RequestTimeTooSkewed").description.contains("clock"))
        #expect(error("GetObject", 403, "ExpiredToken").description.contains("expired"))
        #expect(error("GetObject", 301, "PermanentRedirect", region: "us-west-2").description.contains("us-west-2"))
        #expect(error("GetObject", 503, "SlowDown").isRetryable)
        #expect(error("GetObject", 400, "RequestTimeout").isRetryable)
        #expect(error("GetObject", 500, "InternalError").isRetryable)
        #expect(!error("GetObject", 403, "AccessDenied").isRetryable)
        #expect(!error("GetObject", 400, "RequestTimeTooSkewed").isRetryable)
        #expect(!error("GetObject", 404, "NoSuchKey").isRetryable)

        let refused = S3Error(kind: .connectionFailed, operation: "ListObjectsV2", bucket: "b",
                              endpoint: "http://127.0.0.1:19000", detail: "connection refused")
        #expect(refused.description.contains("could not connect to http://127.0.0.1:19000"))
        #expect(refused.isRetryable)

        var withAbort = error("UploadPart", 500, "InternalError")
        withAbort.abortFailure = .init(uploadID: "UP1", status: 403, code: "AccessDenied", message: nil)
        #expect(withAbort.description.contains("UP1"))
        #expect(withAbort.description.contains("s3:AbortMultipartUpload"))
        #expect(withAbort.description.contains("AbortIncompleteMultipartUpload"))
    }

    @Test("backoff: full jitter below an exponential ceiling")
    func backoff() async throws {
        let client = S3Client(
            credentials: AWSCredentials(accessKeyID: "AKID", secretAccessKey: "secret", sessionToken: nil),
            configuration: S3Configuration(region: "eu-central-1", retryBaseDelay: .milliseconds(100), maxRetryDelay: .seconds(1))
        )
        for _ in 0..<200 {
            #expect((0..<0.1).contains(client.backoff(afterAttempt: 1)))
            #expect((0..<0.4).contains(client.backoff(afterAttempt: 3)))
            #expect((0..<1.0).contains(client.backoff(afterAttempt: 30)))
        }
        try await client.shutdown()
    }

    @Test("part size grows so a file fits in 10,000 parts")
    func partSizeGrowth() async throws {
        let client = S3Client(
            credentials: AWSCredentials(accessKeyID: "AKID", secretAccessKey: "secret", sessionToken: nil),
            configuration: S3Configuration(region: "eu-central-1", partSize: 8 << 20)
        )
        #expect(try client.partSize(forFileOfSize: 1 << 30, bucket: "b", key: "k") == 8 << 20)
        let huge: Int64 = 200 << 30  // 200 GiB needs > 8 MiB parts
        let grown = try client.partSize(forFileOfSize: huge, bucket: "b", key: "k")
        #expect(grown % (1 << 20) == 0)
        #expect((huge + grown - 1) / grown <= 10_000)
        #expect(throws: S3Error.self) { try client.partSize(forFileOfSize: 50 << 40, bucket: "b", key: "k") }
        try await client.shutdown()
    }

    @Test("presigned links carry no secret and refuse an expiry beyond 7 days")
    func presign() async throws {
        let client = S3Client(
            credentials: AWSCredentials(accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", sessionToken: nil),
            configuration: S3Configuration(region: "us-east-1")
        )
        let link = try client.presignedGetURL(
            bucket: "examplebucket", key: "test.txt", expires: 86400, date: Date(timeIntervalSince1970: 1_369_353_600)
        )
        // AWS's published example (virtual-hosted on s3.amazonaws.com).
        #expect(link.hasPrefix("https://examplebucket.s3.amazonaws.com/test.txt?"))
        #expect(link.hasSuffix("X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"))
        #expect(!link.contains("wJalrXUtnFEMI"))
        #expect(throws: S3Error.self) { try client.presignedGetURL(bucket: "b", key: "k", expires: 604_801) }
        try await client.shutdown()
    }

    @Test("file chunks re-read the same region on every iteration")
    func fileChunks() async throws {
        let bytes = TestStack.bytes(count: 1_000_000, seed: 1)
        let path = try TestStack.temporaryFile(bytes: bytes)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let chunks = FileChunks(region: FileRegion(path: path, offset: 1000, length: 500_000), chunkSize: 65_536)
        for _ in 0..<2 {
            var read: [UInt8] = []
            for try await chunk in chunks { read += chunk.readableBytesView }
            #expect(read == Array(bytes[1000..<501_000]))
        }
        let missing = FileChunks(region: FileRegion(path: path + ".missing", offset: 0, length: 10))
        await #expect(throws: LocalFileError.self) { for try await _ in missing {} }
    }
}

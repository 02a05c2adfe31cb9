import Foundation
import S3
import SigV4
import Testing

@Suite("Errors and retries against the verifying proxy")
struct ErrorAndRetryTests {
    @Test("a wrong secret fails with SignatureDoesNotMatch and a message that says what to check")
    func wrongSecret() async throws {
        let bucket = try TestStack.makeBucket()
        let good = try TestStack.credentials("app")
        let bad = AWSCredentials(accessKeyID: good.accessKeyID, secretAccessKey: "wrong-secret", sessionToken: nil)
        let log = RecordLog()
        try await TestStack.withClient(credentials: bad, onRequest: log.append) { s3 in
            let error = await #expect(throws: S3Error.self) {
                try await s3.putObject(bucket: bucket, key: "k", body: [1, 2, 3])
            }
            #expect(error?.code == "SignatureDoesNotMatch")
            #expect(error?.status == 403)
            #expect(error?.description.contains("the secret access key does not match the key id") == true)
            #expect(error?.description.contains("wrong-secret") == false)
        }
        #expect(log.records.count == 1)
    }

    @Test("an unknown key id is InvalidAccessKeyId")
    func unknownKey() async throws {
        let bucket = try TestStack.makeBucket()
        let credentials = AWSCredentials(accessKeyID: "VOLTLAKENOSUCHKEY0001", secretAccessKey: "x", sessionToken: nil)
        try await TestStack.withClient(credentials: credentials) { s3 in
            let error = await #expect(throws: S3Error.self) { try await s3.listObjectsV2(bucket: bucket) }
            #expect(error?.code == "InvalidAccessKeyId")
        }
    }

    @Test("a clock 20 minutes off fails with RequestTimeTooSkewed, not retried")
    func skewedClock() async throws {
        let bucket = try TestStack.makeBucket()
        let log = RecordLog()
        let configuration = TestStack.configuration(now: { Date().addingTimeInterval(-20 * 60) })
        try await TestStack.withClient(configuration: configuration, onRequest: log.append) { s3 in
            let error = await #expect(throws: S3Error.self) { try await s3.listObjectsV2(bucket: bucket) }
            #expect(error?.code == "RequestTimeTooSkewed")
            #expect(error?.description.contains("clock") == true)
        }
        #expect(log.records.count == 1)
    }

    @Test("AccessDenied names the IAM action, and a 403 is tried once")
    func accessDeniedNotRetried() async throws {
        let bucket = try TestStack.makeBucket()
        let log = RecordLog()
        let before = try TestStack.sequence()
        try await TestStack.withClient(key: "read-only", onRequest: log.append) { s3 in
            let error = await #expect(throws: S3Error.self) {
                try await s3.putObject(bucket: bucket, key: "denied.txt", body: [1, 2, 3])
            }
            #expect(error?.code == "AccessDenied")
            #expect(error?.description.contains("s3:PutObject") == true)
        }
        #expect(log.records.map(\.attempt) == [1])
        #expect(log.records.first?.status == 403)
        let seen = try TestStack.requests(since: before).filter { $0["bucket"] as? String == bucket }
        #expect(seen.count == 1, "the proxy saw \(seen.count) requests for the bucket")
    }

    @Test("503 SlowDown twice, then success: retried with a fresh signature")
    func slowDownRetried() async throws {
        let bucket = try TestStack.makeBucket()
        try TestStack.injectFault(#"{"count":2,"status":503,"code":"SlowDown","method":"PUT","bucket":"\#(bucket)"}"#)
        let log = RecordLog()
        try await TestStack.withClient(onRequest: log.append) { s3 in
            let result = try await s3.putObject(bucket: bucket, key: "retry/me.txt", body: Array("payload".utf8))
            #expect(result.size == 7)
            #expect(Array(try await s3.getObject(bucket: bucket, key: "retry/me.txt").body.readableBytesView) == Array("payload".utf8))
        }
        let puts = log.records.filter { $0.operation == "PutObject" }
        #expect(puts.map(\.attempt) == [1, 2, 3])
        #expect(puts.map(\.status) == [503, 503, 200])
        #expect(puts.first?.errorCode == "SlowDown")
        #expect(puts.allSatisfy { $0.accessKeyID == "VOLTLAKEAPPKEY0000001" && $0.bytesSent == 7 })
        #expect(puts.last?.requestID != nil)
    }

    @Test("a dropped connection is retried")
    func droppedConnectionRetried() async throws {
        let bucket = try TestStack.makeBucket()
        try TestStack.injectFault(#"{"count":1,"action":"drop","method":"GET","bucket":"\#(bucket)"}"#)
        let log = RecordLog()
        try await TestStack.withClient(onRequest: log.append) { s3 in
            let page = try await s3.listObjectsV2(bucket: bucket)
            #expect(page.objects.isEmpty)
        }
        #expect(log.records.map(\.attempt) == [1, 2])
        #expect(log.records.first?.status == nil)
    }

    @Test("persistent 500s give up after maxAttempts with a clear error")
    func persistentServerError() async throws {
        let bucket = try TestStack.makeBucket()
        try TestStack.injectFault(#"{"count":3,"status":500,"code":"InternalError","method":"GET","bucket":"\#(bucket)"}"#)
        let log = RecordLog()
        try await TestStack.withClient(onRequest: log.append) { s3 in
            let error = await #expect(throws: S3Error.self) { try await s3.listObjectsV2(bucket: bucket) }
            #expect(error?.code == "InternalError")
            #expect(error?.description.contains("after retrying") == true)
        }
        #expect(log.records.count == 3)
    }

    @Test("an endpoint nobody listens on: the error names it")
    func connectionRefused() async throws {
        let configuration = S3Configuration(
            region: "eu-central-1", endpoint: URL(string: "http://127.0.0.1:1"), maxAttempts: 2,
            retryBaseDelay: .milliseconds(1), requestTimeout: .seconds(90)
        )
        let started = ContinuousClock.now
        try await TestStack.withClient(configuration: configuration) { s3 in
            let error = await #expect(throws: S3Error.self) { try await s3.listObjectsV2(bucket: "vl-test-nowhere") }
            #expect(error?.kind == .connectionFailed)
            #expect(error?.description.contains("http://127.0.0.1:1") == true)
        }
        // Far below the request timeout: a refused connection is not retried until the deadline.
        // (Generous, since a loaded CI machine can be slow to schedule the test.)
        #expect(ContinuousClock.now - started < .seconds(60))
    }
}

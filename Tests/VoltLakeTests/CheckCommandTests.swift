import Foundation
import Testing

/// `voltlake check` against the real local stack, and each troubleshooting case of the tutorial.
@Suite struct CheckCommandTests {
    static func picturesFolder(in dir: URL) throws -> URL {
        let pictures = dir.appendingPathComponent("pictures")
        try FileManager.default.createDirectory(at: pictures, withIntermediateDirectories: true)
        try Data([0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3]).write(to: pictures.appendingPathComponent("mcb_b16.jpg"))
        return pictures
    }

    func check(_ changes: [String: String?] = [:], arguments: [String] = []) throws -> CLI.Result {
        let dir = try CLI.sandbox()
        var environment = LocalStack.voltlakeEnvironment(pictures: try Self.picturesFolder(in: dir).path)
        for (name, value) in changes { environment[name] = value }
        return try CLI.run(["check"] + arguments, environment: environment, in: dir)
    }

    @Test func passesAgainstTheLocalStack() throws {
        let result = try check()
        #expect(result.status == 0, "\(LocalStack.downMessage)\n\(result.all)")
        for name in ["credentials", "s3", "postgres", "images"] {
            #expect(result.stdout.contains("✓ \(name):"), "\(result.stdout)")
        }
        #expect(result.stdout.contains("electric_components has"))
        #expect(!result.all.contains(LocalStack.appSecret))
    }

    @Test func jsonReportIsMachineReadable() throws {
        let result = try check(arguments: ["--json"])
        #expect(result.status == 0, "\(result.all)")
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect(object?["passed"] as? Bool == true)
        #expect((object?["results"] as? [Any])?.count == 4)
    }

    @Test func noCredentialsAtAll() throws {
        let result = try check(["AWS_ACCESS_KEY_ID": nil, "AWS_SECRET_ACCESS_KEY": nil])
        #expect(result.status == 1)
        #expect(result.stdout.contains("✗ credentials: no AWS credentials found"))
        #expect(result.stdout.contains("aws configure"))
        #expect(result.stdout.contains("✓ postgres"))
    }

    @Test func wrongSecret() throws {
        let result = try check(["AWS_SECRET_ACCESS_KEY": "wrong-SECRET-value/abc"])
        #expect(result.status == 1)
        #expect(result.stdout.contains("✗ s3:"))
        #expect(result.stdout.contains("SignatureDoesNotMatch") || result.stdout.lowercased().contains("secret access key"))
        #expect(!result.all.contains("wrong-SECRET-value"))
    }

    @Test func unknownAccessKey() throws {
        let result = try check(["AWS_ACCESS_KEY_ID": "VOLTLAKEUNKNOWNKEY01"])
        #expect(result.status == 1)
        #expect(result.stdout.contains("✗ s3:"))
        #expect(result.stdout.contains("InvalidAccessKeyId") || result.stdout.contains("access key"))
    }

    @Test func bucketThatDoesNotExist() throws {
        let result = try check(["S3_BUCKET_NAME": "vl-test-no-such-bucket-\(UUID().uuidString.prefix(8).lowercased())"])
        #expect(result.status == 1)
        #expect(result.stdout.contains("✗ s3:"))
        #expect(result.stdout.contains("NoSuchBucket") || result.stdout.contains("does not exist"))
    }

    @Test func wrongRegion() throws {
        let result = try check(["AWS_REGION": "us-west-2"])
        #expect(result.status == 1)
        #expect(result.stdout.contains("✗ s3:"))
        #expect(result.stdout.contains("fix: Set AWS_REGION=eu-central-1"))
    }

    @Test func s3ServerDown() throws {
        let result = try check(["AWS_ENDPOINT_URL": "http://127.0.0.1:19999"])
        #expect(result.status == 1)
        #expect(result.stdout.contains("could not connect to http://127.0.0.1:19999"))
        #expect(result.stdout.contains("scripts/stack up"))
    }

    @Test func postgresDown() throws {
        let result = try check(["POSTGRES_PORT": "15439"])
        #expect(result.status == 1)
        #expect(result.stdout.contains("✗ postgres: Cannot connect to PostgreSQL at 127.0.0.1:15439"))
        #expect(result.stdout.contains("✓ s3"))
    }

    @Test func postgresRefusesThePassword() throws {
        let result = try check(["POSTGRES_PASSWORD": "wrong-PG-password"])
        #expect(result.status == 1)
        #expect(result.stdout.contains("refused the password for user 'voltlake'"))
        #expect(!result.all.contains("wrong-PG-password"))
    }

    @Test func missingTable() throws {
        let result = try check(["VOLTLAKE_TABLE": "no_such_table"])
        #expect(result.status == 1)
        #expect(result.stdout.contains("there is no table 'no_such_table'"))
    }

    @Test func tableNameWithSQLInIt() throws {
        let result = try check(["VOLTLAKE_TABLE": "x; DROP TABLE electric_components"])
        #expect(result.status == 1)
        #expect(result.stdout.contains("is not a table name voltlake accepts"))
    }

    @Test func noPicturesFolder() throws {
        let result = try check(["VOLT_IMAGES_DIR": "/nonexistent/pictures"])
        #expect(result.status == 1)
        #expect(result.stdout.contains("✗ images: no pictures folder at /nonexistent/pictures"))
        #expect(result.stdout.contains("VOLT_IMAGES_DIR"))
    }

    @Test func picturesFolderThatIsAFile() throws {
        let dir = try CLI.sandbox()
        let file = dir.appendingPathComponent("file.jpg")
        try Data([1]).write(to: file)
        let result = try check(["VOLT_IMAGES_DIR": file.path])
        #expect(result.status == 1)
        #expect(result.stdout.contains("is a file, not a folder"))
    }
}

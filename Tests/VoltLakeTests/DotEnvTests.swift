import Testing
@testable import VoltLake

@Suite struct DotEnvTests {
    @Test func readsTheUsualSyntax() throws {
        let text = """
        # AWS S3 Configuration
        AWS_ACCESS_KEY_ID=abc

        export AWS_REGION = eu-central-1
        S3_BUCKET_NAME='volt-data-lake'
        POSTGRES_PASSWORD="p=ss \\"word\\" # not a comment"
        DATABASE_URL=postgres://u:p@h:5432/db?sslmode=require # trailing comment
        SINGLE='no \\n escapes, "quotes" kept'
        MULTI="line one
        line two"
        EMPTY=
        """
        let entries = try DotEnv.parse(text)
        let values = Dictionary(uniqueKeysWithValues: entries.map { ($0.key, $0.value) })
        #expect(values["AWS_ACCESS_KEY_ID"] == "abc")
        #expect(values["AWS_REGION"] == "eu-central-1")
        #expect(values["S3_BUCKET_NAME"] == "volt-data-lake")
        #expect(values["POSTGRES_PASSWORD"] == "p=ss \"word\" # not a comment")
        #expect(values["DATABASE_URL"] == "postgres://u:p@h:5432/db?sslmode=require")
        #expect(values["SINGLE"] == "no \\n escapes, \"quotes\" kept")
        #expect(values["MULTI"] == "line one\nline two")
        #expect(values["EMPTY"] == "")
        #expect(entries.first { $0.key == "AWS_REGION" }?.line == 4)
    }

    @Test(arguments: [
        ("A=1\nthis line has no equals sign\n", 2),
        ("A=1\nB=\"never closed\n", 2),
        ("A='never closed\n", 1),
        ("=value\n", 1),
        ("A=1\n1BAD=2\n", 2),
        ("A=\"x\" trailing\n", 1),
    ])
    func reportsTheLineOfAMalformedEntry(text: String, line: Int) {
        #expect {
            try DotEnv.parse(text, file: "/tmp/.env")
        } throws: { error in
            guard let error = error as? DotEnvError else { return false }
            return error.line == line && error.description.hasPrefix("/tmp/.env:\(line):")
        }
    }

    @Test func errorsNeverEchoTheValue() {
        do {
            _ = try DotEnv.parse("AWS_SECRET_ACCESS_KEY=\"SuperSecretValue123\nX=1\n")
            Issue.record("expected an error")
        } catch {
            #expect(!error.description.contains("SuperSecretValue123"))
        }
    }
}

import Foundation
import Testing

/// The executable as a user meets it: help, version, config, exit statuses.
@Suite struct CLITests {
    @Test func versionAndHelp() throws {
        let dir = try CLI.sandbox()
        let version = try CLI.run(["--version"], in: dir)
        #expect(version.status == 0)
        #expect(version.stdout.contains("0."))
        let help = try CLI.run(["--help"], in: dir)
        #expect(help.status == 0)
        #expect(help.stdout.contains("check"))
        #expect(help.stdout.contains("config"))
    }

    @Test func unknownOptionIsAUsageError() throws {
        let result = try CLI.run(["check", "--no-such-flag"], in: try CLI.sandbox())
        #expect(result.status == 2)
        #expect(result.stderr.contains("no-such-flag"))
    }

    @Test func configNeverShowsASecretFromAnySource() throws {
        let dir = try CLI.sandbox()
        try "AWS_SECRET_ACCESS_KEY=dotenv-SECRET-123\nAWS_ACCESS_KEY_ID=DOTENVKEYID0001\nPOSTGRES_PASSWORD='dotenv-PGPASS-456'\n"
            .write(to: dir.appendingPathComponent(".env"), atomically: true, encoding: .utf8)
        let home = dir.appendingPathComponent("home/.aws")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        try "[volt]\naws_access_key_id = FILEKEYID000001\naws_secret_access_key = file-SECRET-789\naws_session_token = file-TOKEN-000\n"
            .write(to: home.appendingPathComponent("credentials"), atomically: true, encoding: .utf8)
        let secrets = ["dotenv-SECRET-123", "dotenv-PGPASS-456", "file-SECRET-789", "file-TOKEN-000", "env-SECRET-abc", "env-TOKEN-def", "url-PASS-ghi"]

        for (arguments, environment) in [
            (["config"], [String: String]()),
            (["config", "--json"], [:]),
            (["config"], ["AWS_SECRET_ACCESS_KEY": "env-SECRET-abc", "AWS_ACCESS_KEY_ID": "ENVKEYID", "AWS_SESSION_TOKEN": "env-TOKEN-def",
                          "DATABASE_URL": "postgres://volt:url-PASS-ghi@db:5432/volt"]),
            (["config", "--profile", "volt"], ["AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""]),
        ] {
            // The .env pair would shadow the profile, so the profile case runs without the .env secret pair.
            let result: CLI.Result
            if arguments.contains("--profile") {
                let other = try CLI.sandbox()
                try FileManager.default.copyItem(at: home, to: other.appendingPathComponent("home/.aws"))
                result = try CLI.run(arguments, environment: environment, in: other)
                #expect(result.stdout.contains("FILE…0001"))
            } else {
                result = try CLI.run(arguments, environment: environment, in: dir)
            }
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
            #expect(result.stdout.contains("redacted"))
            for secret in secrets { #expect(!result.all.contains(secret), "\(arguments) printed \(secret)") }
        }
    }

    @Test func malformedDotEnvIsAConfigurationErrorWithItsLine() throws {
        let dir = try CLI.sandbox()
        try "S3_BUCKET_NAME=volt-data-lake\nAWS_SECRET_ACCESS_KEY=\"broken-SECRET-quote\n".write(to: dir.appendingPathComponent(".env"), atomically: true, encoding: .utf8)
        let result = try CLI.run(["config"], in: dir)
        #expect(result.status == 2)
        #expect(result.stderr.contains(".env:2"))
        #expect(!result.all.contains("broken-SECRET-quote"))
        #expect(!result.stderr.contains("Stack trace"))
    }

    @Test func contradictorySettingsAreRefused() throws {
        let result = try CLI.run(["config"], environment: ["AWS_ACCESS_KEY_ID": "ONLYTHEID"], in: try CLI.sandbox())
        #expect(result.status == 2)
        #expect(result.stderr.contains("AWS_SECRET_ACCESS_KEY"))
    }
}

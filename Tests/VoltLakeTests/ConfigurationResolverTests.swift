import Foundation
import Testing
@testable import VoltLake

/// Resolves configuration from in-memory files, so each test states its whole world.
func resolve(
    flags: [String: (flag: String, value: String)] = [:],
    environment: [String: String] = [:],
    files: [String: String] = [:]
) throws(ConfigurationError) -> VoltLakeConfiguration {
    let inputs = ConfigurationInputs(
        flags: flags, environment: environment, workingDirectory: "/work/app", homeDirectory: "/home/u",
        readFile: { path in files[path] })
    return try ConfigurationResolver(inputs: inputs).resolve()
}

@Suite struct ConfigurationResolverTests {
    @Test func defaultsWhenNothingIsSet() throws {
        let configuration = try resolve()
        #expect(configuration.s3.credentials == nil)
        #expect(configuration.s3.region.value == "eu-central-1")
        #expect(configuration.s3.bucket.value == "volt-data-lake")
        #expect(configuration.s3.endpoint == nil)
        #expect(configuration.s3.usePathStyle.value == false)
        #expect(configuration.postgres.host.value == "localhost")
        #expect(configuration.postgres.tlsMode.value == .prefer)
        #expect(configuration.postgres.table.value == "electric_components")
        #expect(configuration.postgres.isConfigured == false)
        #expect(configuration.imagesDirectory.value == "/work/app/frontend/public/pictures/electricComponents")
    }

    @Test func precedenceIsFlagsThenEnvironmentThenDotEnvThenAWSFilesThenDefaults() throws {
        let files = [
            "/work/app/.env": "S3_BUCKET_NAME=from-dotenv\nAWS_REGION=eu-west-1\nPOSTGRES_HOST=dotenv-host\n",
            "/home/u/.aws/config": "[default]\nregion = us-west-2\n",
        ]
        var configuration = try resolve(files: files)
        #expect(configuration.s3.bucket.value == "from-dotenv")
        #expect(configuration.s3.bucket.source == .dotEnv(path: "/work/app/.env", line: 1, name: "S3_BUCKET_NAME"))
        #expect(configuration.s3.region.value == "eu-west-1")

        configuration = try resolve(files: ["/home/u/.aws/config": "[default]\nregion = us-west-2\n"])
        #expect(configuration.s3.region.value == "us-west-2")

        configuration = try resolve(environment: ["S3_BUCKET_NAME": "from-env", "AWS_DEFAULT_REGION": "ap-south-1"], files: files)
        #expect(configuration.s3.bucket.value == "from-env")
        #expect(configuration.s3.region.value == "ap-south-1")
        #expect(configuration.postgres.host.value == "dotenv-host")

        configuration = try resolve(flags: ["S3_BUCKET_NAME": ("--bucket", "from-flag")], environment: ["S3_BUCKET_NAME": "from-env"], files: files)
        #expect(configuration.s3.bucket.value == "from-flag")
        #expect(configuration.s3.bucket.source == .flag("--bucket"))
    }

    @Test func credentialsFromTheEnvironmentWithSessionToken() throws {
        let configuration = try resolve(environment: [
            "AWS_ACCESS_KEY_ID": "KEYID", "AWS_SECRET_ACCESS_KEY": "SECRET", "AWS_SESSION_TOKEN": "TOKEN",
        ])
        #expect(configuration.s3.credentials?.value.accessKeyID == "KEYID")
        #expect(configuration.s3.credentials?.value.secretAccessKey == "SECRET")
        #expect(configuration.s3.credentials?.value.sessionToken == "TOKEN")
    }

    @Test func credentialsFromANamedProfileAsAWSConfigureWritesThem() throws {
        let files = [
            "/home/u/.aws/credentials": """
            [default]
            aws_access_key_id = DEFAULTID
            aws_secret_access_key = DEFAULTSECRET

            [volt]
            aws_access_key_id = VOLTID
            aws_secret_access_key = VOLTSECRET
            aws_session_token = VOLTTOKEN
            """,
            "/home/u/.aws/config": """
            [default]
            region = us-east-1

            [profile volt]
            region = eu-north-1
            s3 =
              addressing_style = path
            """,
        ]
        var configuration = try resolve(files: files)
        #expect(configuration.s3.credentials?.value.accessKeyID == "DEFAULTID")
        #expect(configuration.s3.region.value == "us-east-1")

        configuration = try resolve(environment: ["AWS_PROFILE": "volt"], files: files)
        #expect(configuration.s3.credentials?.value.accessKeyID == "VOLTID")
        #expect(configuration.s3.credentials?.value.sessionToken == "VOLTTOKEN")
        #expect(configuration.s3.region.value == "eu-north-1")
        #expect(configuration.s3.usePathStyle.value == true)

        #expect(throws: ConfigurationError.self) { try resolve(environment: ["AWS_PROFILE": "missing"], files: files) }
    }

    @Test func retriesAndTimeoutAsBotocoreReadsThem() throws {
        var configuration = try resolve()
        #expect(configuration.s3.maxAttempts.value == 3)
        #expect(configuration.s3.requestTimeoutSeconds.value == 300)
        #expect(configuration.s3.clientConfiguration().maxAttempts == 3)

        let files = ["/home/u/.aws/config": "[default]\nregion = eu-west-1\nmax_attempts = 6\n"]
        configuration = try resolve(files: files)
        #expect(configuration.s3.maxAttempts.value == 6)
        #expect(configuration.s3.maxAttempts.source == .awsFile(path: "/home/u/.aws/config", profile: "default", key: "max_attempts"))

        configuration = try resolve(environment: ["AWS_MAX_ATTEMPTS": "2", "VOLTLAKE_S3_TIMEOUT": "15"], files: files)
        #expect(configuration.s3.maxAttempts.value == 2)
        #expect(configuration.s3.clientConfiguration().requestTimeout == .seconds(15))

        for (name, value) in [("AWS_MAX_ATTEMPTS", "0"), ("AWS_MAX_ATTEMPTS", "many"), ("VOLTLAKE_S3_TIMEOUT", "-1"), ("VOLTLAKE_S3_TIMEOUT", "1.5")] {
            do {
                _ = try resolve(environment: [name: value])
                Issue.record("\(name)=\(value) was accepted")
            } catch {
                #expect(error.description.contains(name) && error.description.contains("whole number"), "\(error.description)")
            }
        }
    }

    @Test func sharedFileLocationsFollowTheirVariables() throws {
        let configuration = try resolve(
            environment: ["AWS_SHARED_CREDENTIALS_FILE": "/etc/creds", "AWS_CONFIG_FILE": "~/cfg"],
            files: ["/etc/creds": "[default]\naws_access_key_id=A\naws_secret_access_key=B\n", "/home/u/cfg": "[default]\nregion=sa-east-1\n"])
        #expect(configuration.s3.credentials?.value.accessKeyID == "A")
        #expect(configuration.s3.region.value == "sa-east-1")
    }

    @Test func halfACredentialPairIsAConfigurationError() {
        #expect(throws: ConfigurationError.self) { try resolve(environment: ["AWS_ACCESS_KEY_ID": "ONLYID"]) }
        #expect(throws: ConfigurationError.self) { try resolve(files: ["/work/app/.env": "AWS_SECRET_ACCESS_KEY=x\n"]) }
    }

    @Test func customEndpointTurnsOnPathStyleUnlessSwitchedOff() throws {
        var configuration = try resolve(environment: ["AWS_ENDPOINT_URL": "http://127.0.0.1:19000"])
        #expect(configuration.s3.endpoint?.value.absoluteString == "http://127.0.0.1:19000")
        #expect(configuration.s3.usePathStyle.value == true)
        configuration = try resolve(environment: ["AWS_ENDPOINT_URL": "http://a:1", "AWS_ENDPOINT_URL_S3": "http://b:2"])
        #expect(configuration.s3.endpoint?.value.absoluteString == "http://b:2")
        configuration = try resolve(flags: ["VOLTLAKE_S3_PATH_STYLE": ("--no-path-style", "false")], environment: ["AWS_ENDPOINT_URL": "http://a:1"])
        #expect(configuration.s3.usePathStyle.value == false)
        #expect(throws: ConfigurationError.self) { try resolve(environment: ["AWS_ENDPOINT_URL": "localhost:9000"]) }
    }

    @Test func invalidValuesAreRefusedWithTheirSource() {
        for environment in [["S3_BUCKET_NAME": "Bad_Bucket"], ["AWS_REGION": "eu central"], ["POSTGRES_PORT": "54x"], ["PGSSLMODE": "sometimes"]] {
            do {
                _ = try resolve(environment: environment)
                Issue.record("expected \(environment) to be refused")
            } catch {
                #expect(error.description.contains("environment"))
            }
        }
    }

    @Test func databaseURLIsUsedWhole() throws {
        let configuration = try resolve(environment: [
            "DATABASE_URL": "postgresql://volt:p%40ss@db.example.com:6543/catalogue?sslmode=verify-full&sslrootcert=/etc/rds.pem",
            "POSTGRES_HOST": "ignored",
        ])
        #expect(configuration.postgres.host.value == "db.example.com")
        #expect(configuration.postgres.port.value == 6543)
        #expect(configuration.postgres.database.value == "catalogue")
        #expect(configuration.postgres.user.value == "volt")
        #expect(configuration.postgres.password?.value == "p@ss")
        #expect(configuration.postgres.tlsMode.value == .verifyFull)
        #expect(configuration.postgres.rootCertificate?.value == "/etc/rds.pem")
        #expect(configuration.postgres.isConfigured)
        #expect(DatabaseURL.redacted("postgres://volt:p%40ss@h/db").contains("REDACTED"))
        #expect(!DatabaseURL.redacted("postgres://volt:p%40ss@h/db").contains("p%40ss"))
    }

    @Test func postgresVariablesFallBackToLibpqNames() throws {
        let configuration = try resolve(environment: ["PGHOST": "pg.local", "PGPORT": "5433", "POSTGRES_USER": "volt", "PGPASSWORD": "pw", "PGSSLMODE": "require"])
        #expect(configuration.postgres.host.value == "pg.local")
        #expect(configuration.postgres.host.source == .environment("PGHOST"))
        #expect(configuration.postgres.port.value == 5433)
        #expect(configuration.postgres.user.value == "volt")
        #expect(configuration.postgres.password?.value == "pw")
        #expect(configuration.postgres.tlsMode.value == .require)
    }

    @Test func summaryNeverShowsASecret() throws {
        let configuration = try resolve(environment: [
            "AWS_ACCESS_KEY_ID": "VOLTKEYID00000000001", "AWS_SECRET_ACCESS_KEY": "s3cr3t-SECRET-value",
            "AWS_SESSION_TOKEN": "token-TOKEN-value", "DATABASE_URL": "postgres://u:pg-PASSWORD-value@h/db",
        ])
        let text = configuration.summaryRows.map { "\($0.name) \($0.value) \($0.source)" }.joined(separator: "\n")
        for secret in ["s3cr3t-SECRET-value", "token-TOKEN-value", "pg-PASSWORD-value", "VOLTKEYID00000000001"] {
            #expect(!text.contains(secret))
        }
        #expect(text.contains(VoltLakeConfiguration.redacted))
    }

    @Test func tableNamesAreQuotedOrRefused() throws {
        #expect(try SQLIdentifier.qualifiedTable("electric_components") == "\"electric_components\"")
        #expect(try SQLIdentifier.qualifiedTable("public.Parts2") == "\"public\".\"Parts2\"")
        for hostile in ["x; DROP TABLE y", "a\"b", "", "a.b.c", "1abc", "tab le", String(repeating: "a", count: 64)] {
            #expect(throws: DatabaseError.self) { try SQLIdentifier.qualifiedTable(hostile) }
        }
    }
}

import S3
import SigV4

/// Checks that the bucket is reachable with the configured credentials, using only
/// s3:GetBucketLocation and s3:ListBucket (the least-privilege policy's actions).
public struct S3Check: Sendable {
    public var settings: S3Settings
    /// A client to use (its requests then reach its observer); nil makes one for the check.
    public var client: S3Client?

    public init(settings: S3Settings, client: S3Client? = nil) {
        self.settings = settings
        self.client = client
    }

    public static func missingCredentials(_ settings: S3Settings) -> CheckResult {
        let error = ConfigurationError.noCredentials(profile: settings.profile.value)
        return .fail("credentials", error.cause, fix: error.fix)
    }

    public func run() async -> [CheckResult] {
        guard let credentials = settings.credentials else { return [Self.missingCredentials(settings)] }
        var results = [CheckResult.pass("credentials", "access key \(VoltLakeConfiguration.maskKeyID(credentials.value.accessKeyID)) from \(credentials.source)")]
        if let client {
            results.append(await probe(client))
        } else {
            let client = S3Client(credentials: credentials.value, configuration: settings.clientConfiguration())
            results.append(await probe(client))
            try? await client.shutdown()
        }
        return results
    }

    private func probe(_ client: S3Client) async -> CheckResult {
        let bucket = settings.bucket.value
        let endpoint = settings.endpoint?.value.absoluteString ?? "AWS S3 (\(settings.region.value))"
        do {
            let location = try await client.getBucketLocation(bucket: bucket)
            if settings.endpoint == nil, location != settings.region.value {
                return .fail("s3", "bucket \(bucket) is in region \(location), but voltlake is configured for \(settings.region.value) (\(settings.region.source))",
                             fix: "Set AWS_REGION=\(location) (or --region \(location)).")
            }
            _ = try await client.listObjectsV2(bucket: bucket, prefix: nil, maxKeys: 1)
            return .pass("s3", "bucket \(bucket) reachable at \(endpoint), region \(location)")
        } catch let error as S3Error {
            var fix: String?
            switch error.code {
            case "AccessDenied":
                fix = "Check the bucket name (\(settings.bucket.source)): S3 also answers AccessDenied for a bucket the policy does not cover. docs/iam.md lists the actions voltlake needs on arn:aws:s3:::\(bucket)."
            case "NoSuchBucket":
                fix = "Create the bucket (aws s3 mb s3://\(bucket) --region \(settings.region.value)) or fix S3_BUCKET_NAME / --bucket."
            default:
                if let region = error.bucketRegion, region != settings.region.value {
                    fix = "Set AWS_REGION=\(region) (or --region \(region)); it is \(settings.region.value) now (\(settings.region.source))."
                } else if error.kind == .connectionFailed || error.kind == .timeout {
                    fix = settings.endpoint == nil
                        ? "Check the network, or AWS_ENDPOINT_URL if you use an S3-compatible server."
                        : "Is the S3 server at \(endpoint) running? (\(settings.endpoint?.source.description ?? "")). For the local stack: scripts/stack up"
                }
            }
            return .fail("s3", error.description, fix: fix)
        } catch {
            return .fail("s3", "\(error)", fix: nil)
        }
    }
}

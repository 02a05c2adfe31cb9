import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import StackTestSupport
import Testing

/// The local stack (`StackTestSupport.Stack`) with what only these tests need.
typealias LocalStack = Stack

extension Stack {
    /// Variables that point voltlake at the stack with the least-privilege app key.
    static func voltlakeEnvironment(bucket: String = "volt-data-lake", pictures: String) -> [String: String] {
        [
            "AWS_ENDPOINT_URL": s3Endpoint,
            "AWS_ACCESS_KEY_ID": appKeyID,
            "AWS_SECRET_ACCESS_KEY": appSecret,
            "AWS_REGION": region,
            "S3_BUCKET_NAME": bucket,
            "POSTGRES_HOST": postgresHost,
            "POSTGRES_PORT": postgresPort,
            "POSTGRES_DB": "volt",
            "POSTGRES_USER": "voltlake",
            "POSTGRES_PASSWORD": "voltlake-local",
            "PGSSLMODE": "disable",
            "VOLT_IMAGES_DIR": pictures,
        ]
    }

    /// Creates a bucket through the front door's control endpoint and returns its name.
    static func makeBucket(_ prefix: String = "vl-test") async throws -> String {
        try await FrontDoor.makeBucket(prefix)
    }
}

import S3

/// All of `voltlake check`: configuration, S3, PostgreSQL and the pictures folder.
public struct ConnectionCheck: Sendable {
    public struct Report: Sendable, Codable {
        public var passed: Bool
        public var results: [CheckResult]
    }

    public var configuration: VoltLakeConfiguration
    public var includeDatabase: Bool
    /// The S3 client to check with; nil makes one.
    public var client: S3Client?

    public init(configuration: VoltLakeConfiguration, includeDatabase: Bool = true, client: S3Client? = nil) {
        self.configuration = configuration
        self.includeDatabase = includeDatabase
        self.client = client
    }

    public func run() async -> Report {
        async let s3 = S3Check(settings: configuration.s3, client: client).run()
        async let database = includeDatabase ? [DatabaseCheck(settings: configuration.postgres).run()] : []
        let images = ImagesDirectoryCheck(directory: configuration.imagesDirectory).run()
        let results = await s3 + database + [images]
        return Report(passed: results.allSatisfy(\.passed), results: results)
    }
}

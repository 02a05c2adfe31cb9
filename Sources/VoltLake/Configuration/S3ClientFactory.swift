import Logging
import S3

extension S3Settings {
    /// The S3 client configuration these settings describe.
    public func clientConfiguration() -> S3Configuration {
        S3Configuration(region: region.value, endpoint: endpoint?.value, usePathStyle: usePathStyle.value,
                        maxAttempts: maxAttempts.value, requestTimeout: .seconds(requestTimeoutSeconds.value))
    }

    /// A client for these settings; throws `ConfigurationError.noCredentials` when none were found.
    public func makeClient(
        configure: (inout S3Configuration) -> Void = { _ in },
        logger: Logger = S3Client.silentLogger,
        onRequest: (@Sendable (S3RequestRecord) -> Void)? = nil
    ) throws(ConfigurationError) -> S3Client {
        guard let credentials else { throw .noCredentials(profile: profile.value) }
        var configuration = clientConfiguration()
        configure(&configuration)
        return S3Client(credentials: credentials.value, configuration: configuration, logger: logger, onRequest: onRequest)
    }
}

/// How the link service runs. Resolved once at the edge (the `serve` command, or a test).
public struct PresignServiceConfiguration: Sendable {
    /// Address to bind; loopback by default, so only the Volt server on the same host can call it.
    public var host: String
    /// Port to bind; 0 picks a free one.
    public var port: Int
    /// How often the picture index is re-read from S3.
    public var refreshInterval: Duration
    /// How soon a failed index load is retried (never later than `refreshInterval`).
    public var retryInterval: Duration
    /// When set, `/api/…` requests need `Authorization: Bearer <token>`.
    public var apiToken: String?
    /// The expiry used when a request names none.
    public var defaultExpiry: Int
    /// How long the server waits for the first index load before it accepts requests anyway
    /// (answering 503 until the load succeeds).
    public var initialLoadWait: Duration

    public init(
        host: String = "127.0.0.1",
        port: Int = 8080,
        refreshInterval: Duration = .seconds(60),
        retryInterval: Duration = .seconds(5),
        apiToken: String? = nil,
        defaultExpiry: Int = 24,
        initialLoadWait: Duration = .seconds(5)
    ) {
        self.host = host
        self.port = port
        self.refreshInterval = refreshInterval
        self.retryInterval = retryInterval
        self.apiToken = apiToken
        self.defaultExpiry = defaultExpiry
        self.initialLoadWait = initialLoadWait
    }
}

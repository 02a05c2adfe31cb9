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
    /// The listen backlog: connections the kernel queues before the server accepts them. Hummingbird's
    /// default (256) overflows when many clients connect at once (1,000 connections in the load test):
    /// the kernel then drops handshakes and the clients' first requests wait 1–7 s for retransmits.
    /// The kernel caps it at net.core.somaxconn (4096 by default since Linux 5.4).
    public var backlog: Int
    /// On shutdown, how long a kept-alive connection with no request in progress may still bring one
    /// (answered with `Connection: close`) before it is closed.
    public var drainGrace: Duration

    public init(
        host: String = "127.0.0.1",
        port: Int = 8080,
        refreshInterval: Duration = .seconds(60),
        retryInterval: Duration = .seconds(5),
        apiToken: String? = nil,
        defaultExpiry: Int = 24,
        initialLoadWait: Duration = .seconds(5),
        backlog: Int = 4096,
        drainGrace: Duration = .seconds(1)
    ) {
        self.host = host
        self.port = port
        self.refreshInterval = refreshInterval
        self.retryInterval = retryInterval
        self.apiToken = apiToken
        self.defaultExpiry = defaultExpiry
        self.initialLoadWait = initialLoadWait
        self.backlog = backlog
        self.drainGrace = drainGrace
    }
}

import Foundation
import Hummingbird
import Logging
import NIOCore
import S3
import VoltLake

/// The pieces of a running link service that callers (the `serve` command, tests) may look at.
public struct PresignServiceParts: Sendable {
    public let store: PictureIndexStore
    public let metrics: ServiceMetrics
    public let refresher: PictureIndexRefresher
}

/// A logger that drops everything.
public let silentServiceLogger = Logger(label: "voltlake.serve", factory: { _ in SwiftLogNoOpLogHandler() })

/// Builds the link service: routes, metrics, and the index refresher (a Service in the application's
/// ServiceGroup). The server starts accepting requests once the first index load has finished, or after
/// `configuration.initialLoadWait` (answering 503 until a load succeeds).
///
/// - Parameters:
///   - client: The S3 client for the listing (its owner shuts it down after the application stops).
///   - now: The signing clock.
///   - onLinkIssued: Called for every link issued, with its key and the caller's address (for the audit log).
///   - onServerRunning: Called with the bound port once the server listens.
public func buildApplication(
    configuration: PresignServiceConfiguration,
    client: S3Client,
    bucket: String,
    metrics: ServiceMetrics = ServiceMetrics(),
    logger: Logger = silentServiceLogger,
    now: @escaping @Sendable () -> Date = { Date() },
    onLinkIssued: (@Sendable (IssuedLink) -> Void)? = nil,
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) throws(PresignError) -> (application: some ApplicationProtocol, parts: PresignServiceParts) {
    let defaultExpiry = try LinkExpiry(hours: configuration.defaultExpiry)
    let store = PictureIndexStore()
    let refresher = PictureIndexRefresher(
        client: client, bucket: bucket, store: store, metrics: metrics,
        interval: configuration.refreshInterval, retryInterval: configuration.retryInterval, logger: logger)
    let route = PictureLinkRoute(
        signer: PictureLinkSigner(client: client, bucket: bucket), store: store, metrics: metrics,
        defaultExpiry: defaultExpiry, token: configuration.apiToken.map(BearerToken.init), now: now, onLinkIssued: onLinkIssued)

    let router = Router(context: ServiceRequestContext.self)
    router.middlewares.add(RequestMetricsMiddleware(metrics: metrics))
    router.get("/health") { _, _ in
        Response(status: .ok, headers: JSONResponse.headers, body: ResponseBody(byteBuffer: healthBody))
    }
    router.get("/ready") { _, _ in
        guard store.isLoaded else { throw APIError(PresignError.indexUnavailable) }
        return Response(status: .ok, headers: JSONResponse.headers, body: ResponseBody(byteBuffer: healthBody))
    }
    router.get("/metrics") { _, _ in
        Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"], body: ResponseBody(byteBuffer: metrics.render()))
    }
    // One recursive route: `a/b` and `../x` reach the handler (and get a 400) instead of the router's 404.
    router.get("/api/upload/component-image-url/**") { request, context in
        try route.respond(to: request, context: context)
    }
    router.get("/api/upload/component-image-url") { request, context in
        try route.refuse(request, context: context)
    }

    let drainGrace = TimeAmount(configuration.drainGrace)
    var application = Application(
        router: router,
        server: .http1(configuration: .init(additionalChannelHandlers: [DrainOnShutdownHandler(grace: drainGrace)])),
        configuration: .init(
            address: .hostname(configuration.host, port: configuration.port), serverName: nil,
            backlog: configuration.backlog),
        services: [refresher],
        onServerRunning: { channel in
            // Accept up to 256 connections per wake-up of the listener instead of NIO's 4: the listener
            // shares its event loop with busy connections, and at 4 per loop turn a burst of 1,000
            // clients waited seconds in the accept queue.
            try? await channel.setOption(ChannelOptions.maxMessagesPerRead, value: 256)
            await onServerRunning(channel.localAddress?.port ?? configuration.port)
        },
        logger: logger)
    let initialLoadWait = configuration.initialLoadWait
    application.beforeServerStarts {
        await store.waitForFirstAttempt(upTo: initialLoadWait)
    }
    return (application, PresignServiceParts(store: store, metrics: metrics, refresher: refresher))
}

private let healthBody = ByteBuffer(string: #"{"status":"ok"}"#)

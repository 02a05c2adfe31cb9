import ArgumentParser
import Foundation
import Logging
import Metrics
import Prometheus
import ServiceLifecycle
import VoltLake
import VoltLakeServer

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve presigned picture links over HTTP for the Volt server (no process per request).",
        discussion: """
        GET /api/upload/component-image-url/<id>?expirationHours=24 answers the Volt API's JSON (200; 400 for
        an invalid id or expiration; 404 when the component has no picture; 503 while the picture index
        is not loaded yet). GET /health, GET /ready (200 once the index is loaded), GET /metrics (Prometheus).

        The picture index (one listing of images/components/) is loaded at start and refreshed in the
        background every --refresh-interval seconds; requests never wait on S3. When VOLTLAKE_API_TOKEN is
        set, /api requests need `Authorization: Bearer <token>`. Binds to 127.0.0.1 unless told otherwise.
        SIGTERM or SIGINT stops it gracefully (in-flight requests finish, exit status 0).

        Examples:
          voltlake serve
          VOLTLAKE_API_TOKEN=… voltlake serve --port 8080 --refresh-interval 300
        """)

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "Address to bind (default 127.0.0.1: only this host).")
    var host: String = "127.0.0.1"

    @Option(name: .long, help: "Port to listen on (0 picks a free one).")
    var port: Int = 8080

    @Option(name: .customLong("refresh-interval"), help: "Seconds between reloads of the picture index.")
    var refreshInterval: Int = 60

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be 0 to 65535, not \(port).") }
        guard (1...86_400).contains(refreshInterval) else {
            throw ValidationError("--refresh-interval must be 1 to 86400 seconds, not \(refreshInterval).")
        }
    }

    func run() async throws {
        let configuration = try global.resolveConfiguration()
        var token = ProcessInfo.processInfo.environment["VOLTLAKE_API_TOKEN"]
        if token?.isEmpty == true { token = nil }
        let session = try RunSession(command: "serve", global: global)
        defer { session.close() }
        let client = try session.makeClient(configuration)
        let bucket = configuration.s3.bucket.value
        let logger = session.logger
        let observer = session.observer
        let accessKeyID = client.accessKeyID

        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))

        let serviceConfiguration = PresignServiceConfiguration(
            host: host, port: port, refreshInterval: .seconds(refreshInterval), apiToken: token)
        let hostText = host
        let startLogger = logger
        let tokenText = token == nil ? "off" : "on"
        let (application, parts) = try buildApplication(
            configuration: serviceConfiguration, client: client, bucket: bucket,
            metrics: ServiceMetrics(registry: registry), logger: logger,
            onLinkIssued: { link in
                observer.recordLink(
                    url: link.url, bucket: bucket, key: link.key,
                    expiresAt: Date(timeIntervalSince1970: TimeInterval(link.expiresAtEpochSecond)),
                    accessKeyID: accessKeyID, clientAddress: link.clientAddress)
            },
            onServerRunning: { port in
                startLogger.notice("listening", metadata: ["http.address": "http://\(hostText):\(port)", "auth.bearer": "\(tokenText)"])
            })
        _ = parts
        let group = ServiceGroup(
            configuration: .init(services: [application], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        let outcome: Result<Void, any Error>
        do {
            try await group.run()
            outcome = .success(())
        } catch {
            outcome = .failure(error)
        }
        await session.shipAuditLog(client: client, bucket: bucket)
        try? await client.shutdown()
        switch outcome {
        case .success:
            logger.notice("stopped")
        case .failure(let error):
            throw CommandFailure.failed("the service stopped: \(error)")
        }
    }
}

import Foundation
import Hummingbird
import Prometheus
import Synchronization

/// The service's Prometheus metrics, in one registry per application (so tests do not share counts).
public final class ServiceMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    let linksIssued: Counter
    let indexRefreshes: Counter
    let indexRefreshFailures: Counter
    let indexComponents: Gauge
    let indexLastSuccess: Gauge
    private let requestCounters = Mutex<[RouteStatus: Counter]>([:])

    struct RouteStatus: Hashable {
        var route: String
        var status: Int
    }

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        func name(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
            MetricNameDescriptor(namespace: "voltlake", metricName: metric, unitName: unit, helpText: help)
        }
        linksIssued = registry.makeCounter(descriptor: name("presigned_links", "total", "Presigned picture links handed out."))
        indexRefreshes = registry.makeCounter(
            descriptor: name("picture_index_refreshes", "total", "Successful loads of the picture index from S3."))
        indexRefreshFailures = registry.makeCounter(
            descriptor: name("picture_index_refresh_failures", "total", "Failed loads of the picture index."))
        indexComponents = registry.makeGauge(
            descriptor: name("picture_index", "components", "Components with a picture in the current index."))
        indexLastSuccess = registry.makeGauge(
            descriptor: name("picture_index_last_success", "timestamp_seconds", "When the index was last loaded (Unix time)."))
    }

    /// Counts one answered request by route template (`unmatched` for unknown paths) and status.
    func countRequest(route: String?, status: Int) {
        let key = RouteStatus(route: route ?? "unmatched", status: status)
        let counter = requestCounters.withLock { counters in
            if let counter = counters[key] { return counter }
            let counter = registry.makeCounter(
                descriptor: MetricNameDescriptor(
                    namespace: "voltlake", metricName: "http_requests", unitName: "total",
                    helpText: "HTTP requests answered, by route and status."),
                labels: [("route", key.route), ("status", String(status))])
            counters[key] = counter
            return counter
        }
        counter.increment()
    }

    /// The Prometheus text exposition.
    public func render() -> ByteBuffer {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(4096)
        registry.emit(into: &bytes)
        return ByteBuffer(bytes: bytes)
    }
}

/// Counts every request by route and status, errors included.
struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServiceMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            let response = try await next(request, context)
            metrics.countRequest(route: context.endpointPath, status: response.status.code)
            return response
        } catch let error as any HTTPResponseError {
            metrics.countRequest(route: context.endpointPath, status: error.status.code)
            throw error
        } catch {
            metrics.countRequest(route: context.endpointPath, status: 500)
            throw error
        }
    }
}

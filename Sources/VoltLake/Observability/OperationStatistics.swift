import Metrics
import S3
import Synchronization

/// Per-operation success/failure counts, bytes and latency of one run, for its report;
/// also forwards each request to swift-metrics (`voltlake_s3_requests_total`, `voltlake_s3_request_duration_seconds`).
public final class OperationStatistics: Sendable {
    /// One operation's totals in a run report.
    public struct Summary: Sendable, Codable, Hashable {
        public var operation: String
        public var requests: Int
        public var failures: Int
        public var retries: Int
        public var bytes: Int64
        public var p50Ms: Double
        public var p99Ms: Double
        public var maxMs: Double
    }

    private struct Entry {
        var requests = 0
        var failures = 0
        var retries = 0
        var bytes: Int64 = 0
        var durations: [Double] = []
    }

    /// Latency samples kept per operation (enough for exact percentiles in any normal run).
    static let sampleLimit = 200_000
    private let entries = Mutex<[String: Entry]>([:])

    public init() {}

    public func record(_ record: S3RequestRecord) {
        let components = record.duration.components
        let milliseconds = Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15
        let failed = record.status.map { $0 >= 300 } ?? true
        entries.withLock { entries in
            var entry = entries[record.operation, default: Entry()]
            entry.requests += 1
            if failed { entry.failures += 1 }
            if record.attempt > 1 { entry.retries += 1 }
            entry.bytes += record.bytesSent + record.bytesReceived
            if entry.durations.count < Self.sampleLimit { entry.durations.append(milliseconds) }
            entries[record.operation] = entry
        }
        Counter(label: "voltlake_s3_requests_total", dimensions: [("operation", record.operation), ("outcome", failed ? "failure" : "success")]).increment()
        Metrics.Timer(label: "voltlake_s3_request_duration_seconds", dimensions: [("operation", record.operation)]).recordNanoseconds(
            Int64(milliseconds * 1_000_000))
    }

    /// Totals per operation, sorted by name.
    public var summaries: [Summary] {
        entries.withLock { entries in
            entries.map { name, entry in
                let sorted = entry.durations.sorted()
                func percentile(_ p: Double) -> Double {
                    guard !sorted.isEmpty else { return 0 }
                    let index = min(sorted.count - 1, Int((p * Double(sorted.count)).rounded(.up)) - 1)
                    return (sorted[max(0, index)] * 1000).rounded() / 1000
                }
                return Summary(operation: name, requests: entry.requests, failures: entry.failures, retries: entry.retries,
                               bytes: entry.bytes, p50Ms: percentile(0.5), p99Ms: percentile(0.99), maxMs: percentile(1))
            }.sorted { $0.operation < $1.operation }
        }
    }
}

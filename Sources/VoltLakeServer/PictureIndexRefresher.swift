import Foundation
import Logging
import S3
import ServiceLifecycle
import VoltLake

/// Loads the picture index from S3 (one listing of `images/components/`) and keeps it fresh in the
/// background, so requests only ever read the last good index.
public struct PictureIndexRefresher: Service {
    let client: S3Client
    let bucket: String
    let store: PictureIndexStore
    let metrics: ServiceMetrics
    let interval: Duration
    let retryInterval: Duration
    let logger: Logger

    /// Loads the index once; on failure the previous index (if any) stays in use.
    @discardableResult
    public func refresh() async -> Bool {
        defer { store.recordAttempt() }
        do {
            let index = try await PictureIndex.load(client: client, bucket: bucket)
            store.replace(with: index)
            metrics.indexRefreshes.increment()
            metrics.indexComponents.set(to: Double(index.count))
            metrics.indexLastSuccess.set(to: Date().timeIntervalSince1970.rounded(.down))
            logger.debug("picture index loaded", metadata: ["index.components": "\(index.count)", "s3.bucket": "\(bucket)"])
            return true
        } catch {
            if Task.isCancelled { return false }  // shutting down mid-listing: not a failure
            metrics.indexRefreshFailures.increment()
            logger.warning(
                "picture index could not be loaded", metadata: ["error": "\(error.description)", "s3.bucket": "\(bucket)"])
            return false
        }
    }

    /// Loads the index at once, then every `interval` (sooner while none is loaded) until graceful shutdown.
    public func run() async throws {
        var wait = Duration.zero
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let pause = wait
            do {
                try await cancelWhenGracefulShutdown {
                    if pause > .zero { try await Task.sleep(for: pause) }
                    _ = await refresh()
                }
            } catch {
                return  // cancelled: shutting down
            }
            wait = store.isLoaded ? interval : min(interval, retryInterval)
        }
    }
}

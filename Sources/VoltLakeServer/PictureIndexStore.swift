import Foundation
import Synchronization
import VoltLake

/// The picture index the service answers from, swapped whole by the refresher; reads never wait on S3.
public final class PictureIndexStore: Sendable {
    private let state = Mutex<PictureIndex?>(nil)
    private let attempts = Mutex(0)

    public init(_ index: PictureIndex? = nil) {
        state.withLock { $0 = index }
    }

    /// The current index, or nil when none could be loaded yet.
    public var current: PictureIndex? { state.withLock { $0 } }

    public var isLoaded: Bool { state.withLock { $0 != nil } }

    /// Loads attempted so far, failed ones included.
    public var loadAttempts: Int { attempts.withLock { $0 } }

    /// Replaces the index.
    public func replace(with index: PictureIndex) {
        state.withLock { $0 = index }
    }

    func recordAttempt() {
        attempts.withLock { $0 += 1 }
    }

    /// Waits until the first load attempt has finished, or `limit` has passed.
    func waitForFirstAttempt(upTo limit: Duration) async {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: limit)
        while loadAttempts == 0 && clock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }
}

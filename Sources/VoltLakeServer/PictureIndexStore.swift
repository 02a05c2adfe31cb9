import Foundation
import NIOCore
import Synchronization
import VoltLake

/// The picture index the service answers from, swapped whole by the refresher; reads never wait on S3.
public final class PictureIndexStore: Sendable {
    private struct Snapshot: Sendable {
        var index: PictureIndex
        var slots: [String: LinkSlot]
    }

    private let state = Mutex<Snapshot?>(nil)
    private let attempts = Mutex(0)

    public init(_ index: PictureIndex? = nil) {
        if let index { replace(with: index) }
    }

    /// The current index, or nil when none could be loaded yet.
    public var current: PictureIndex? { state.withLock { $0?.index } }

    public var isLoaded: Bool { state.withLock { $0 != nil } }

    /// Loads attempted so far, failed ones included.
    public var loadAttempts: Int { attempts.withLock { $0 } }

    /// Replaces the index (and with it every memoized link).
    public func replace(with index: PictureIndex) {
        var slots: [String: LinkSlot] = [:]
        slots.reserveCapacity(index.count)
        for entry in index.entries { slots[entry.componentID.value] = LinkSlot(key: entry.key) }
        let snapshot = Snapshot(index: index, slots: slots)
        state.withLock { $0 = snapshot }
    }

    /// The hot path's lookup: nil when no index is loaded, `.some(nil)` when the id has no picture.
    func slot(for id: String) -> LinkSlot?? {
        state.withLock { snapshot in snapshot.map { $0.slots[id] } }
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

/// One component's picture key, and the last answer for it.
///
/// A presigned link is a pure function of key, expiry and signing second, so the JSON answered for
/// (second, hours) is kept and handed out again, byte for byte, to requests in the same second
/// (the way the server caches its Date header). A new second or another expiry signs afresh.
final class LinkSlot: Sendable {
    let key: String
    private let last = Mutex<Memo?>(nil)

    struct Memo: Sendable {
        var second: Int64
        var hours: Int
        var body: ByteBuffer
    }

    init(key: String) {
        self.key = key
    }

    func body(second: Int64, hours: Int) -> ByteBuffer? {
        last.withLock { memo in
            guard let memo, memo.second == second, memo.hours == hours else { return nil }
            return memo.body
        }
    }

    func remember(second: Int64, hours: Int, body: ByteBuffer) {
        last.withLock { memo in
            if let current = memo, current.second > second { return }
            memo = Memo(second: second, hours: hours, body: body)
        }
    }
}

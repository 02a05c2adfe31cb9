import Dispatch
import Foundation

/// Turns SIGINT/SIGTERM into task cancellation while a long job runs, so the job can clean up
/// (abort its multipart uploads) before voltlake exits with status 130.
final class Interrupt {
    private let sources: [any DispatchSourceSignal]

    /// Calls `handler` on the first SIGINT or SIGTERM until `cancel()`.
    init(_ handler: @escaping @Sendable () -> Void) {
        sources = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler(handler: handler)
            source.resume()
            return source
        }
    }

    func cancel() {
        for source in sources { source.cancel() }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}

import Foundation
import Synchronization
import VoltLake

/// Shows an images run as it goes: a one-line progress bar on a terminal (stderr), plain lines otherwise.
final class ImagesProgress: Sendable {
    struct State {
        var lastDraw: ContinuousClock.Instant?
        var barShown = false
        var planned = 0
    }

    let interactive: Bool
    let printPlan: Bool
    private let state = Mutex(State())

    /// - Parameters:
    ///   - printPlan: In a dry run, print each planned action on stdout.
    init(printPlan: Bool) {
        let environment = ProcessInfo.processInfo.environment
        interactive = isatty(STDERR_FILENO) == 1 && environment["NO_COLOR"] == nil && environment["TERM"] != "dumb"
        self.printPlan = printPlan
    }

    func handle(_ event: ImageSyncEvent) {
        switch event {
        case .planned(let files, let skipped, let remote):
            line("images: \(files) pictures to compare, \(skipped) skipped, \(remote) objects already under images/components/")
        case .uploaded(let upload):
            if !interactive { line("uploaded \(upload.key) (\(Format.bytes(upload.size)), \(upload.reason.rawValue))") }
        case .wouldUpload(let upload):
            if printPlan { stdout("would upload \(upload.key) (\(Format.bytes(upload.size)), \(upload.reason.rawValue))") }
        case .failed(let failure):
            line("failed \(failure.key): \(failure.reason)")
        case .deleted(let key):
            if !interactive { line("deleted \(key)") }
        case .wouldDelete(let key):
            if printPlan { stdout("would delete \(key)") }
        case .progress(let progress):
            if interactive { draw(progress) }
        }
    }

    /// Removes the bar before the summary.
    func finish() {
        state.withLock { state in
            if state.barShown {
                FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
                state.barShown = false
            }
        }
    }

    private func line(_ text: String) {
        state.withLock { state in
            let clear = state.barShown ? "\r\u{1B}[K" : ""
            state.barShown = false
            FileHandle.standardError.write(Data((clear + text + "\n").utf8))
        }
    }

    private func stdout(_ text: String) {
        finish()
        print(text)
    }

    private func draw(_ progress: ImageSyncProgress) {
        state.withLock { state in
            let now = ContinuousClock.now
            if let last = state.lastDraw, now - last < .milliseconds(100), progress.filesDone < progress.filesTotal { return }
            state.lastDraw = now
            let seconds = max(0.001, Double(progress.elapsed.components.seconds) + Double(progress.elapsed.components.attoseconds) / 1e18)
            let fraction = progress.filesTotal == 0 ? 1 : Double(progress.filesDone) / Double(progress.filesTotal)
            let width = 24
            let filled = Int(fraction * Double(width))
            let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
            let rate = Double(progress.filesDone) / seconds
            let remaining = rate > 0 ? Double(progress.filesTotal - progress.filesDone) / rate : 0
            let text = "[\(bar)] \(progress.filesDone)/\(progress.filesTotal) files  \(Format.bytes(progress.bytesUploaded)) sent  "
                + "\(Format.bytes(Int64(Double(progress.bytesUploaded) / seconds)))/s  ETA \(Format.duration(remaining))"
            FileHandle.standardError.write(Data(("\r\u{1B}[K" + text).utf8))
            state.barShown = true
        }
    }
}

/// Human-readable sizes and durations.
enum Format {
    static func bytes(_ count: Int64) -> String {
        let units = ["B", "KB", "MB", "GB", "TB"]
        var value = Double(count)
        var unit = 0
        while value >= 1000, unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        return unit == 0 ? "\(count) B" : String(format: "%.1f", value) + " " + units[unit]
    }

    static func duration(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        return total >= 3600 ? String(format: "%d:%02d:%02d", total / 3600, total / 60 % 60, total % 60)
            : String(format: "%d:%02d", total / 60, total % 60)
    }
}

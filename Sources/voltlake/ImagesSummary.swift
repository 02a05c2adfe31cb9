import VoltLake

/// The short table `voltlake images` prints at the end.
enum ImagesSummary {
    static let listedSkips = 50

    static func text(_ report: ImageSyncReport, reports: [String]) -> String {
        var lines: [String] = []
        let verb = report.dryRun ? "dry run (nothing written)" : "images"
        lines.append("\(verb): \(report.source) → s3://\(report.bucket)/\(report.prefix)  (mapping: \(report.mapping))")
        var rows: [[String]] = [["", "OBJECTS", "BYTES"]]
        if report.dryRun {
            rows.append(["to upload", "\(report.uploaded.count)", Format.bytes(report.uploaded.reduce(0) { $0 + $1.size })])
        } else {
            rows.append(["uploaded", "\(report.counts.uploaded)", Format.bytes(report.bytesUploaded)])
        }
        rows.append(["unchanged", "\(report.counts.unchanged)", ""])
        if report.delete {
            rows.append([report.dryRun ? "to delete" : "deleted", "\(report.dryRun ? report.deleted.count : report.counts.deleted)", ""])
        } else {
            rows.append(["orphans (kept)", "\(report.counts.orphans)", ""])
        }
        rows.append(["failed", "\(report.counts.failed)", ""])
        rows.append(["skipped", "\(report.counts.skipped)", ""])
        for (reason, count) in report.skippedByReason.sorted(by: { $0.key < $1.key }) {
            rows.append(["  \(reason)", "\(count)", ""])
        }
        lines.append(Terminal.table(rows))
        lines.append(String(format: "%.2f s, %.1f objects/s, ", report.durationSeconds, report.objectsPerSecond)
                     + "\(Format.bytes(Int64(report.bytesPerSecond)))/s")
        if !report.failures.isEmpty {
            lines.append("failed:")
            for failure in report.failures { lines.append("  \(failure.key)  \(failure.operation): \(failure.reason)") }
        }
        if !report.skipped.isEmpty {
            lines.append("skipped:")
            for item in report.skipped.prefix(listedSkips) {
                let what = [item.componentID, item.path].compactMap { $0 }.joined(separator: "  ")
                lines.append("  \(item.reason.rawValue)  \(what)  (\(item.detail))")
            }
            if report.skipped.count > listedSkips { lines.append("  … \(report.skipped.count - listedSkips) more in the report") }
        }
        if !report.orphans.isEmpty {
            lines.append("\(report.orphans.count) objects under \(report.prefix) have no local file; --delete removes them.")
        }
        if !reports.isEmpty { lines.append("report: " + reports.joined(separator: ", ")) }
        return lines.joined(separator: "\n")
    }
}

/// The outcome of one `voltlake check` item.
public struct CheckResult: Sendable, Hashable, Codable {
    public var name: String
    public var passed: Bool
    /// What was found (on success) or what is wrong (on failure).
    public var detail: String
    /// What to do about a failure.
    public var fix: String?

    public static func pass(_ name: String, _ detail: String) -> CheckResult {
        CheckResult(name: name, passed: true, detail: detail, fix: nil)
    }

    public static func fail(_ name: String, _ detail: String, fix: String?) -> CheckResult {
        CheckResult(name: name, passed: false, detail: detail, fix: fix)
    }
}

/// Where a configuration value came from, shown by `voltlake config`.
public enum ConfigSource: Sendable, Hashable, CustomStringConvertible {
    case flag(String)
    case environment(String)
    case dotEnv(path: String, line: Int, name: String)
    case awsFile(path: String, profile: String, key: String)
    case databaseURL(from: String)
    case automatic(String)
    case defaultValue

    public var description: String {
        switch self {
        case .flag(let flag): return "flag \(flag)"
        case .environment(let name): return "environment \(name)"
        case .dotEnv(let path, let line, let name): return "\(path):\(line) \(name)"
        case .awsFile(let path, let profile, let key): return "\(path) [\(profile)] \(key)"
        case .databaseURL(let from): return "DATABASE_URL (\(from))"
        case .automatic(let why): return "automatic (\(why))"
        case .defaultValue: return "default"
        }
    }
}

/// A resolved value with its provenance.
public struct Setting<Value: Sendable & Hashable>: Sendable, Hashable {
    public var value: Value
    public var source: ConfigSource

    public init(_ value: Value, _ source: ConfigSource) {
        self.value = value
        self.source = source
    }
}

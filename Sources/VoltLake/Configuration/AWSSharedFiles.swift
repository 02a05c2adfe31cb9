/// The sections of an AWS shared file (`~/.aws/credentials` or `~/.aws/config`) as `aws configure` writes them.
///
/// Section names are normalised: `[profile dev]` in the config file and `[dev]` in the credentials file
/// both become `dev`. Nested blocks (`s3 =` followed by indented `key = value` lines) are flattened to
/// `s3.key`. Keys are lower-cased.
public struct AWSSharedFile: Sendable, Hashable {
    public var path: String
    public var profiles: [String: [String: String]]

    public init(path: String, profiles: [String: [String: String]]) {
        self.path = path
        self.profiles = profiles
    }

    /// Parses an INI-style AWS file; `isConfigFile` selects the `[profile name]` convention.
    public static func parse(_ text: String, path: String, isConfigFile: Bool) throws(ConfigurationError) -> AWSSharedFile {
        var profiles: [String: [String: String]] = [:]
        var current: String?
        var nestedParent: String?
        for (offset, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let lineNumber = offset + 1
            let isIndented = rawLine.first == " " || rawLine.first == "\t"
            let line = rawLine.trimmingCharacters(in: " \t\r")
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") {
                guard line.hasSuffix("]") else {
                    throw .invalidFile(path: path, line: lineNumber, reason: "a section header must end with ']'")
                }
                var name = String(line.dropFirst().dropLast()).trimmingCharacters(in: " \t")
                if isConfigFile, name.hasPrefix("profile ") {
                    name = String(name.dropFirst("profile ".count)).trimmingCharacters(in: " \t")
                }
                current = name
                nestedParent = nil
                profiles[name, default: [:]] = profiles[name] ?? [:]
                continue
            }
            guard let section = current else {
                throw .invalidFile(path: path, line: lineNumber, reason: "a setting appears before any [profile] section")
            }
            guard let equals = line.firstIndex(of: "=") else {
                throw .invalidFile(path: path, line: lineNumber, reason: "expected 'name = value'")
            }
            let key = line[..<equals].trimmingCharacters(in: " \t").lowercased()
            let value = line[line.index(after: equals)...].trimmingCharacters(in: " \t")
            if isIndented, let parent = nestedParent {
                profiles[section, default: [:]]["\(parent).\(key)"] = value
            } else if value.isEmpty {
                nestedParent = key
            } else {
                nestedParent = nil
                profiles[section, default: [:]][key] = value
            }
        }
        return AWSSharedFile(path: path, profiles: profiles)
    }
}

/// One `KEY=value` assignment read from a `.env` file.
public struct DotEnvEntry: Sendable, Hashable {
    public var key: String
    public var value: String
    /// 1-based line number where the assignment starts.
    public var line: Int
}

/// A `.env` line that could not be read; `description` names the file, the line and the fix.
public struct DotEnvError: Error, Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var reason: String

    public var description: String {
        "\(file):\(line): \(reason). Write it as KEY=value (quotes optional, e.g. KEY=\"a value\")."
    }
}

/// Parser for dotenv files as python-dotenv, docker compose and Node's dotenv read them.
///
/// Supports comments, blank lines, an `export ` prefix, unquoted values with trailing ` # comments`,
/// single quotes (literal), double quotes (with `\n`, `\t`, `\"`, `\\` escapes, may span lines) and `=` inside values.
/// It never echoes a value in an error, since values are often secrets.
public enum DotEnv {
    public static func parse(_ text: String, file: String = ".env") throws(DotEnvError) -> [DotEnvEntry] {
        var entries: [DotEnvEntry] = []
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
            .map { $0.hasSuffix("\r") ? String($0.dropLast()) : String($0) }
        var index = 0
        while index < lines.count {
            let lineNumber = index + 1
            var line = Substring(lines[index])
            index += 1
            line = line.drop(while: { $0 == " " || $0 == "\t" })
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") || line.hasPrefix("export\t") {
                line = line.dropFirst("export".count).drop(while: { $0 == " " || $0 == "\t" })
            }
            guard let equals = line.firstIndex(of: "=") else {
                throw DotEnvError(file: file, line: lineNumber, reason: "no '=' in this line")
            }
            let key = line[..<equals].trimmingCharacters(in: " \t")
            guard isValidKey(key) else {
                throw DotEnvError(
                    file: file, line: lineNumber,
                    reason: key.isEmpty ? "the variable name before '=' is empty" : "'\(key.prefix(40))' is not a valid variable name (letters, digits, '_' and '.' only)")
            }
            var rest = line[line.index(after: equals)...].drop(while: { $0 == " " || $0 == "\t" })
            let value: String
            switch rest.first {
            case "'":
                rest = rest.dropFirst()
                var collected = ""
                var current = rest
                while true {
                    if let close = current.firstIndex(of: "'") {
                        collected += current[..<close]
                        try checkTrailing(current[current.index(after: close)...], file: file, line: lineNumber)
                        break
                    }
                    guard index < lines.count else {
                        throw DotEnvError(file: file, line: lineNumber, reason: "the single quote opened here is never closed")
                    }
                    collected += current + "\n"
                    current = Substring(lines[index])
                    index += 1
                }
                value = collected
            case "\"":
                rest = rest.dropFirst()
                var collected = ""
                var current = rest
                var closed = false
                while !closed {
                    var iterator = current.startIndex
                    while iterator < current.endIndex {
                        let character = current[iterator]
                        if character == "\\" {
                            let next = current.index(after: iterator)
                            if next < current.endIndex {
                                switch current[next] {
                                case "n": collected.append("\n")
                                case "t": collected.append("\t")
                                case "r": collected.append("\r")
                                case "\"": collected.append("\"")
                                case "\\": collected.append("\\")
                                case "$": collected.append("$")
                                default: collected.append("\\"); collected.append(current[next])
                                }
                                iterator = current.index(after: next)
                                continue
                            }
                            collected.append("\\")
                        } else if character == "\"" {
                            try checkTrailing(current[current.index(after: iterator)...], file: file, line: lineNumber)
                            closed = true
                            break
                        } else {
                            collected.append(character)
                        }
                        iterator = current.index(after: iterator)
                    }
                    if closed { break }
                    guard index < lines.count else {
                        throw DotEnvError(file: file, line: lineNumber, reason: "the double quote opened here is never closed")
                    }
                    collected.append("\n")
                    current = Substring(lines[index])
                    index += 1
                }
                value = collected
            default:
                var raw = rest
                if let comment = raw.range(of: " #") ?? raw.range(of: "\t#") { raw = raw[..<comment.lowerBound] }
                value = raw.trimmingCharacters(in: " \t")
            }
            entries.append(DotEnvEntry(key: key, value: value, line: lineNumber))
        }
        return entries
    }

    private static func checkTrailing(_ rest: Substring, file: String, line: Int) throws(DotEnvError) {
        let trimmed = rest.drop(while: { $0 == " " || $0 == "\t" })
        if trimmed.isEmpty || trimmed.hasPrefix("#") { return }
        throw DotEnvError(file: file, line: line, reason: "unexpected text after the closing quote")
    }

    private static func isValidKey(_ key: String) -> Bool {
        guard let first = key.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic) else {
            return false
        }
        return key.unicodeScalars.allSatisfy { $0 == "_" || $0 == "." || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
    }
}

extension StringProtocol {
    func trimmingCharacters(in set: String) -> String {
        var slice = Substring(self)
        while let first = slice.first, set.contains(first) { slice = slice.dropFirst() }
        while let last = slice.last, set.contains(last) { slice = slice.dropLast() }
        return String(slice)
    }
}

/// A configuration problem found before anything was attempted (exit status 2).
///
/// Every description says what is wrong and how to fix it, and never contains a secret value.
public enum ConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    case dotEnv(DotEnvError)
    case invalidFile(path: String, line: Int, reason: String)
    case unreadableFile(path: String, reason: String)
    case invalidValue(name: String, source: String, reason: String)
    case incompleteCredentials(present: String, missing: String, source: String)
    case profileNotFound(profile: String, files: [String])
    case invalidDatabaseURL(reason: String)
    case noCredentials(profile: String)

    /// What is wrong, without the fix (for ✗ lines that print the fix separately).
    public var cause: String {
        switch self {
        case .noCredentials(let profile):
            return "no AWS credentials found (looked at AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY in the environment and .env, and profile '\(profile)' in ~/.aws/credentials and ~/.aws/config)"
        default:
            return description
        }
    }

    /// How to fix it, when there is more to say than the description.
    public var fix: String? {
        switch self {
        case .noCredentials:
            return "Run `aws configure`, or put AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in .env (never commit it)."
        default:
            return nil
        }
    }

    public var description: String {
        switch self {
        case .dotEnv(let error):
            return "Cannot read the .env file: \(error)"
        case .invalidFile(let path, let line, let reason):
            return "\(path):\(line): \(reason). Fix that line (see `aws configure` for the expected layout)."
        case .unreadableFile(let path, let reason):
            return "Cannot read \(path): \(reason)."
        case .invalidValue(let name, let source, let reason):
            return "\(name) (from \(source)) is invalid: \(reason)."
        case .incompleteCredentials(let present, let missing, let source):
            return "\(present) is set (from \(source)) but \(missing) is not. Set both, or neither to use ~/.aws/credentials (`aws configure`)."
        case .profileNotFound(let profile, let files):
            return "AWS profile '\(profile)' was not found in \(files.joined(separator: " or ")). Run `aws configure --profile \(profile)`, or unset AWS_PROFILE."
        case .noCredentials:
            return "Unable to locate AWS credentials: \(cause). \(fix ?? "")"
        case .invalidDatabaseURL(let reason):
            return "DATABASE_URL is invalid: \(reason). Expected postgres://user:password@host:5432/database?sslmode=require"
        }
    }
}

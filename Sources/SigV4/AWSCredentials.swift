/// An access key pair, optionally with a session token (temporary credentials from STS).
///
/// `description` and `debugDescription` never contain the secret or the token, so credentials can
/// be logged or interpolated into errors without leaking them.
public struct AWSCredentials: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    public let accessKeyID: String
    public let secretAccessKey: String
    public let sessionToken: String?

    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }

    /// The access key ID shortened to its first four and last two characters ("VOLT…01").
    public var redactedAccessKeyID: String {
        let characters = Array(accessKeyID)
        guard characters.count >= 8 else { return "…" }
        return String(characters.prefix(4)) + "…" + String(characters.suffix(2))
    }

    public var description: String {
        "AWSCredentials(accessKeyID: \(redactedAccessKeyID), secret: <redacted>, sessionToken: \(sessionToken == nil ? "none" : "<redacted>"))"
    }

    public var debugDescription: String { description }
}

extension AWSCredentials: CustomReflectable {
    /// `dump` and debuggers see the redacted form only.
    public var customMirror: Mirror {
        Mirror(self, children: [
            "accessKeyID": redactedAccessKeyID, "secretAccessKey": "<redacted>",
            "sessionToken": sessionToken == nil ? "none" : "<redacted>",
        ], displayStyle: .struct)
    }
}

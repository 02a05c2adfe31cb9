/// What the signer refuses.
public enum SigV4Error: Error, Sendable, Hashable, CustomStringConvertible {
    /// A presigned URL's lifetime must be 1 … 604800 seconds (7 days), as S3 enforces.
    case invalidExpiry(seconds: Int)

    public var description: String {
        switch self {
        case .invalidExpiry(let seconds):
            return "presigned URL expiry must be between 1 and 604800 seconds (7 days), got \(seconds)"
        }
    }
}

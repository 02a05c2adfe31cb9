import S3

/// Why a picture link could not be handed out. Descriptions are safe to show to any client:
/// they never echo long or unprintable input, and never contain a key, secret or signature.
public enum PresignError: Error, Sendable, CustomStringConvertible {
    /// The component id is not 1–64 characters from `A-Z a-z 0-9 _ -`.
    case invalidComponentID
    /// The expiry is not whole hours from 1 to 168; `text` is the input when it is short and printable.
    case invalidExpiry(text: String?)
    /// No picture is stored for this component.
    case notFound(componentID: String)
    /// The picture index has not been loaded yet (the service is starting, or S3 cannot be reached).
    case indexUnavailable
    /// S3 failed while listing pictures.
    case storage(S3Error)

    /// True for a problem with the caller's input (HTTP 400, exit status 2).
    public var isInvalidInput: Bool {
        switch self {
        case .invalidComponentID, .invalidExpiry: return true
        case .notFound, .indexUnavailable, .storage: return false
        }
    }

    public var description: String {
        switch self {
        case .invalidComponentID:
            return "Invalid component id: use 1 to \(ComponentID.maximumLength) characters from A-Z, a-z, 0-9, '_' and '-'"
        case .invalidExpiry(let text):
            let shown = text.map { " (got '\($0)')" } ?? ""
            return "Invalid expiration: give whole hours from \(LinkExpiry.hourRange.lowerBound) to \(LinkExpiry.hourRange.upperBound) (S3's 7-day limit)\(shown)"
        case .notFound(let componentID):
            return "No image found for component \(componentID)"
        case .indexUnavailable:
            return "The picture index is not loaded yet; try again shortly"
        case .storage(let error):
            return "S3 request failed: \(error.description)"
        }
    }

    /// The message for a client of the HTTP service: as `description`, but S3 details stay in the log.
    public var publicMessage: String {
        switch self {
        case .storage: return "Storage is unavailable"
        default: return description
        }
    }
}

import Foundation

/// The parts of a libpq connection URI (`postgres://user:password@host:port/db?sslmode=require`).
public struct DatabaseURL: Sendable, Hashable {
    public var host: String?
    public var port: Int?
    public var database: String?
    public var user: String?
    public var password: String?
    public var sslMode: String?
    public var sslRootCert: String?
    public var options: String?

    public static func parse(_ text: String) throws(ConfigurationError) -> DatabaseURL {
        guard let components = URLComponents(string: text) else {
            throw .invalidDatabaseURL(reason: "it is not a valid URL (percent-encode special characters in the password)")
        }
        guard let scheme = components.scheme?.lowercased(), scheme == "postgres" || scheme == "postgresql" else {
            throw .invalidDatabaseURL(reason: "the scheme must be postgres:// or postgresql://")
        }
        var url = DatabaseURL()
        url.host = components.host.flatMap { $0.isEmpty ? nil : $0 }
        url.port = components.port
        url.user = components.user.flatMap { $0.isEmpty ? nil : $0.removingPercentEncoding ?? $0 }
        url.password = components.password.map { $0.removingPercentEncoding ?? $0 }
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        url.database = path.isEmpty ? nil : (path.removingPercentEncoding ?? path)
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode": url.sslMode = item.value
            case "sslrootcert": url.sslRootCert = item.value
            case "options": url.options = item.value
            case "host": url.host = item.value
            case "port": url.port = item.value.flatMap(Int.init)
            case "user": url.user = item.value
            case "password": url.password = item.value
            case "dbname": url.database = item.value
            default: break
            }
        }
        return url
    }

    /// The URL with its password replaced, safe to print.
    public static func redacted(_ text: String) -> String {
        guard var components = URLComponents(string: text) else { return "<invalid, not shown>" }
        if components.password != nil { components.password = "REDACTED" }
        if let items = components.queryItems, items.contains(where: { $0.name == "password" }) {
            components.queryItems = items.map { $0.name == "password" ? URLQueryItem(name: "password", value: "REDACTED") : $0 }
        }
        return components.string ?? "<not shown>"
    }
}

/// The `Content-Type` of a picture, from its file extension (any case).
public enum ImageContentType {
    /// Extension (lower case, no dot) → MIME type, for every extension voltlake uploads.
    public static let byExtension: [String: String] = [
        "jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp",
        "gif": "image/gif", "svg": "image/svg+xml", "avif": "image/avif",
    ]

    /// The type of the file at `path`; nil when it is not a picture voltlake knows.
    public static func forPath(_ path: Substring) -> String? {
        guard let ext = fileExtension(path) else { return nil }
        return byExtension[ext]
    }

    public static func forPath(_ path: String) -> String? { forPath(path[...]) }

    /// The lower-cased extension of the last path component, without the dot; nil when there is none.
    static func fileExtension(_ path: Substring) -> String? {
        let name = path.split(separator: "/").last ?? path
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return nil }
        let ext = name[name.index(after: dot)...]
        return ext.isEmpty ? nil : ext.lowercased()
    }
}

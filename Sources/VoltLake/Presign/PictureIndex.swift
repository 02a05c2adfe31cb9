import S3

/// One component's picture: the object key its links point to.
public struct PictureEntry: Sendable, Hashable {
    public let componentID: ComponentID
    public let key: String
}

/// Which object is a component's picture, from a listing of `images/components/`.
///
/// Keys are `images/components/<id>/<file>`, as the images command stores them. When a prefix holds
/// several files, the one named after the id (`<id>.<ext>`) wins, else the first in name order (bytes).
/// Keys with an invalid id, a deeper path or an empty file name are ignored.
public struct PictureIndex: Sendable {
    /// Where the pictures live in the bucket.
    public static let prefix = "images/components/"

    private var keys: [String: String]

    /// An empty index.
    public init() { self.keys = [:] }

    /// The index of `keys` (any order).
    public init(keys: some Sequence<String>) {
        self.init()
        for key in keys { insert(key) }
    }

    /// How many components have a picture.
    public var count: Int { keys.count }

    /// The picture's key for an id, or nil when it has none.
    public func key(for id: ComponentID) -> String? { keys[id.value] }

    /// As `key(for:)`, for an id already checked with `ComponentID.isValid`.
    public func key(forValidID id: String) -> String? { keys[id] }

    /// Every entry, ordered by component id (bytes).
    public var entries: [PictureEntry] {
        keys.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }.compactMap { id, key in
            (try? ComponentID(validating: id)).map { PictureEntry(componentID: $0, key: key) }
        }
    }

    /// Adds one listed key, keeping the preferred picture per component.
    public mutating func insert(_ key: String) {
        guard let parsed = Self.parse(key) else { return }
        if let current = keys[parsed.id], let currentParsed = Self.parse(current),
           !Self.isPreferred(parsed.file, over: currentParsed.file, id: parsed.id) {
            return
        }
        keys[parsed.id] = key
    }

    /// Loads the index with one listing of `images/components/` (paged as S3 requires).
    public static func load(client: S3Client, bucket: String) async throws(PresignError) -> PictureIndex {
        var index = PictureIndex()
        do {
            for try await object in client.listAllObjects(bucket: bucket, prefix: prefix) {
                index.insert(object.key)
            }
        } catch let error as S3Error {
            throw .storage(error)
        } catch {
            throw .storage(S3Error(kind: .invalidResponse, operation: "ListObjectsV2", bucket: bucket, endpoint: "", detail: "\(error)"))
        }
        return index
    }

    /// The picture of one component, from a listing of its own prefix; nil when it has none.
    public static func lookup(_ id: ComponentID, client: S3Client, bucket: String) async throws(PresignError) -> String? {
        var index = PictureIndex()
        do {
            for try await object in client.listAllObjects(bucket: bucket, prefix: prefix + id.value + "/") {
                index.insert(object.key)
            }
        } catch let error as S3Error {
            throw .storage(error)
        } catch {
            throw .storage(S3Error(kind: .invalidResponse, operation: "ListObjectsV2", bucket: bucket, endpoint: "", detail: "\(error)"))
        }
        return index.key(for: id)
    }

    /// Splits `images/components/<id>/<file>`; nil for anything else.
    static func parse(_ key: String) -> (id: String, file: Substring)? {
        guard key.hasPrefix(prefix) else { return nil }
        let rest = key.dropFirst(prefix.count)
        guard let slash = rest.firstIndex(of: "/") else { return nil }
        let id = rest[..<slash]
        let file = rest[rest.index(after: slash)...]
        guard ComponentID.isValid(id.utf8), !file.isEmpty, !file.contains("/") else { return nil }
        return (String(id), file)
    }

    /// `<id>.<ext>` beats any other name; otherwise the smaller name (bytes) wins.
    static func isPreferred(_ candidate: Substring, over current: Substring, id: String) -> Bool {
        let candidateNamed = isNamedAfter(candidate, id: id)
        let currentNamed = isNamedAfter(current, id: id)
        if candidateNamed != currentNamed { return candidateNamed }
        return candidate.utf8.lexicographicallyPrecedes(current.utf8)
    }

    static func isNamedAfter(_ file: Substring, id: String) -> Bool {
        let bytes = file.utf8
        let idBytes = id.utf8
        guard bytes.count > idBytes.count + 1, bytes.starts(with: idBytes) else { return false }
        return bytes[bytes.index(bytes.startIndex, offsetBy: idBytes.count)] == UInt8(ascii: ".")
    }
}

/// Turns a listing in S3's order (sorted by key) into one entry per component, as soon as each
/// component's files have all been seen: `--all` streams with it, holding one component at a time.
public struct PictureGrouper: Sendable {
    private var current: (id: String, key: String, file: Substring)?

    public init() {}

    /// Adds one listed key; returns the previous component's entry when this key starts a new one.
    public mutating func add(_ key: String) -> PictureEntry? {
        guard let parsed = PictureIndex.parse(key) else { return nil }
        if let held = current, held.id == parsed.id {
            if PictureIndex.isPreferred(parsed.file, over: held.file, id: parsed.id) {
                current = (parsed.id, key, parsed.file)
            }
            return nil
        }
        let finished = current.flatMap(Self.entry)
        current = (parsed.id, key, parsed.file)
        return finished
    }

    /// The last component's entry, at the end of the listing.
    public mutating func finish() -> PictureEntry? {
        defer { current = nil }
        return current.flatMap(Self.entry)
    }

    private static func entry(_ held: (id: String, key: String, file: Substring)) -> PictureEntry? {
        (try? ComponentID(validating: held.id)).map { PictureEntry(componentID: $0, key: held.key) }
    }
}

import Foundation

/// Why a picture (or a component's picture) was not uploaded. Every skip is listed in the report.
public enum SkipReason: String, Sendable, Hashable, Codable, CaseIterable {
    /// The component's `image` column names a file that is not in the folder.
    case missingFile = "missing-file"
    /// The component's `image` column is NULL or empty.
    case noPicture = "no-picture"
    /// The `image` column is not a `/pictures/electricComponents/<file>` path (or climbs out with `..`).
    case invalidImagePath = "invalid-image-path"
    /// The component id cannot be a key segment (empty, `.`, `..`, or contains `/`).
    case invalidComponentID = "invalid-component-id"
    /// No component references the file.
    case unreferenced = "unreferenced"
    /// A `temp_*` leftover of a failed upload in the Volt app.
    case tempLeftover = "temp-leftover"
    /// Not a jpg/jpeg/png/webp/gif/svg/avif file (README.md, say).
    case notAnImage = "not-an-image"
    /// A zero-byte file.
    case emptyFile = "empty-file"
    /// The file (or folder) cannot be read.
    case unreadable = "unreadable"
    /// A symbolic link leading out of the pictures folder.
    case symlinkOutside = "symlink-outside-folder"
    /// A symbolic link to nothing.
    case brokenSymlink = "broken-symlink"
    /// A symbolic link to a folder (not followed).
    case symlinkToFolder = "symlinked-folder"
    /// A socket, FIFO or device.
    case notRegularFile = "not-a-regular-file"
    /// A file name that is not valid UTF-8.
    case invalidFileName = "invalid-file-name"
}

/// One skipped file or component, with the reason.
public struct SkippedItem: Sendable, Hashable, Codable {
    public var reason: SkipReason
    /// The file below the pictures folder, when there is one.
    public var path: String?
    /// The component, when one is concerned.
    public var componentID: String?
    /// A sentence for people.
    public var detail: String

    public init(reason: SkipReason, path: String? = nil, componentID: String? = nil, detail: String) {
        self.reason = reason
        self.path = path
        self.componentID = componentID
        self.detail = detail
    }
}

/// Where one picture goes: a component and its key.
public struct PictureTarget: Sendable, Hashable {
    public var componentID: String
    public var key: String
}

/// A component row as far as pictures are concerned.
public struct ComponentImageRow: Sendable, Hashable {
    public var id: String
    public var image: String?

    public init(id: String, image: String?) {
        self.id = id
        self.image = image
    }
}

/// Which lake keys a local picture goes to, or why it is skipped.
///
/// From the database: a component's picture is the file its `image` column names
/// (`/pictures/electricComponents/<relative path>`); a file shared by several components goes to each one's
/// prefix. Without a database: `<id>/<file>` (a folder per component) or `<id>.<ext>`.
/// Keys are `images/components/<componentId>/<relative path>`, subfolders kept.
public struct ImageMapping: Sendable {
    public static let keyPrefix = "images/components/"
    /// The web path the Volt app stores in `image`.
    public static let webPrefix = "/pictures/electricComponents/"

    public enum Mode: Sendable, Hashable {
        case database(table: String)
        case fileNames
    }

    public enum Decision: Sendable, Hashable {
        case upload([PictureTarget])
        case skip([SkippedItem], keepKeys: [String])
    }

    public let mode: Mode
    /// Relative path → component ids, from the catalogue (database mode only).
    let references: [String: [String]]
    /// Skips found in the catalogue itself (no picture, invalid path or id).
    public let catalogueSkips: [SkippedItem]

    /// Maps by file name: for when no database is at hand.
    public static let byFileName = ImageMapping(mode: .fileNames, references: [:], catalogueSkips: [])

    init(mode: Mode, references: [String: [String]], catalogueSkips: [SkippedItem]) {
        self.mode = mode
        self.references = references
        self.catalogueSkips = catalogueSkips
    }

    /// Maps from the components' `image` column.
    public static func fromCatalogue(_ rows: some Sequence<ComponentImageRow>, table: String) -> ImageMapping {
        var references: [String: [String]] = [:]
        var skips: [SkippedItem] = []
        for row in rows {
            guard let image = row.image, !image.trimmingCharacters(in: .whitespaces).isEmpty else {
                skips.append(SkippedItem(reason: .noPicture, componentID: row.id, detail: row.image == nil ? "image is NULL" : "image is empty"))
                continue
            }
            guard isValidComponentID(row.id) else {
                skips.append(SkippedItem(reason: .invalidComponentID, componentID: row.id,
                                         detail: "the component id cannot be part of a key (empty, '.', '..' or with '/')"))
                continue
            }
            guard let relative = relativePath(fromImageColumn: image) else {
                skips.append(SkippedItem(reason: .invalidImagePath, componentID: row.id,
                                         detail: "image '\(image.prefix(200))' is not a \(webPrefix)<file> path"))
                continue
            }
            references[relative, default: []].append(row.id)
        }
        return ImageMapping(mode: .database(table: table), references: references, catalogueSkips: skips)
    }

    /// `/pictures/electricComponents/a/b.jpg` (or a URL ending so) → `a/b.jpg`; nil for other paths
    /// and for any `.`/`..`/empty segment.
    public static func relativePath(fromImageColumn image: String) -> String? {
        let trimmed = image.trimmingCharacters(in: .whitespaces)
        let marker = String(webPrefix.dropFirst())
        let rest: Substring
        if trimmed.hasPrefix(marker) {
            rest = trimmed.dropFirst(marker.count)
        } else if let range = trimmed.range(of: webPrefix) {
            rest = trimmed[range.upperBound...]
        } else {
            return nil
        }
        let segments = rest.split(separator: "/", omittingEmptySubsequences: false)
        guard !segments.isEmpty, segments.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." }) else { return nil }
        return String(rest)
    }

    static func isValidComponentID(_ id: String) -> Bool {
        !id.isEmpty && id != "." && id != ".." && !id.contains("/")
    }

    static func key(componentID: String, relativePath: String) -> String {
        keyPrefix + componentID + "/" + relativePath
    }

    /// The components that reference a file (database mode).
    func components(referencing relative: String) -> [String] {
        references[relative] ?? []
    }

    /// All referenced files (database mode), to find the missing ones after a scan.
    var referencedPaths: Dictionary<String, [String]>.Keys { references.keys }

    /// Where a scanned file goes, or why it does not. A skipped file that exists but cannot be uploaded
    /// now (empty, unreadable, a link) names the keys it would have gone to in `keepKeys`, so `--delete`
    /// leaves their earlier copies alone.
    public func decide(_ file: ScannedFile) -> Decision {
        let relative = file.relativePath
        let name = relative.split(separator: "/").last.map(String.init) ?? relative
        let isTemp = name.hasPrefix("temp_")
        let targets = self.targets(for: relative, fileName: name, isTemp: isTemp)
        let components = targets.map(\.componentID)
        func skip(_ reason: SkipReason, _ detail: String, keep: Bool = true) -> Decision {
            let keys = keep ? targets.map(\.key) : []
            if components.isEmpty || mode == .fileNames {
                let id = keep ? components.first : nil
                return .skip([SkippedItem(reason: reason, path: relative, componentID: id, detail: detail)], keepKeys: keys)
            }
            return .skip(components.map { SkippedItem(reason: reason, path: relative, componentID: $0, detail: detail) }, keepKeys: keys)
        }
        switch file.kind {
        case .file: break
        case .unreadable: return skip(.unreadable, "cannot be read (permissions)")
        case .symlinkOutside(let target): return skip(.symlinkOutside, "symbolic link to \(target), outside the pictures folder")
        case .brokenSymlink: return skip(.brokenSymlink, "symbolic link to nothing")
        case .symlinkToFolder: return skip(.symlinkToFolder, "symbolic link to a folder; not followed", keep: false)
        case .notRegular: return skip(.notRegularFile, "not a regular file (socket, FIFO or device)")
        case .invalidName: return skip(.invalidFileName, "the name is not valid UTF-8 and cannot become a key", keep: false)
        }
        guard ImageContentType.forPath(relative) != nil else {
            return skip(.notAnImage, "not a picture (\(ImageContentType.byExtension.keys.sorted().joined(separator: ", ")))", keep: false)
        }
        guard file.size > 0 else { return skip(.emptyFile, "zero bytes") }
        if !targets.isEmpty { return .upload(targets) }
        switch mode {
        case .database:
            if isTemp { return skip(.tempLeftover, "leftover of a failed upload in the Volt app; no component references it") }
            return skip(.unreferenced, "no component's image column names this file")
        case .fileNames:
            if isTemp { return skip(.tempLeftover, "leftover of a failed upload in the Volt app") }
            return skip(.invalidComponentID, "no component id can be read from the name")
        }
    }

    /// The keys a file goes to: the referencing components (database), or the id read from the name.
    func targets(for relative: String, fileName name: String, isTemp: Bool) -> [PictureTarget] {
        switch mode {
        case .database:
            return components(referencing: relative).map {
                PictureTarget(componentID: $0, key: Self.key(componentID: $0, relativePath: relative))
            }
        case .fileNames:
            guard !isTemp else { return [] }
            let id: String
            let rest: String
            if let slash = relative.firstIndex(of: "/") {
                id = String(relative[..<slash])
                rest = String(relative[relative.index(after: slash)...])
            } else {
                id = name.lastIndex(of: ".").map { String(name[..<$0]) } ?? name
                rest = relative
            }
            guard Self.isValidComponentID(id) else { return [] }
            return [PictureTarget(componentID: id, key: Self.key(componentID: id, relativePath: rest))]
        }
    }

    /// Components whose file did not turn up in the scan.
    public func missingFiles(seen: Set<String>) -> [SkippedItem] {
        var items: [SkippedItem] = []
        for (relative, ids) in references where !seen.contains(relative) {
            for id in ids {
                items.append(SkippedItem(reason: .missingFile, path: relative, componentID: id,
                                         detail: "image names \(Self.webPrefix)\(relative), which is not in the folder"))
            }
        }
        return items.sorted { ($0.componentID ?? "", $0.path ?? "") < ($1.componentID ?? "", $1.path ?? "") }
    }

    /// Whether a relative path is referenced by the catalogue (database mode).
    func isReferenced(_ relative: String) -> Bool { references[relative] != nil }
}

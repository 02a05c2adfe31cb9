#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// One entry found under the pictures folder: its place, size, modification time and what kind it is.
public struct ScannedFile: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// A regular file, or a symbolic link to one inside the folder.
        case file
        /// Exists but cannot be read (permissions); for a folder, its contents cannot be listed.
        case unreadable
        /// A symbolic link whose target lies outside the pictures folder.
        case symlinkOutside(target: String)
        /// A symbolic link to nothing.
        case brokenSymlink
        /// A symbolic link to a folder: not followed (loops, surprises).
        case symlinkToFolder
        /// A socket, FIFO or device.
        case notRegular
        /// A name that is not valid UTF-8: it cannot become an S3 key.
        case invalidName
    }

    /// Path below the pictures folder, `/`-separated, e.g. `archiwum/panel led.jpg`.
    public var relativePath: String
    /// The path to open.
    public var path: String
    public var size: Int64
    public var modified: Date
    public var kind: Kind
}

/// Walks a pictures folder lazily, depth first, names sorted within each folder.
///
/// Holds one folder's names at a time plus the folders still to visit; never file contents. Symbolic
/// links are resolved but never descended into.
public struct PicturesScanner: Sequence, Sendable {
    /// The folder, as given.
    public var root: String

    public init(root: String) {
        self.root = root
    }

    public func makeIterator() -> Iterator {
        Iterator(root: root)
    }

    public struct Iterator: IteratorProtocol {
        let root: String
        let realRoot: String
        var folders: [String] = [""]
        var current: String = ""
        var names: [(name: String?, raw: String)] = []
        var index = 0
        /// Sub-folders of the current folder already queued, so they are visited in name order.
        var pendingFoldersOfCurrent = 0

        init(root: String) {
            self.root = root.count > 1 && root.hasSuffix("/") ? String(root.dropLast()) : root
            self.realRoot = Self.resolve(root) ?? root
        }

        public mutating func next() -> ScannedFile? {
            while true {
                if index < names.count {
                    let entry = names[index]
                    index += 1
                    let relativeRaw = current.isEmpty ? entry.raw : current + "/" + entry.raw
                    guard let name = entry.name else {
                        return ScannedFile(relativePath: relativeRaw, path: root + "/" + relativeRaw, size: 0, modified: Date(timeIntervalSince1970: 0), kind: .invalidName)
                    }
                    let relative = current.isEmpty ? name : current + "/" + name
                    if let file = classify(relative) { return file }
                    continue
                }
                guard let folder = folders.popLast() else { return nil }
                current = folder
                index = 0
                pendingFoldersOfCurrent = 0
                switch Self.list(folder.isEmpty ? root : root + "/" + folder) {
                case .some(let found):
                    names = found
                case .none:
                    names = []
                    if !folder.isEmpty {
                        return ScannedFile(relativePath: folder + "/", path: root + "/" + folder, size: 0, modified: Date(timeIntervalSince1970: 0), kind: .unreadable)
                    }
                }
            }
        }

        /// What `relative` is; nil for folders (queued for a visit instead).
        private mutating func classify(_ relative: String) -> ScannedFile? {
            let path = root + "/" + relative
            var info = stat()
            guard lstat(path, &info) == 0 else {
                return ScannedFile(relativePath: relative, path: path, size: 0, modified: Date(timeIntervalSince1970: 0), kind: .unreadable)
            }
            func file(_ info: stat, _ kind: ScannedFile.Kind) -> ScannedFile {
                ScannedFile(relativePath: relative, path: path, size: Int64(info.st_size), modified: Self.modified(info), kind: kind)
            }
            switch info.st_mode & S_IFMT {
            case S_IFDIR:
                // Visited after the files of this folder, in name order.
                folders.insert(relative, at: folders.count - pendingFoldersOfCurrent)
                pendingFoldersOfCurrent += 1
                return nil
            case S_IFREG:
                return file(info, access(path, R_OK) == 0 ? .file : .unreadable)
            case S_IFLNK:
                guard let target = Self.resolve(path) else { return file(info, .brokenSymlink) }
                guard target.hasPrefix(realRoot.hasSuffix("/") ? realRoot : realRoot + "/") else {
                    return file(info, .symlinkOutside(target: target))
                }
                var targetInfo = stat()
                guard stat(path, &targetInfo) == 0 else { return file(info, .brokenSymlink) }
                switch targetInfo.st_mode & S_IFMT {
                case S_IFDIR: return file(targetInfo, .symlinkToFolder)
                case S_IFREG: return file(targetInfo, access(path, R_OK) == 0 ? .file : .unreadable)
                default: return file(targetInfo, .notRegular)
                }
            default:
                return file(info, .notRegular)
            }
        }


        static func modified(_ info: stat) -> Date {
            #if canImport(Darwin)
            let spec = info.st_mtimespec
            #else
            let spec = info.st_mtim
            #endif
            return Date(timeIntervalSince1970: TimeInterval(spec.tv_sec) + TimeInterval(spec.tv_nsec) / 1_000_000_000)
        }

        static func resolve(_ path: String) -> String? {
            guard let resolved = realpath(path, nil) else { return nil }
            defer { free(resolved) }
            return String(cString: resolved)
        }

        /// The names in a folder, sorted; nil when it cannot be opened.
        static func list(_ path: String) -> [(name: String?, raw: String)]? {
            guard let directory = opendir(path) else { return nil }
            defer { closedir(directory) }
            var names: [(name: String?, raw: String)] = []
            while let entry = readdir(directory) {
                let (name, raw) = withUnsafePointer(to: entry.pointee.d_name) { pointer in
                    pointer.withMemoryRebound(to: CChar.self, capacity: 256) {
                        (String(validatingCString: $0), String(cString: $0))
                    }
                }
                if raw == "." || raw == ".." { continue }
                names.append((name, raw))
            }
            names.sort { $0.raw.utf8.lexicographicallyPrecedes($1.raw.utf8) }
            return names
        }
    }
}

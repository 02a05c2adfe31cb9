import Foundation

/// Checks that the pictures folder exists, is a readable folder, and holds pictures.
public struct ImagesDirectoryCheck: Sendable {
    public static let imageExtensions: Set<String> = ["jpg", "jpeg", "png", "webp", "gif", "svg", "avif"]

    public var directory: Setting<String>

    public init(directory: Setting<String>) {
        self.directory = directory
    }

    public func run() -> CheckResult {
        let path = directory.value
        let fix = "Point --source or VOLT_IMAGES_DIR at the Volt app's frontend/public/pictures/electricComponents folder."
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            return .fail("images", "no pictures folder at \(path) (\(directory.source))", fix: fix)
        }
        guard isDirectory.boolValue else {
            return .fail("images", "\(path) is a file, not a folder", fix: fix)
        }
        guard FileManager.default.isReadableFile(atPath: path), let enumerator = FileManager.default.enumerator(atPath: path) else {
            return .fail("images", "the pictures folder \(path) cannot be read (permissions)", fix: "Give the user running voltlake read access: chmod -R u+rX \(path)")
        }
        var pictures = 0
        for case let relative as String in enumerator {
            let ext = (relative as NSString).pathExtension.lowercased()
            if Self.imageExtensions.contains(ext) { pictures += 1 }
        }
        guard pictures > 0 else {
            return .fail("images", "no pictures (\(Self.imageExtensions.sorted().joined(separator: ", "))) in \(path)", fix: fix)
        }
        return .pass("images", "\(pictures) pictures in \(path)")
    }
}

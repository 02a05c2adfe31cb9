import Foundation
import S3
import Testing
@testable import VoltLake

/// The pure parts of `voltlake images`: mapping, content types, the sync decision, the scanner.
@Suite struct ImagesUnitTests {
    @Test func contentTypesByExtensionInAnyCase() {
        #expect(ImageContentType.forPath("a/b.JPG") == "image/jpeg")
        #expect(ImageContentType.forPath("x.jpeg") == "image/jpeg")
        #expect(ImageContentType.forPath("spd T1+T2.PNG") == "image/png")
        #expect(ImageContentType.forPath("t.webp") == "image/webp")
        #expect(ImageContentType.forPath("t.GIF") == "image/gif")
        #expect(ImageContentType.forPath("logo.svg") == "image/svg+xml")
        #expect(ImageContentType.forPath("p.avif") == "image/avif")
        #expect(ImageContentType.forPath("README.md") == nil)
        #expect(ImageContentType.forPath(".jpg") == nil)
        #expect(ImageContentType.forPath("jpg") == nil)
        #expect(ImageContentType.forPath("dir.jpg/readme") == nil)
    }

    @Test func imageColumnToRelativePath() {
        #expect(ImageMapping.relativePath(fromImageColumn: "/pictures/electricComponents/mcb_b16.jpg") == "mcb_b16.jpg")
        #expect(ImageMapping.relativePath(fromImageColumn: "/pictures/electricComponents/archiwum/panel led.jpg") == "archiwum/panel led.jpg")
        #expect(ImageMapping.relativePath(fromImageColumn: "pictures/electricComponents/a.jpg") == "a.jpg")
        #expect(ImageMapping.relativePath(fromImageColumn: "http://localhost:5005/pictures/electricComponents/a.jpg") == "a.jpg")
        #expect(ImageMapping.relativePath(fromImageColumn: "/pictures/electricComponents/../secret.jpg") == nil)
        #expect(ImageMapping.relativePath(fromImageColumn: "/pictures/electricComponents/") == nil)
        #expect(ImageMapping.relativePath(fromImageColumn: "/images/a.jpg") == nil)
    }

    static func file(_ relative: String, size: Int64 = 10, kind: ScannedFile.Kind = .file) -> ScannedFile {
        ScannedFile(relativePath: relative, path: "/x/" + relative, size: size, modified: Date(timeIntervalSince1970: 0), kind: kind)
    }

    @Test func databaseMappingSharesFilesAndReportsEveryProblem() {
        let rows = [
            ComponentImageRow(id: "cable_a", image: "/pictures/electricComponents/przewody.jpg"),
            ComponentImageRow(id: "cable_b", image: "/pictures/electricComponents/przewody.jpg"),
            ComponentImageRow(id: "led", image: "/pictures/electricComponents/archiwum/panel led.jpg"),
            ComponentImageRow(id: "gone", image: "/pictures/electricComponents/gone.jpg"),
            ComponentImageRow(id: "null", image: nil),
            ComponentImageRow(id: "empty", image: ""),
            ComponentImageRow(id: "odd", image: "/uploads/odd.jpg"),
            ComponentImageRow(id: "relay", image: "/pictures/electricComponents/pusty.jpg"),
        ]
        let mapping = ImageMapping.fromCatalogue(rows, table: "electric_components")
        #expect(Set(mapping.catalogueSkips.map(\.reason)) == [.noPicture, .invalidImagePath])
        #expect(mapping.decide(Self.file("przewody.jpg")) == .upload([
            PictureTarget(componentID: "cable_a", key: "images/components/cable_a/przewody.jpg"),
            PictureTarget(componentID: "cable_b", key: "images/components/cable_b/przewody.jpg"),
        ]))
        #expect(mapping.decide(Self.file("archiwum/panel led.jpg")) == .upload([
            PictureTarget(componentID: "led", key: "images/components/led/archiwum/panel led.jpg")]))
        guard case .skip(let empty, let keep) = mapping.decide(Self.file("pusty.jpg", size: 0)) else { Issue.record("not skipped"); return }
        #expect(empty.map(\.reason) == [.emptyFile])
        #expect(empty.first?.componentID == "relay")
        #expect(keep == ["images/components/relay/pusty.jpg"])
        guard case .skip(let temp, _) = mapping.decide(Self.file("temp_1718000187078.webp")) else { Issue.record("not skipped"); return }
        #expect(temp.map(\.reason) == [.tempLeftover])
        guard case .skip(let extra, _) = mapping.decide(Self.file("IMG_0001.JPG")) else { Issue.record("not skipped"); return }
        #expect(extra.map(\.reason) == [.unreferenced])
        guard case .skip(let readme, _) = mapping.decide(Self.file("README.md")) else { Issue.record("not skipped"); return }
        #expect(readme.map(\.reason) == [.notAnImage])
        guard case .skip(let outside, _) = mapping.decide(Self.file("przewody.jpg", kind: .symlinkOutside(target: "/etc/passwd"))) else {
            Issue.record("not skipped"); return
        }
        #expect(outside.map(\.reason) == [.symlinkOutside, .symlinkOutside])
        let missing = mapping.missingFiles(seen: ["przewody.jpg", "archiwum/panel led.jpg", "pusty.jpg"])
        #expect(missing.map(\.componentID) == ["gone"])
        #expect(missing.map(\.reason) == [.missingFile])
    }

    @Test func fileNameMappingWithoutADatabase() {
        let mapping = ImageMapping.byFileName
        #expect(mapping.decide(Self.file("mcb_b16.jpg")) == .upload([PictureTarget(componentID: "mcb_b16", key: "images/components/mcb_b16/mcb_b16.jpg")]))
        #expect(mapping.decide(Self.file("mcb_b16/front.jpg")) == .upload([PictureTarget(componentID: "mcb_b16", key: "images/components/mcb_b16/front.jpg")]))
        #expect(mapping.decide(Self.file("mcb_b16/side/a.PNG")) == .upload([PictureTarget(componentID: "mcb_b16", key: "images/components/mcb_b16/side/a.PNG")]))
        guard case .skip(let temp, _) = mapping.decide(Self.file("temp_1.jpg")) else { Issue.record("not skipped"); return }
        #expect(temp.map(\.reason) == [.tempLeftover])
    }

    @Test func decisionByContentFromTheListing() {
        let digest = FileDigest(md5Hex: "0cc175b9c0f1b6a831c399e269772661", sha256Hex: "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb", size: 1)
        #expect(SyncDecision.compare(size: 1, digest: digest, remote: nil) == .upload(.new))
        #expect(SyncDecision.compare(size: 1, digest: digest, remote: RemotePicture(size: 2, etag: "\"0cc175b9c0f1b6a831c399e269772661\"")) == .upload(.changed))
        #expect(SyncDecision.compare(size: 1, digest: digest, remote: RemotePicture(size: 1, etag: "\"0CC175B9C0F1B6A831C399E269772661\"")) == .unchanged)
        #expect(SyncDecision.compare(size: 1, digest: digest, remote: RemotePicture(size: 1, etag: "\"ffffffffffffffffffffffffffffffff\"")) == .needsHead)
        #expect(SyncDecision.compare(size: 1, digest: digest, remote: RemotePicture(size: 1, etag: "\"9b2cf535f27731c974343645a3985328-2\"")) == .needsHead)
        #expect(SyncDecision.compare(size: 1, digest: digest, remote: RemotePicture(size: 1, etag: nil)) == .needsHead)
    }

    @Test func digestsMatchKnownValues() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("vl-digest-\(UUID().uuidString)")
        try Data("a".utf8).write(to: url)
        let digest = try FileDigest.of(path: url.path)
        #expect(digest.md5Hex == "0cc175b9c0f1b6a831c399e269772661")
        #expect(digest.sha256Hex == "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb")
        #expect(digest.size == 1)
    }

    @Test func timestampsAndReportNames() {
        let date = Date(timeIntervalSince1970: 1_705_307_400.75)
        #expect(RunStamp(date).iso8601 == "2024-01-15T08:30:00Z")
        #expect(ImageSyncReport.stamp(date) == "20240115_083000")
    }

    @Test func scannerClassifiesLinksAndOddFiles() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("vl-scan-\(UUID().uuidString)")
        let outside = FileManager.default.temporaryDirectory.appendingPathComponent("vl-outside-\(UUID().uuidString).jpg")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("b/c"), withIntermediateDirectories: true)
        try Data([1, 2, 3]).write(to: root.appendingPathComponent("a.jpg"))
        try Data([4]).write(to: root.appendingPathComponent("b/c/d.jpg"))
        try Data([5]).write(to: outside)
        let fm = FileManager.default
        try fm.createSymbolicLink(atPath: root.appendingPathComponent("inside.jpg").path, withDestinationPath: "a.jpg")
        try fm.createSymbolicLink(atPath: root.appendingPathComponent("outside.jpg").path, withDestinationPath: outside.path)
        try fm.createSymbolicLink(atPath: root.appendingPathComponent("broken.jpg").path, withDestinationPath: "nothing.jpg")
        try fm.createSymbolicLink(atPath: root.appendingPathComponent("folder-link").path, withDestinationPath: "b")
        #expect(mkfifo(root.appendingPathComponent("pipe.jpg").path, 0o644) == 0)

        var found: [String: ScannedFile] = [:]
        for file in PicturesScanner(root: root.path) { found[file.relativePath] = file }
        #expect(Set(found.keys) == ["a.jpg", "b/c/d.jpg", "inside.jpg", "outside.jpg", "broken.jpg", "folder-link", "pipe.jpg"])
        #expect(found["a.jpg"]?.kind == .file)
        #expect(found["a.jpg"]?.size == 3)
        #expect(found["b/c/d.jpg"]?.kind == .file)
        #expect(found["inside.jpg"]?.kind == .file)
        #expect(found["inside.jpg"]?.size == 3)
        if case .symlinkOutside = found["outside.jpg"]?.kind {} else { Issue.record("outside.jpg: \(String(describing: found["outside.jpg"]))") }
        #expect(found["broken.jpg"]?.kind == .brokenSymlink)
        #expect(found["folder-link"]?.kind == .symlinkToFolder)
        #expect(found["pipe.jpg"]?.kind == .notRegular)
    }
}

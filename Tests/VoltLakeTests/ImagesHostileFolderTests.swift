import Foundation
import S3
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Pictures folders a real machine has: parts the user may not read, and files changing while voltlake
/// runs (an editor saving, a deploy copying). Nothing crashes, nothing wrong lands in S3, and what could
/// not be done is named.
@Suite struct ImagesHostileFolderTests {
    /// Runs voltlake as `nobody` when the tests run as root (root reads everything), else as ourselves;
    /// returns the launcher and a copy of the binary that user can run, in a sandbox it owns.
    func unprivileged(_ dir: URL) throws -> (launcher: [String], executable: URL?) {
        guard getuid() == 0 else { return ([], nil) }
        let copy = dir.appendingPathComponent("voltlake")
        try FileManager.default.copyItem(at: CLI.binary, to: copy)
        _ = try ImagesStack.shell("chown", ["-R", "65534:65534", dir.path])
        return (["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"], copy)
    }

    @Test func unreadablePartsAreNamedAndTheRestUploads() async throws {
        let dir = try CLI.sandbox()
        let pictures = try ImagesStack.folder(in: dir, [
            "ok.jpg": ImagesStack.bytes(900, seed: 1), "locked.jpg": ImagesStack.bytes(800, seed: 2),
            "private/inside.jpg": ImagesStack.bytes(700, seed: 3),
        ])
        let (launcher, executable) = try unprivileged(dir)
        #expect(chmod(pictures.appendingPathComponent("locked.jpg").path, 0o000) == 0)
        #expect(chmod(pictures.appendingPathComponent("private").path, 0o000) == 0)
        let bucket = try await LocalStack.makeBucket()

        let partly = try ImagesStack.run(["--json", "--no-database"], bucket: bucket, pictures: pictures, table: nil, in: dir,
                                         launcher: launcher, executable: executable)
        #expect(partly.status == 0, "\(partly.all)")
        let report = try ImagesStack.report(partly)
        #expect(ImagesStack.counts(report)["uploaded"] == 1, "\(report)")
        let skipped = (report["skipped"] as? [[String: Any]]) ?? []
        let unreadable = skipped.filter { $0["reason"] as? String == "unreadable" }.compactMap { $0["path"] as? String }
        #expect(Set(unreadable) == ["locked.jpg", "private/"], "\(skipped)")
        #expect(try await ImagesStack.keys(bucket: bucket, prefix: "images/") == ["images/components/ok/ok.jpg"])

        // The whole folder unreadable: a usage error before any request, with the fix.
        #expect(chmod(pictures.path, 0o000) == 0)
        let none = try ImagesStack.run(["--no-database"], bucket: bucket, pictures: pictures, table: nil, in: dir,
                                       launcher: launcher, executable: executable)
        #expect(none.status == 2, "\(none.all)")
        #expect(none.stderr.contains("cannot be read") && none.stderr.contains("chmod -R u+rX"), "\(none.stderr)")
        #expect(!none.stderr.contains("Fatal error"))
        _ = chmod(pictures.path, 0o755)
    }

    @Test func aFolderChangingDuringTheRunNeverLandsWrongBytes() async throws {
        let dir = try CLI.sandbox()
        var files: [String: [UInt8]] = [:]
        for index in 0..<150 { files["still_\(index).jpg"] = ImagesStack.bytes(3000 + index, seed: UInt64(index)) }
        for index in 0..<40 { files["gone_\(index).jpg"] = ImagesStack.bytes(2000 + index, seed: UInt64(500 + index)) }
        files["live.jpg"] = ImagesStack.bytes(5000, seed: 999)
        let pictures = try ImagesStack.folder(in: dir, files)
        let bucket = try await LocalStack.makeBucket()

        // While voltlake runs: live.jpg is rewritten in place over and over (size and bytes change),
        // gone_* files disappear and new_* files appear.
        let churn = FolderChurn(folder: pictures)
        let writer = Thread { churn.run() }
        writer.start()
        let first = try ImagesStack.run(["--json", "--no-database", "--concurrency", "4"], bucket: bucket, pictures: pictures, table: nil, in: dir)
        churn.stop()
        #expect(first.status == 0 || first.status == 1, "\(first.all)")
        let report = try ImagesStack.report(first)
        for failure in (report["failures"] as? [[String: Any]]) ?? [] {
            let path = failure["path"] as? String ?? ""
            #expect(path == "live.jpg" || path.hasPrefix("gone_"), "an unexpected failure: \(failure)")
            if path == "live.jpg" {
                #expect((failure["reason"] as? String)?.contains("kept changing while it was uploaded") == true, "\(failure)")
            } else {
                #expect((failure["reason"] as? String)?.contains("disappeared after the scan") == true, "\(failure)")
            }
        }
        #expect(churn.rewrites > 0)

        // Whatever landed is whole and is what its metadata says.
        try await ImagesStack.withClient { client in
            for try await object in client.listAllObjects(bucket: bucket, prefix: "images/components/") {
                let head = try await client.headObject(bucket: bucket, key: object.key)
                let body = try await client.getObject(bucket: bucket, key: object.key)
                let bytes = Array(body.body.readableBytesView)
                #expect(head.metadata["size"] == String(bytes.count), "\(object.key)")
                #expect(head.metadata["sha256"] == ExportCommandTests.sha256Hex(body.body), "\(object.key): metadata hash is not its bytes")
            }
        }

        // Once the folder holds still, a re-run mirrors it exactly.
        let second = try ImagesStack.run(["--json", "--no-database", "--delete"], bucket: bucket, pictures: pictures, table: nil, in: dir)
        #expect(second.status == 0, "\(second.all)")
        let names = try FileManager.default.contentsOfDirectory(atPath: pictures.path).filter { $0.hasSuffix(".jpg") }
        let expectedKeys = Set(names.map { "images/components/\($0.dropLast(4))/\($0)" })
        #expect(try await ImagesStack.keys(bucket: bucket, prefix: "images/") == expectedKeys)
        try await ImagesStack.withClient { client in
            for name in ["live.jpg"] + names.filter({ $0.hasPrefix("new_") }).prefix(3) {
                let object = try await client.getObject(bucket: bucket, key: "images/components/\(name.dropLast(4))/\(name)")
                let local = try Data(contentsOf: pictures.appendingPathComponent(name))
                #expect(Data(object.body.readableBytesView) == local, "\(name) differs from the file")
            }
        }
    }
}

/// Rewrites, deletes and creates files in a folder from a thread until stopped.
final class FolderChurn: @unchecked Sendable {
    let folder: URL
    private let lock = NSLock()
    private var stopped = false
    private var count = 0
    private let done = DispatchSemaphore(value: 0)

    init(folder: URL) { self.folder = folder }

    var rewrites: Int { lock.withLock { count } }

    func run() {
        var round = 0
        while !lock.withLock({ stopped }) {
            round += 1
            // In place (same inode), as an editor saving over a file does: new bytes from the start,
            // then the new length.
            let bytes = ImagesStack.bytes(4000 + (round % 7) * 1500, seed: UInt64(round))
            let fd = open(folder.appendingPathComponent("live.jpg").path, O_WRONLY)
            if fd >= 0 {
                _ = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
                _ = ftruncate(fd, off_t(bytes.count))
                close(fd)
            }
            if round % 5 == 0 {
                try? FileManager.default.removeItem(at: folder.appendingPathComponent("gone_\((round / 5) % 40).jpg"))
                try? Data(ImagesStack.bytes(1000 + round, seed: UInt64(10_000 + round)))
                    .write(to: folder.appendingPathComponent("new_\(round).jpg"))
            }
            lock.withLock { count += 1 }
            usleep(500)
        }
        done.signal()
    }

    func stop() {
        lock.withLock { stopped = true }
        done.wait()
    }
}

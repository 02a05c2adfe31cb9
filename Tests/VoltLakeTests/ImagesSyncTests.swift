import Foundation
import S3
import Testing

/// `voltlake images` as a user runs it, against the real local stack: each test with its own bucket,
/// folder and (for the database mapping) table.
@Suite struct ImagesSyncTests {
    static let contentTypes = ["jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"]

    @Test func uploadsTheSamplePicturesAndReadsEveryOneBack() async throws {
        let dir = try CLI.sandbox()
        let (pictures, summary) = try ImagesStack.samplePictures(in: dir)
        let table = try ImagesStack.makeTable()
        defer { ImagesStack.dropTable(table) }
        let bucket = try await LocalStack.makeBucket()

        let result = try ImagesStack.run(["--json"], bucket: bucket, pictures: pictures, table: table, in: dir)
        #expect(result.status == 0, "\(result.all)")
        let report = try ImagesStack.report(result)
        #expect(report["mapping"] as? String == "database (\(table).image)")

        // Every component whose file exists, under its own prefix: computed independently with psql.
        var expected: [String: (id: String, relative: String)] = [:]
        for row in try ImagesStack.componentImages(table: table) {
            guard let image = row.image, image.hasPrefix("/pictures/electricComponents/") else { continue }
            let relative = String(image.dropFirst("/pictures/electricComponents/".count))
            let path = pictures.appendingPathComponent(relative).path
            guard let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size > 0 else { continue }
            expected["images/components/\(row.id)/\(relative)"] = (row.id, relative)
        }
        #expect(expected.count > 80)
        let imageKeys = try await ImagesStack.keys(bucket: bucket, prefix: "images/components/")
        #expect(imageKeys == Set(expected.keys))
        #expect(ImagesStack.counts(report)["uploaded"] == expected.count)

        // Shared picture: one file, several prefixes. Awkward names round-trip.
        #expect(imageKeys.filter { $0.hasSuffix("/przewody.jpg") }.count >= 4)
        for key in ["images/components/spd_t1_t2/spd T1+T2.PNG", "images/components/switch_stair/łącznik ż.jpg",
                    "images/components/socket_2p_pe/gniazdo 2P+PE.jpg", "images/components/led_panel_60/archiwum/panel led.jpg",
                    "images/components/isolator/Rozłącznik główny.JPG"] {
            #expect(imageKeys.contains(key), "missing \(key)")
        }

        // Read every object back: bytes, content type, metadata, encryption.
        try await ImagesStack.withClient { client in
            for (key, source) in expected {
                let path = pictures.appendingPathComponent(source.relative).path
                let object = try await client.getObject(bucket: bucket, key: key)
                let local = try Data(contentsOf: URL(fileURLWithPath: path))
                #expect(Data(object.body.readableBytesView) == local, "\(key) bytes differ")
                let ext = (source.relative as NSString).pathExtension.lowercased()
                #expect(object.info.contentType == Self.contentTypes[ext], "\(key)")
                #expect(object.info.metadata["component-id"] == source.id)
                #expect(object.info.metadata["original-filename"] == source.relative)
                #expect(object.info.metadata["size"] == String(local.count))
                #expect(object.info.metadata["sha256"] == (try ImagesStack.sha256sum(path)))
                #expect(object.info.metadata["modified-at"]?.hasSuffix("Z") == true)
                #expect(object.info.serverSideEncryption == .aes256)
            }
            // Non-ASCII metadata is percent-encoded on the wire.
            let head = try await client.headObject(bucket: bucket, key: "images/components/switch_stair/łącznik ż.jpg")
            #expect(head.metadata["original-filename"] == "łącznik ż.jpg")
        }

        // Every skip with its reason.
        let skipped = (report["skipped"] as? [[String: Any]]) ?? []
        func skips(_ reason: String) -> [[String: Any]] { skipped.filter { $0["reason"] as? String == reason } }
        let missing = (summary["missingReferences"] as? [[String: Any]])?.compactMap { $0["id"] as? String } ?? []
        #expect(Set(skips("missing-file").compactMap { $0["componentID"] as? String }) == Set(missing))
        #expect(Set(skips("temp-leftover").compactMap { $0["path"] as? String }) == Set(summary["tempLeftovers"] as? [String] ?? []))
        #expect(Set(skips("unreferenced").compactMap { $0["path"] as? String })
                == ["IMG_0001.JPG", "archiwum/2023/stary_mcb.jpg", "logo.PNG", "stare zdjęcie (kopia).jpg"])
        #expect(skips("not-an-image").compactMap { $0["path"] as? String } == ["README.md"])
        #expect(skips("empty-file").compactMap { $0["componentID"] as? String } == ["relay_bistable"])
        #expect(Set(skips("no-picture").compactMap { $0["componentID"] as? String }).isSuperset(of: ["gratis_label", "din_rail_35"]))
        let byReason = (report["skippedByReason"] as? [String: Int]) ?? [:]
        #expect(byReason.values.reduce(0, +) == skipped.count)
        #expect(ImagesStack.counts(report)["failed"] == 0)

        // The report, locally and in the lake.
        let local = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix("voltlake-images-report-") }
        #expect(local.count == 1)
        let reports = try await ImagesStack.keys(bucket: bucket, prefix: "reports/images/")
        #expect(reports.count == 1)
        #expect(reports.first?.hasPrefix("reports/images/images_") == true)
    }

    @Test func theRerunUploadsNothingFromOneListing() async throws {
        let dir = try CLI.sandbox()
        let (pictures, _) = try ImagesStack.samplePictures(in: dir)
        let table = try ImagesStack.makeTable()
        defer { ImagesStack.dropTable(table) }
        let bucket = try await LocalStack.makeBucket()
        let first = try ImagesStack.run(["--json"], bucket: bucket, pictures: pictures, table: table, in: dir)
        #expect(first.status == 0, "\(first.all)")
        let uploaded = ImagesStack.counts(try ImagesStack.report(first))["uploaded"] ?? 0
        #expect(uploaded > 80)

        let since = try await ImagesStack.sequence()
        let second = try ImagesStack.run(["--json"], bucket: bucket, pictures: pictures, table: table, in: dir)
        #expect(second.status == 0, "\(second.all)")
        let counts = ImagesStack.counts(try ImagesStack.report(second))
        #expect(counts["uploaded"] == 0)
        #expect(counts["unchanged"] == uploaded)
        let requests = try await ImagesStack.requests(since: since, bucket: bucket)
        let operations = requests.compactMap { $0["operation"] as? String }
        #expect(operations.filter { $0 == "ListObjectsV2" }.count == 1, "\(operations)")
        #expect(!operations.contains("HeadObject"), "\(operations)")
        // Only the run's report and its audit lines are written.
        let puts = requests.filter { $0["method"] as? String == "PUT" }.compactMap { $0["key"] as? String }
        #expect(puts.filter { $0.hasPrefix("reports/images/") }.count == 1, "\(puts)")
        #expect(puts.filter { !$0.hasPrefix("reports/images/") && !$0.hasPrefix("audit/") }.isEmpty, "\(puts)")
    }

    @Test func aRewrittenFileIsUploadedAgainATouchedOneIsNot() async throws {
        let dir = try CLI.sandbox()
        let pictures = try ImagesStack.folder(in: dir, [
            "mcb_b16.jpg": ImagesStack.bytes(3000, seed: 1), "rcd/front.png": ImagesStack.bytes(2000, seed: 2),
            "pen.webp": ImagesStack.bytes(100, seed: 3),
        ])
        let bucket = try await LocalStack.makeBucket()
        let first = try ImagesStack.run(["--json", "--no-database"], bucket: bucket, pictures: pictures, table: nil, in: dir)
        #expect(first.status == 0, "\(first.all)")
        #expect(ImagesStack.counts(try ImagesStack.report(first))["uploaded"] == 3)

        // Same size, same modification time, other bytes; and a file merely touched.
        let rewritten = pictures.appendingPathComponent("mcb_b16.jpg")
        let fm = FileManager.default
        let modified = try #require(try fm.attributesOfItem(atPath: rewritten.path)[.modificationDate] as? Date)
        let newBytes = ImagesStack.bytes(3000, seed: 99)
        try Data(newBytes).write(to: rewritten)
        try fm.setAttributes([.modificationDate: modified], ofItemAtPath: rewritten.path)
        try fm.setAttributes([.modificationDate: Date().addingTimeInterval(3600)], ofItemAtPath: pictures.appendingPathComponent("rcd/front.png").path)

        let second = try ImagesStack.run(["--json", "--no-database"], bucket: bucket, pictures: pictures, table: nil, in: dir)
        #expect(second.status == 0, "\(second.all)")
        let report = try ImagesStack.report(second)
        let uploads = (report["uploaded"] as? [[String: Any]]) ?? []
        #expect(uploads.compactMap { $0["key"] as? String } == ["images/components/mcb_b16/mcb_b16.jpg"])
        #expect(uploads.first?["reason"] as? String == "changed")
        #expect(ImagesStack.counts(report)["unchanged"] == 2)
        let stored = try await ImagesStack.withClient { try await $0.getObject(bucket: bucket, key: "images/components/mcb_b16/mcb_b16.jpg") }
        #expect(Array(stored.body.readableBytesView) == newBytes)
    }

    @Test func aMultipartPictureIsComparedByItsSha256Metadata() async throws {
        let dir = try CLI.sandbox()
        let big = (0..<9).flatMap { ImagesStack.bytes(1_000_000, seed: UInt64(100 + $0)) }
        let pictures = try ImagesStack.folder(in: dir, ["poster.png": big, "small.jpg": ImagesStack.bytes(800, seed: 5)])
        let bucket = try await LocalStack.makeBucket()
        let first = try ImagesStack.run(["--json", "--no-database"], bucket: bucket, pictures: pictures, table: nil, in: dir)
        #expect(first.status == 0, "\(first.all)")
        #expect(ImagesStack.counts(try ImagesStack.report(first))["uploaded"] == 2)
        let stored = try await ImagesStack.withClient { try await $0.headObject(bucket: bucket, key: "images/components/poster/poster.png") }
        #expect(stored.etag?.contains("-") == true, "expected a multipart ETag, got \(stored.etag ?? "none")")
        #expect(stored.size == Int64(big.count))

        // The listing cannot tell for a multipart ETag: one HeadObject for that object, nothing else per file.
        let since = try await ImagesStack.sequence()
        let second = try ImagesStack.run(["--json", "--no-database"], bucket: bucket, pictures: pictures, table: nil, in: dir)
        #expect(second.status == 0, "\(second.all)")
        #expect(ImagesStack.counts(try ImagesStack.report(second))["unchanged"] == 2)
        let requests = try await ImagesStack.requests(since: since, bucket: bucket)
        let heads = requests.filter { $0["operation"] as? String == "HeadObject" }.compactMap { $0["key"] as? String }
        #expect(heads == ["images/components/poster/poster.png"])
        #expect(!requests.contains { $0["method"] as? String == "PUT" && ($0["key"] as? String ?? "").hasPrefix("images/") })

        // Same size, other bytes: uploaded again.
        var changed = big
        changed[4_500_000] ^= 0xFF
        try Data(changed).write(to: pictures.appendingPathComponent("poster.png"))
        let third = try ImagesStack.run(["--json", "--no-database"], bucket: bucket, pictures: pictures, table: nil, in: dir)
        #expect(third.status == 0, "\(third.all)")
        let uploads = (try ImagesStack.report(third)["uploaded"] as? [[String: Any]]) ?? []
        #expect(uploads.compactMap { $0["key"] as? String } == ["images/components/poster/poster.png"])
    }

    @Test func deleteRemovesExactlyTheOrphans() async throws {
        let dir = try CLI.sandbox()
        let pictures = try ImagesStack.folder(in: dir, [
            "a.jpg": ImagesStack.bytes(500, seed: 1), "b.jpg": ImagesStack.bytes(600, seed: 2), "c/1.jpg": ImagesStack.bytes(700, seed: 3),
            "d.jpg": [],
        ])
        let bucket = try await LocalStack.makeBucket()
        let first = try ImagesStack.run(["--no-database"], bucket: bucket, pictures: pictures, table: nil, in: dir)
        #expect(first.status == 0, "\(first.all)")
        // Objects outside the prefix, an orphan under it, a picture whose file goes away, one kept by an empty file.
        try await ImagesStack.withClient { client in
            for key in ["images/other.jpg", "raw/electric_components.csv", "images/components/ghost/x.jpg", "images/components/d/d.jpg"] {
                _ = try await client.putObject(bucket: bucket, key: key, body: [1, 2, 3])
            }
        }
        try FileManager.default.removeItem(at: pictures.appendingPathComponent("b.jpg"))
        let orphans: Set = ["images/components/b/b.jpg", "images/components/ghost/x.jpg"]

        let kept = try ImagesStack.run(["--json", "--no-database"], bucket: bucket, pictures: pictures, table: nil, in: dir)
        #expect(kept.status == 0, "\(kept.all)")
        #expect(Set((try ImagesStack.report(kept))["orphans"] as? [String] ?? []) == orphans)

        let since = try await ImagesStack.sequence()
        let plan = try ImagesStack.run(["--delete", "--dry-run", "--no-database"], bucket: bucket, pictures: pictures, table: nil, in: dir)
        #expect(plan.status == 0, "\(plan.all)")
        #expect(plan.stdout.contains("would delete images/components/ghost/x.jpg"), "\(plan.stdout)")
        let writes = try await ImagesStack.requests(since: since, bucket: bucket).filter { ["PUT", "DELETE", "POST"].contains($0["method"] as? String ?? "") }
        #expect(writes.isEmpty, "\(writes)")

        let before = try await ImagesStack.keys(bucket: bucket)
        let result = try ImagesStack.run(["--json", "--delete", "--no-database"], bucket: bucket, pictures: pictures, table: nil, in: dir)
        #expect(result.status == 0, "\(result.all)")
        #expect(Set((try ImagesStack.report(result))["deleted"] as? [String] ?? []) == orphans)
        let after = try await ImagesStack.keys(bucket: bucket)
        #expect(before.subtracting(after) == orphans)
        #expect(after.isSuperset(of: ["images/other.jpg", "raw/electric_components.csv", "images/components/d/d.jpg", "images/components/a/a.jpg"]))
    }

    @Test func dryRunWritesNothing() async throws {
        let dir = try CLI.sandbox()
        let (pictures, _) = try ImagesStack.samplePictures(in: dir)
        let bucket = try await LocalStack.makeBucket()
        let since = try await ImagesStack.sequence()
        let result = try ImagesStack.run(["--dry-run", "--no-database"], bucket: bucket, pictures: pictures, table: nil, in: dir)
        #expect(result.status == 0, "\(result.all)")
        #expect(result.stdout.contains("would upload images/components/mcb_b16/mcb_b16.jpg"), "\(result.stdout)")
        #expect(result.stdout.contains("dry run"))
        let requests = try await ImagesStack.requests(since: since, bucket: bucket)
        #expect(requests.allSatisfy { $0["method"] as? String == "GET" }, "\(requests.map { $0["operation"] ?? "" })")
        #expect(try await ImagesStack.keys(bucket: bucket).isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix("voltlake-images-report") }.isEmpty)
    }

    @Test func failedUploadsAreReportedAndARerunFinishesTheJob() async throws {
        let dir = try CLI.sandbox()
        var files: [String: [UInt8]] = [:]
        for index in 0..<6 { files["good_\(index).jpg"] = ImagesStack.bytes(1000 + index, seed: UInt64(index)) }
        files["bad_1/front.jpg"] = ImagesStack.bytes(1500, seed: 10)
        files["bad_2.png"] = ImagesStack.bytes(1600, seed: 11)
        let pictures = try ImagesStack.folder(in: dir, files)
        let bucket = try await LocalStack.makeBucket()
        // Persistent 503s for two keys: 2 files × 3 attempts (the client's retries) each.
        try await ImagesStack.injectFault(#"{"count":6,"status":503,"code":"SlowDown","method":"PUT","bucket":"\#(bucket)","keyPrefix":"images/components/bad_"}"#)

        let first = try ImagesStack.run(["--json", "--no-database", "--concurrency", "3"], bucket: bucket, pictures: pictures, table: nil, in: dir)
        #expect(first.status == 1, "\(first.all)")
        let report = try ImagesStack.report(first)
        #expect(ImagesStack.counts(report)["failed"] == 2)
        #expect(ImagesStack.counts(report)["uploaded"] == 6)
        let failures = (report["failures"] as? [[String: Any]]) ?? []
        #expect(Set(failures.compactMap { $0["key"] as? String }) == ["images/components/bad_1/front.jpg", "images/components/bad_2/bad_2.png"])
        #expect(failures.allSatisfy { ($0["reason"] as? String)?.contains("SlowDown") == true }, "\(failures)")
        #expect(first.stderr.contains("failed images/components/bad_"))
        let landed = try await ImagesStack.keys(bucket: bucket, prefix: "images/components/")
        #expect(landed == Set((0..<6).map { "images/components/good_\($0)/good_\($0).jpg" }))
        #expect(try await ImagesStack.keys(bucket: bucket, prefix: "reports/images/").count == 1)

        let second = try ImagesStack.run(["--json", "--no-database"], bucket: bucket, pictures: pictures, table: nil, in: dir)
        #expect(second.status == 0, "\(second.all)")
        let counts = ImagesStack.counts(try ImagesStack.report(second))
        #expect(counts["uploaded"] == 2)
        #expect(counts["unchanged"] == 6)
        #expect(counts["failed"] == 0)
    }

    @Test func anUnreachableServerFailsBeforeAnyUpload() async throws {
        let dir = try CLI.sandbox()
        let pictures = try ImagesStack.folder(in: dir, ["a.jpg": [1, 2, 3]])
        let result = try ImagesStack.run(["--no-database"], bucket: "volt-data-lake", pictures: pictures, table: nil, in: dir,
                                         extra: ["AWS_ENDPOINT_URL": "http://127.0.0.1:9"])
        #expect(result.status == 1, "\(result.all)")
        #expect(result.stderr.contains("Cannot list the lake's pictures"), "\(result.stderr)")
    }

    @Test func configurationErrorsExitWithTwo() async throws {
        let dir = try CLI.sandbox()
        let missing = try ImagesStack.run(["--no-database"], bucket: "volt-data-lake", pictures: dir.appendingPathComponent("nope"), table: nil, in: dir)
        #expect(missing.status == 2, "\(missing.all)")
        #expect(missing.stderr.contains("no pictures folder"), "\(missing.stderr)")
        let file = dir.appendingPathComponent("file.jpg")
        try Data([1]).write(to: file)
        let notFolder = try ImagesStack.run(["--no-database"], bucket: "volt-data-lake", pictures: file, table: nil, in: dir)
        #expect(notFolder.status == 2, "\(notFolder.all)")
        #expect(notFolder.stderr.contains("is a file, not a folder"))
        let badConcurrency = try ImagesStack.run(["--concurrency", "0"], bucket: "volt-data-lake", pictures: dir, table: nil, in: dir)
        #expect(badConcurrency.status == 2)
    }

    @Test func withoutADatabaseTheNamesDecideAndOddFilesAreSkipped() async throws {
        let dir = try CLI.sandbox()
        let pictures = try ImagesStack.folder(in: dir, [
            "mcb_b16.jpg": ImagesStack.bytes(100, seed: 1), "mcb_b16/side.JPEG": ImagesStack.bytes(100, seed: 2),
            "temp_1718000187078.webp": ImagesStack.bytes(100, seed: 3), "notes.txt": [1], "empty.jpg": [],
        ])
        let outside = dir.appendingPathComponent("outside.jpg")
        try Data([9, 9]).write(to: outside)
        try FileManager.default.createSymbolicLink(atPath: pictures.appendingPathComponent("escape.jpg").path, withDestinationPath: outside.path)
        let bucket = try await LocalStack.makeBucket()
        let result = try ImagesStack.run(["--json"], bucket: bucket, pictures: pictures, table: nil, in: dir)
        #expect(result.status == 0, "\(result.all)")
        #expect(result.stderr.contains("no database configured"))
        let report = try ImagesStack.report(result)
        #expect(report["mapping"] as? String == "file names")
        #expect(try await ImagesStack.keys(bucket: bucket, prefix: "images/") == ["images/components/mcb_b16/mcb_b16.jpg", "images/components/mcb_b16/side.JPEG"])
        let reasons = Dictionary(uniqueKeysWithValues: ((report["skipped"] as? [[String: Any]]) ?? []).compactMap { item -> (String, String)? in
            guard let path = item["path"] as? String, let reason = item["reason"] as? String else { return nil }
            return (path, reason)
        })
        #expect(reasons == ["temp_1718000187078.webp": "temp-leftover", "notes.txt": "not-an-image", "empty.jpg": "empty-file",
                            "escape.jpg": "symlink-outside-folder"])
    }
}

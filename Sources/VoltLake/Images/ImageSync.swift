import Foundation
import S3

/// What `voltlake images` is asked to do.
public struct ImageSyncOptions: Sendable {
    /// The pictures folder.
    public var source: String
    public var bucket: String
    /// Remove lake objects under `images/components/` whose local file is gone.
    public var delete: Bool
    /// Decide and report, write nothing.
    public var dryRun: Bool
    /// Files processed (hashed, compared, uploaded) at once.
    public var concurrency: Int

    public init(source: String, bucket: String, delete: Bool = false, dryRun: Bool = false, concurrency: Int = 8) {
        self.source = source
        self.bucket = bucket
        self.delete = delete
        self.dryRun = dryRun
        self.concurrency = concurrency
    }
}

/// Progress so far, for a progress bar.
public struct ImageSyncProgress: Sendable {
    public var filesDone: Int
    public var filesTotal: Int
    public var bytesUploaded: Int64
    public var elapsed: Duration
}

/// What happens during a run, in order, for log lines and progress bars.
public enum ImageSyncEvent: Sendable {
    /// The folder was scanned: `files` pictures to compare, `skipped` items skipped.
    case planned(files: Int, skipped: Int, remoteObjects: Int)
    case uploaded(ImageSyncReport.Upload)
    /// Dry run: would be uploaded.
    case wouldUpload(ImageSyncReport.Upload)
    case failed(ImageSyncReport.Failure)
    case deleted(key: String)
    /// Dry run: would be deleted.
    case wouldDelete(key: String)
    case progress(ImageSyncProgress)
}

/// The run could not start or could not see the lake (the per-file failures are in the report instead).
public struct ImageSyncError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// The folder is missing, a file, or unreadable (exit status 2).
        case configuration
        /// Listing `images/components/` failed: nothing was compared.
        case listing
    }

    public var kind: Kind
    public var description: String
}

/// Syncs the pictures folder to `images/components/` by content.
///
/// One ListObjectsV2 walk of the prefix (running while the folder is scanned and hashed) gives size and
/// ETag per key; a file whose size and MD5 match a
/// single-part ETag is unchanged. Only when the listing cannot tell (multipart or non-MD5 ETags) does one
/// HeadObject read the `sha256` metadata. Files are hashed and uploaded `concurrency` at a time; no file
/// content is held in memory beyond a 256 KiB read buffer per task and the S3 client's own.
public struct ImageSync: Sendable {
    public var options: ImageSyncOptions
    public var client: S3Client
    public var mapping: ImageMapping
    public var onEvent: @Sendable (ImageSyncEvent) -> Void

    public init(options: ImageSyncOptions, client: S3Client, mapping: ImageMapping, onEvent: @escaping @Sendable (ImageSyncEvent) -> Void = { _ in }) {
        self.options = options
        self.client = client
        self.mapping = mapping
        self.onEvent = onEvent
    }

    struct FileJob: Sendable {
        var file: ScannedFile
        var targets: [PictureTarget]
    }

    enum TargetResult: Sendable {
        case uploaded(size: Int64, reason: UploadReason)
        case wouldUpload(size: Int64, reason: UploadReason)
        case unchanged
        case failed(operation: String, reason: String)
    }

    struct FileOutcome: Sendable {
        var job: FileJob
        var results: [(PictureTarget, TargetResult)]
    }

    public func run() async throws(ImageSyncError) -> ImageSyncReport {
        let clock = ContinuousClock()
        let start = clock.now
        try checkSource()
        var report = ImageSyncReport(
            startedAt: Date(), finishedAt: Date(), durationSeconds: 0, source: options.source, bucket: options.bucket,
            prefix: ImageMapping.keyPrefix, mapping: Self.describe(mapping.mode), dryRun: options.dryRun,
            delete: options.delete, concurrency: max(1, options.concurrency))

        // The listing runs while the folder is scanned and hashed: both wait on different things.
        async let listing = listRemote()

        // Scan and map: metadata only.
        var jobs: [FileJob] = []
        var expectedKeys = Set<String>()
        var seenReferenced = Set<String>()
        report.addSkips(mapping.catalogueSkips)
        for file in PicturesScanner(root: options.source) {
            report.counts.scanned += 1
            if mapping.isReferenced(file.relativePath) { seenReferenced.insert(file.relativePath) }
            switch mapping.decide(file) {
            case .upload(let targets):
                jobs.append(FileJob(file: file, targets: targets))
                for target in targets { expectedKeys.insert(target.key) }
            case .skip(let items, let keepKeys):
                report.addSkips(items)
                expectedKeys.formUnion(keepKeys)
            }
        }
        report.addSkips(mapping.missingFiles(seen: seenReferenced))
        let digests = await digestAll(jobs)
        let remote = try await listing.get()
        onEvent(.planned(files: jobs.count, skipped: report.skipped.count, remoteObjects: remote.count))

        // Compare and upload, a bounded number of files at a time.
        var done = 0
        let total = jobs.count
        func record(_ outcome: FileOutcome) {
            for (target, result) in outcome.results {
                let path = outcome.job.file.relativePath
                switch result {
                case .unchanged:
                    report.counts.unchanged += 1
                case .uploaded(let size, let reason):
                    let upload = ImageSyncReport.Upload(key: target.key, path: path, componentID: target.componentID, size: size, reason: reason)
                    report.counts.uploaded += 1
                    report.bytesUploaded += size
                    report.uploaded.append(upload)
                    onEvent(.uploaded(upload))
                case .wouldUpload(let size, let reason):
                    let upload = ImageSyncReport.Upload(key: target.key, path: path, componentID: target.componentID, size: size, reason: reason)
                    report.uploaded.append(upload)
                    onEvent(.wouldUpload(upload))
                case .failed(let operation, let reason):
                    let failure = ImageSyncReport.Failure(key: target.key, path: path, componentID: target.componentID, operation: operation, reason: reason)
                    report.failures.append(failure)
                    onEvent(.failed(failure))
                }
            }
            done += 1
            onEvent(.progress(ImageSyncProgress(filesDone: done, filesTotal: total, bytesUploaded: report.bytesUploaded, elapsed: clock.now - start)))
        }
        let limit = max(1, options.concurrency)
        await withTaskGroup(of: FileOutcome.self) { group in
            var inFlight = 0
            for (job, digest) in zip(jobs, digests) {
                if inFlight >= limit, let outcome = await group.next() {
                    record(outcome)
                    inFlight -= 1
                }
                group.addTask { await self.process(job, digest: digest, remote: remote) }
                inFlight += 1
            }
            for await outcome in group { record(outcome) }
        }
        jobs = []

        // Objects with no local counterpart.
        let orphans = remote.keys.filter { !expectedKeys.contains($0) }.sorted()
        if options.delete {
            await deleteOrphans(orphans, into: &report)
        } else {
            report.orphans = orphans
        }
        report.counts.orphans = report.orphans.count
        report.finish(at: Date(), duration: clock.now - start)
        return report
    }

    static func describe(_ mode: ImageMapping.Mode) -> String {
        switch mode {
        case .database(let table): return "database (\(table).image)"
        case .fileNames: return "file names"
        }
    }

    private func checkSource() throws(ImageSyncError) {
        var isDirectory: ObjCBool = false
        let fix = "Point --source or VOLT_IMAGES_DIR at the Volt app's frontend/public/pictures/electricComponents folder."
        guard FileManager.default.fileExists(atPath: options.source, isDirectory: &isDirectory) else {
            throw ImageSyncError(kind: .configuration, description: "There is no pictures folder at \(options.source). \(fix)")
        }
        guard isDirectory.boolValue else {
            throw ImageSyncError(kind: .configuration, description: "\(options.source) is a file, not a folder. \(fix)")
        }
        guard FileManager.default.isReadableFile(atPath: options.source) else {
            throw ImageSyncError(kind: .configuration,
                                 description: "The pictures folder \(options.source) cannot be read. Give the user running voltlake read access (chmod -R u+rX).")
        }
    }

    /// One listing of `images/components/`: key → size and ETag.
    private func listRemote() async -> Result<[String: RemotePicture], ImageSyncError> {
        var remote: [String: RemotePicture] = [:]
        do {
            for try await object in client.listAllObjects(bucket: options.bucket, prefix: ImageMapping.keyPrefix) {
                remote[object.key] = RemotePicture(size: object.size, etag: object.etag)
            }
        } catch {
            return .failure(ImageSyncError(kind: .listing, description: "Cannot list the lake's pictures, so nothing was compared or uploaded: \(error)"))
        }
        return .success(remote)
    }

    /// MD5 and SHA-256 of every file, `concurrency` files at a time, in job order.
    func digestAll(_ jobs: [FileJob]) async -> [Result<FileDigest, LocalReadError>] {
        var digests = [Result<FileDigest, LocalReadError>?](repeating: nil, count: jobs.count)
        let limit = max(1, options.concurrency)
        await withTaskGroup(of: (Int, Result<FileDigest, LocalReadError>).self) { group in
            var inFlight = 0
            for (index, job) in jobs.enumerated() {
                if inFlight >= limit, let result = await group.next() {
                    digests[result.0] = result.1
                    inFlight -= 1
                }
                let path = job.file.path
                group.addTask {
                    do throws(LocalReadError) {
                        return (index, .success(try FileDigest.of(path: path)))
                    } catch {
                        return (index, .failure(error))
                    }
                }
                inFlight += 1
            }
            for await (done, digest) in group { digests[done] = digest }
        }
        return digests.map { $0 ?? .failure(LocalReadError(path: "", operation: "hash", errno: 5)) }
    }

    /// Brings each key of one file up to date, from the file's digest.
    func process(_ job: FileJob, digest hashed: Result<FileDigest, LocalReadError>, remote: [String: RemotePicture]) async -> FileOutcome {
        var digest: FileDigest
        switch hashed {
        case .success(let value):
            digest = value
        case .failure(let error):
            return FileOutcome(job: job, results: job.targets.map { ($0, Self.explained(.failed(operation: "ReadFile", reason: error.description), job.file)) })
        }
        var results: [(PictureTarget, TargetResult)] = []
        for target in job.targets {
            results.append((target, Self.explained(await sync(target, file: job.file, digest: &digest, remote: remote[target.key]), job.file)))
        }
        return FileOutcome(job: job, results: results)
    }

    /// S3's refusals of a body that does not match its signed hash or Content-MD5.
    static let bodyMismatchCodes: Set<String> = ["XAmzContentSHA256Mismatch", "BadDigest"]

    /// A failure of a file that is no longer there says so (deleted or renamed while voltlake ran),
    /// instead of the error the missing file caused.
    static func explained(_ result: TargetResult, _ file: ScannedFile) -> TargetResult {
        guard case .failed = result, !FileManager.default.fileExists(atPath: file.path) else { return result }
        return .failed(operation: "ReadFile",
                       reason: "\(file.relativePath) disappeared after the scan (deleted or renamed while voltlake ran); nothing was uploaded for it. Run again when the folder is stable.")
    }

    func sync(_ target: PictureTarget, file: ScannedFile, digest: inout FileDigest, remote: RemotePicture?) async -> TargetResult {
        var decision = SyncDecision.compare(size: digest.size, digest: digest, remote: remote)
        if decision != .unchanged, digest.sha256Hex == nil {
            do {
                digest = try FileDigest.of(path: file.path)
            } catch {
                return .failed(operation: "ReadFile", reason: error.description)
            }
        }
        if decision == .needsHead {
            do {
                decision = SyncDecision.compare(digest: digest, head: try await client.headObject(bucket: options.bucket, key: target.key))
            } catch {
                return .failed(operation: "HeadObject", reason: "\(error)")
            }
        }
        guard case .upload(let reason) = decision, let sha256 = digest.sha256Hex else { return .unchanged }
        if options.dryRun { return .wouldUpload(size: digest.size, reason: reason) }
        // The bytes sent must be the bytes hashed (the metadata carries the hash): if the file changed
        // since, nothing lands; hash it again and try once more.
        for attempt in 1...2 {
            let hash = digest.sha256Hex ?? sha256
            do {
                let result = try await client.putFile(
                    bucket: options.bucket, key: target.key, path: file.path,
                    contentType: ImageContentType.forPath(file.relativePath),
                    metadata: Self.metadata(target: target, file: file, size: digest.size, sha256: hash),
                    known: FileContentDigest(sha256Hex: hash, md5Hex: digest.md5Hex))
                return .uploaded(size: result.size, reason: reason)
            } catch let error as S3Error where error.kind == .sourceChanged || Self.bodyMismatchCodes.contains(error.code ?? "") {
                // Changed before sending (sourceChanged) or while sending (S3 refused the bytes).
                if attempt == 2 { break }
                do {
                    digest = try FileDigest.of(path: file.path)
                } catch {
                    return .failed(operation: "ReadFile", reason: error.description)
                }
            } catch {
                return .failed(operation: "PutObject", reason: "\(error)")
            }
        }
        return .failed(operation: "PutObject", reason: "\(file.relativePath) kept changing while it was uploaded; the bucket keeps what it had for this key. Run again when the file is stable")
    }

    /// The object's metadata: hyphenated lower-case names; the S3 client percent-encodes non-ASCII values
    /// (RFC 3986, UTF-8), so `original-filename` of `łącznik ż.jpg` is stored as `%C5%82%C4%85cznik %C5%BC.jpg`.
    static func metadata(target: PictureTarget, file: ScannedFile, size: Int64, sha256: String) -> [String: String] {
        [
            "component-id": target.componentID,
            "original-filename": file.relativePath,
            "size": String(size),
            "modified-at": RunStamp(file.modified).iso8601,
            "sha256": sha256,
        ]
    }

    private func deleteOrphans(_ orphans: [String], into report: inout ImageSyncReport) async {
        if options.dryRun {
            for key in orphans { onEvent(.wouldDelete(key: key)) }
            report.deleted = orphans
            return
        }
        let limit = max(1, options.concurrency)
        await withTaskGroup(of: (String, String?).self) { group in
            var inFlight = 0
            func record(_ key: String, _ error: String?) {
                if let error {
                    let failure = ImageSyncReport.Failure(key: key, path: nil, componentID: nil, operation: "DeleteObject", reason: error)
                    report.failures.append(failure)
                    onEvent(.failed(failure))
                } else {
                    report.deleted.append(key)
                    report.counts.deleted += 1
                    onEvent(.deleted(key: key))
                }
            }
            for key in orphans {
                if inFlight >= limit, let result = await group.next() {
                    record(result.0, result.1)
                    inFlight -= 1
                }
                group.addTask {
                    do {
                        try await client.deleteObject(bucket: options.bucket, key: key)
                        return (key, nil)
                    } catch {
                        return (key, "\(error)")
                    }
                }
                inFlight += 1
            }
            for await (key, error) in group { record(key, error) }
        }
        report.deleted.sort()
    }
}

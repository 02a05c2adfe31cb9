import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import S3
import StackTestSupport
import SigV4
import Testing

/// Helpers for the images tests: sample folders and tables, the proxy's record and faults, reading back.
enum ImagesStack {
    static var sampleData: String { LocalStack.packageRoot.appendingPathComponent("scripts/sample-data").path }

    /// Runs a program and returns its stdout; fails the test on a non-zero status.
    @discardableResult
    static func shell(_ program: String, _ arguments: [String], input: Data? = nil, environment: [String: String] = [:]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [program] + arguments
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { _, new in new }
        process.environment = env
        let out = Pipe(), err = Pipe(), inPipe = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input == nil ? FileHandle.nullDevice : inPipe
        try process.run()
        if let input {
            DispatchQueue.global().async {
                inPipe.fileHandleForWriting.write(input)
                try? inPipe.fileHandleForWriting.close()
            }
        }
        let errBox = ErrBox()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errBox.data = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let output = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "\(program) \(arguments.joined(separator: " ")) failed: \(String(decoding: errBox.data, as: UTF8.self))")
        return String(decoding: output, as: UTF8.self)
    }

    /// The sample pictures folder (same seed as the sample table) inside `dir`; returns it and the script's summary.
    static func samplePictures(in dir: URL, rows: Int = 100) throws -> (URL, [String: Any]) {
        let folder = dir.appendingPathComponent("pictures")
        let summary = try shell("python3", [sampleData, "--pictures", folder.path, "--rows", String(rows)])
        let json = try JSONSerialization.jsonObject(with: Data(summary.utf8)) as? [String: Any] ?? [:]
        return (folder, json)
    }

    static let postgresEnvironment = [
        "PGHOST": LocalStack.postgresHost, "PGPORT": LocalStack.postgresPort, "PGDATABASE": "volt",
        "PGUSER": "voltlake", "PGPASSWORD": "voltlake-local", "PGSSLMODE": "disable",
    ]

    /// A fresh components table filled by scripts/sample-data; returns its name.
    static func makeTable(rows: Int = 100) throws -> String {
        let name = "vl_images_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(12)
        let sql = try shell("python3", [sampleData, "--rows", String(rows), "--table", name])
        try shell("psql", ["-q", "-v", "ON_ERROR_STOP=1"], input: Data(sql.utf8), environment: postgresEnvironment)
        return name
    }

    static func dropTable(_ name: String) {
        _ = try? shell("psql", ["-q", "-c", "DROP TABLE IF EXISTS \(name)"], environment: postgresEnvironment)
    }

    /// `(id, image)` of every row, read with psql (independent of voltlake).
    static func componentImages(table: String) throws -> [(id: String, image: String?)] {
        let text = try shell("psql", ["-At", "-F", "\t", "-c", "SELECT id, coalesce(image, '<NULL>') FROM \(table) ORDER BY id"],
                             environment: postgresEnvironment)
        return text.split(separator: "\n").map { line in
            let parts = line.split(separator: "\t", maxSplits: 1, omittingEmptySubsequences: false)
            let image = parts.count > 1 ? String(parts[1]) : ""
            return (String(parts[0]), image == "<NULL>" ? nil : image)
        }
    }

    // MARK: the proxy

    /// The proxy's request counter now.
    static func sequence() async throws -> Int {
        try await FrontDoor.sequence()
    }

    /// What the proxy saw for `bucket` since `sequence`.
    static func requests(since sequence: Int, bucket: String) async throws -> [[String: Any]] {
        try await FrontDoor.requests(since: sequence).filter { $0["bucket"] as? String == bucket }
    }

    static func injectFault(_ json: String) async throws {
        _ = try await FrontDoor.control("POST", "faults", json: Data(json.utf8))
    }

    // MARK: reading back

    /// A client with the app key, for reading what voltlake wrote.
    static func withClient<T>(_ body: (S3Client) async throws -> T) async throws -> T {
        let client = S3Client(
            credentials: AWSCredentials(accessKeyID: LocalStack.appKeyID, secretAccessKey: LocalStack.appSecret),
            configuration: S3Configuration(region: LocalStack.region, endpoint: URL(string: LocalStack.s3Endpoint), usePathStyle: true))
        return try await client.use(body)
    }

    static func keys(bucket: String, prefix: String? = nil) async throws -> Set<String> {
        try await withClient { client in
            var keys = Set<String>()
            for try await object in client.listAllObjects(bucket: bucket, prefix: prefix) { keys.insert(object.key) }
            return keys
        }
    }

    /// `sha256sum` of a file: an independent digest.
    static func sha256sum(_ path: String) throws -> String {
        try shell("sha256sum", [path]).split(separator: " ").first.map(String.init) ?? ""
    }

    /// Runs `voltlake images` with the stack's variables; `database` nil means no PostgreSQL variables at all.
    static func run(_ arguments: [String], bucket: String, pictures: URL, table: String?, in dir: URL,
                    extra: [String: String] = [:], launcher: [String] = [], executable: URL? = nil) throws -> CLI.Result {
        var environment = LocalStack.voltlakeEnvironment(bucket: bucket, pictures: pictures.path)
        if let table {
            environment["VOLTLAKE_TABLE"] = table
        } else {
            for name in ["POSTGRES_HOST", "POSTGRES_PORT", "POSTGRES_DB", "POSTGRES_USER", "POSTGRES_PASSWORD", "PGSSLMODE"] {
                environment.removeValue(forKey: name)
            }
        }
        environment.merge(extra) { _, new in new }
        return try CLI.run(["images"] + arguments, environment: environment, in: dir, launcher: launcher, executable: executable)
    }

    /// The `--json` report on stdout.
    static func report(_ result: CLI.Result) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        return try #require(object, "no JSON report on stdout:\n\(result.all)")
    }

    static func counts(_ report: [String: Any]) -> [String: Int] {
        (report["counts"] as? [String: Int]) ?? [:]
    }

    /// A small folder in `dir`: name → bytes (folders created as needed).
    static func folder(in dir: URL, _ files: [String: [UInt8]]) throws -> URL {
        let folder = dir.appendingPathComponent("pictures-\(UUID().uuidString.prefix(8))")
        for (name, bytes) in files {
            let url = folder.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(bytes).write(to: url)
        }
        return folder
    }

    /// Deterministic pseudo-random bytes.
    static func bytes(_ count: Int, seed: UInt64) -> [UInt8] {
        testBytes(count, seed: seed)
    }
}

private final class ErrBox: @unchecked Sendable {
    var data = Data()
}

import Foundation
import SigV4

/// Presigns `--count` GET links on one thread and prints links per second.
///
/// Same shape as bench/presign/boto3_presign.py: path-style endpoint http://127.0.0.1:19000,
/// bucket volt-data-lake, key images/components/<n>/photo <n>.jpg, 3600 s, the clock read per link.
@main
struct PresignBench {
    static func main() throws {
        var count = 1_000_000
        var arguments = CommandLine.arguments.dropFirst()
        while let argument = arguments.popFirst() {
            switch argument {
            case "--count":
                guard let value = arguments.popFirst().flatMap(Int.init), value > 0 else {
                    throw BenchError("--count needs a positive number")
                }
                count = value
            default:
                throw BenchError("usage: presign-bench [--count N]")
            }
        }
        let signer = SigV4Signer(
            credentials: AWSCredentials(accessKeyID: "VOLTBENCHACCESSKEY01", secretAccessKey: "bench/secret+key/0123456789abcdefghijklmn"),
            region: "eu-central-1")

        // Warm up (and show one link).
        var checksum = 0
        let sample = try presign(signer, index: 0)
        for index in 0..<min(count / 10, 20_000) { checksum &+= try presign(signer, index: index).utf8.count }

        let start = ContinuousClock.now
        let cpuStart = threadCPUSeconds()
        for index in 0..<count {
            checksum &+= try presign(signer, index: index).utf8.count
        }
        let cpu = threadCPUSeconds() - cpuStart
        let elapsed = ContinuousClock.now - start
        let wall = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print("sample: \(sample.prefix(160))…")
        // links/s per CPU second is the figure to compare on a shared machine; wall time is shown too.
        print("swift-sigv4: \(count) links, \(String(format: "%.3f", cpu)) s CPU = \(Int(Double(count) / cpu)) links/s; wall \(String(format: "%.3f", wall)) s = \(Int(Double(count) / wall)) links/s (checksum \(checksum))")
    }

    /// CPU time of this thread, so other processes on a shared core don't count against us.
    static func threadCPUSeconds() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    @inline(never)
    static func presign(_ signer: SigV4Signer, index: Int) throws -> String {
        let request = SigningRequest(method: "GET", host: "127.0.0.1:19000", path: "/volt-data-lake/images/components/\(index)/photo \(index).jpg")
        return try signer.presignedURL(for: request, scheme: "http", expires: 3600, date: Date())
    }

    struct BenchError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}

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
        for index in 0..<count {
            checksum &+= try presign(signer, index: index).utf8.count
        }
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print("sample: \(sample.prefix(160))…")
        print("swift-sigv4: \(count) links in \(String(format: "%.3f", seconds)) s = \(Int(Double(count) / seconds)) links/s (checksum \(checksum))")
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

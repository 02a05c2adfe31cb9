import Foundation
import SigV4
import Testing

/// Our signer against botocore, an independent SigV4 implementation, over thousands of generated S3
/// requests (keys with spaces, `+`, `%`, `=`, `&`, unicode and emoji, empty segments; ListObjectsV2
/// queries; `x-amz-meta-*` headers with odd whitespace; session tokens; payload hashes; expiries).
/// `scripts/sigv4_vectors.py` signs each case with botocore and a fixed clock; we must agree byte
/// for byte. Needs python3 with botocore: without them this test fails, it does not skip.
@Suite struct DifferentialTests {
    struct Vectors: Decodable {
        var botocore: String
        var cases: [VectorCase]
    }

    struct VectorCase: Decodable {
        var index: Int
        var kind: String
        var accessKeyID: String
        var secretAccessKey: String
        var sessionToken: String?
        var region: String
        var date: Int64
        var scheme: String
        var method: String
        var host: String
        var path: String
        var query: [[String]]
        var headers: [[String]]
        var body: String?
        var expires: Int?
        var expected: Expected
    }

    struct Expected: Decodable {
        var authorization: String?
        var xAmzDate: String?
        var xAmzContentSHA256: String?
        var xAmzSecurityToken: String?
        var url: String?
        var wirePath: String
        var wireQuery: String

        enum CodingKeys: String, CodingKey {
            case authorization, url, wirePath, wireQuery
            case xAmzDate = "x-amz-date"
            case xAmzContentSHA256 = "x-amz-content-sha256"
            case xAmzSecurityToken = "x-amz-security-token"
        }
    }

    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Runs the generator; a missing python3 or botocore is a failure with a clear message.
    static func loadVectors(seed: Int, count: Int) throws -> Vectors {
        let script = repositoryRoot.appendingPathComponent("scripts/sigv4_vectors.py")
        guard FileManager.default.fileExists(atPath: script.path) else {
            throw VectorError("differential vectors: \(script.path) not found")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, "--seed", String(seed), "--count", String(count)]
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        do {
            try process.run()
        } catch {
            throw VectorError("differential vectors: cannot run python3 (\(error)); install Python 3 and 'pip install botocore'")
        }
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let errors = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw VectorError("differential vectors: sigv4_vectors.py exited \(process.terminationStatus) — python3 with botocore is required ('pip install botocore'): \(errors)")
        }
        return try JSONDecoder().decode(Vectors.self, from: output)
    }

    struct VectorError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    static func bytes(fromHex hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var iterator = hex.utf8.makeIterator()
        func nibble(_ c: UInt8) -> UInt8 { c <= 57 ? c - 48 : (c | 0x20) - 87 }
        while let high = iterator.next(), let low = iterator.next() {
            out.append(nibble(high) << 4 | nibble(low))
        }
        return out
    }

    /// "a=1&b=2" as sorted (name, value) pairs, for comparing queries whose order may differ.
    static func sortedPairs(_ query: Substring) -> [String] {
        guard !query.isEmpty else { return [] }
        return query.split(separator: "&", omittingEmptySubsequences: false).map(String.init).sorted { lhs, rhs in
            let l = lhs.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let r = rhs.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return l[0] == r[0] ? Array(lhs.utf8).lexicographicallyPrecedes(Array(rhs.utf8)) : Array(l[0].utf8).lexicographicallyPrecedes(Array(r[0].utf8))
        }
    }

    /// Compares one case; returns a description of each difference.
    static func check(_ vector: VectorCase, signer: SigV4Signer) -> [String] {
        var problems: [String] = []
        let request = SigningRequest(
            method: vector.method, host: vector.host, path: vector.path,
            query: vector.query.map { QueryItem($0[0], $0[1]) },
            headers: vector.headers.map { HTTPField($0[0], $0[1]) })
        let date = Date(timeIntervalSince1970: TimeInterval(vector.date))
        func differ(_ what: String, _ ours: String?, _ theirs: String?) {
            if ours != theirs { problems.append("\(what):\n      ours     \(ours ?? "nil")\n      botocore \(theirs ?? "nil")") }
        }
        differ("encodedPath", request.encodedPath, vector.expected.wirePath)
        differ("encodedQuery (as sorted pairs)", sortedPairs(Substring(request.encodedQuery)).joined(separator: "&"),
               sortedPairs(Substring(vector.expected.wireQuery)).joined(separator: "&"))
        if vector.kind == "header" {
            let payload: PayloadHash
            if vector.expected.xAmzContentSHA256 == "UNSIGNED-PAYLOAD" {
                payload = .unsigned
            } else {
                payload = .sha256(hex: vector.expected.xAmzContentSHA256 ?? "")
                differ("PayloadHash.sha256(of: body)", PayloadHash.sha256(of: bytes(fromHex: vector.body ?? "")).headerValue,
                       vector.expected.xAmzContentSHA256)
            }
            let fields = signer.signHeaders(for: request, payload: payload, date: date)
            func value(_ name: String) -> String? { fields.first { $0.name == name }?.value }
            differ("authorization", value("authorization"), vector.expected.authorization)
            differ("x-amz-date", value("x-amz-date"), vector.expected.xAmzDate)
            differ("x-amz-content-sha256", value("x-amz-content-sha256"), vector.expected.xAmzContentSHA256)
            differ("x-amz-security-token", value("x-amz-security-token"), vector.expected.xAmzSecurityToken)
        } else {
            let ours: String
            do {
                ours = try signer.presignedURL(for: request, scheme: vector.scheme, expires: vector.expires ?? 0, date: date)
            } catch {
                return ["presignedURL threw \(error)"]
            }
            let theirs = vector.expected.url ?? ""
            let (ourBase, ourQuery) = split(ours)
            let (theirBase, theirQuery) = split(theirs)
            differ("presigned URL before '?'", String(ourBase), String(theirBase))
            // botocore puts the request's parameters first and the X-Amz-* ones in its own order;
            // ours are in canonical order. Same parameters, same encoding, same signature.
            differ("presigned URL query (as sorted pairs)", sortedPairs(ourQuery).joined(separator: "&"),
                   sortedPairs(theirQuery).joined(separator: "&"))
            if !ours.contains("&X-Amz-Signature=") || ourQuery.hasPrefix("X-Amz-Signature=") {
                problems.append("presigned URL: X-Amz-Signature is not last: \(ours)")
            }
        }
        return problems
    }

    static func split(_ url: String) -> (Substring, Substring) {
        guard let mark = url.firstIndex(of: "?") else { return (Substring(url), "") }
        return (url[..<mark], url[url.index(after: mark)...])
    }

    @Test func agreesWithBotocore() throws {
        let vectors = try Self.loadVectors(seed: 42, count: 3000)
        #expect(vectors.cases.count == 3000)
        var signers: [String: SigV4Signer] = [:]
        var failures: [String] = []
        var failed = 0
        for vector in vectors.cases {
            let cacheKey = [vector.accessKeyID, vector.secretAccessKey, vector.sessionToken ?? "-", vector.region].joined(separator: "\u{0}")
            let signer = signers[cacheKey] ?? SigV4Signer(
                credentials: AWSCredentials(accessKeyID: vector.accessKeyID, secretAccessKey: vector.secretAccessKey, sessionToken: vector.sessionToken),
                region: vector.region)
            signers[cacheKey] = signer
            let problems = Self.check(vector, signer: signer)
            if !problems.isEmpty {
                failed += 1
                if failures.count < 5 {
                    failures.append("case \(vector.index) (\(vector.kind) \(vector.method) \(vector.host) path \(vector.path.debugDescription)):\n    " + problems.joined(separator: "\n    "))
                }
            }
        }
        #expect(failed == 0, "\(failed) of \(vectors.cases.count) cases differ from botocore \(vectors.botocore); first ones:\n\(failures.joined(separator: "\n"))")
        #expect(signers.count > 1 && signers.count < vectors.cases.count, "signers are reused across dates")
    }

    /// The judge itself must see a difference: a changed secret changes every signature.
    @Test func detectsAWrongSecret() throws {
        let vectors = try Self.loadVectors(seed: 7, count: 50)
        for vector in vectors.cases {
            let signer = SigV4Signer(
                credentials: AWSCredentials(accessKeyID: vector.accessKeyID, secretAccessKey: vector.secretAccessKey + "x", sessionToken: vector.sessionToken),
                region: vector.region)
            #expect(!Self.check(vector, signer: signer).isEmpty, "case \(vector.index)")
        }
    }
}

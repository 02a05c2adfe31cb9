import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import StackTestSupport

/// `voltlake serve` as an operator runs it: a real process on a test port, stopped with SIGTERM.
@Suite struct PresignServeCommandTests {
    @Test func serveAnswersLinksAndExitsZeroOnSIGTERM() async throws {
        let key = "images/components/mcb_b16/mcb_b16.jpg"
        let bytes = PresignStack.picture(31)
        let bucket = try await PresignStack.bucket(with: [key: bytes])
        let dir = try CLI.sandbox()
        let port = Int.random(in: 20_000..<32_000)
        let process = Process()
        process.executableURL = CLI.binary
        let audit = dir.appendingPathComponent("audit.jsonl")
        process.arguments = ["serve", "--port", String(port), "--refresh-interval", "60", "--audit-log", audit.path]
        process.currentDirectoryURL = dir
        var environment = LocalStack.voltlakeEnvironment(bucket: bucket, pictures: "/nonexistent")
        environment["PATH"] = "/usr/bin:/bin"
        environment["HOME"] = dir.appendingPathComponent("home").path
        environment["VOLTLAKE_API_TOKEN"] = "test-token"
        process.environment = environment
        let log = dir.appendingPathComponent("serve.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let logHandle = try FileHandle(forWritingTo: log)
        process.standardOutput = logHandle
        process.standardError = logHandle
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        let base = "http://127.0.0.1:\(port)"
        var ready = false
        for _ in 0..<600 where !ready {  // up to a minute on a loaded machine
            try await Task.sleep(for: .milliseconds(100))
            if let (_, response) = try? await HTTP.send(URLRequest(url: URL(string: "\(base)/ready")!)), response.statusCode == 200 {
                ready = true
            }
        }
        let logText = { String(decoding: (try? Data(contentsOf: log)) ?? Data(), as: UTF8.self) }
        try #require(ready, "serve did not become ready: \(logText())")

        var request = URLRequest(url: URL(string: "\(base)/api/upload/component-image-url/mcb_b16?expirationHours=1")!)
        let (unauthorized, denied) = try await HTTP.send(request)
        #expect(denied.statusCode == 401)
        #expect(try PresignStack.document(String(decoding: unauthorized, as: UTF8.self))["success"] as? Bool == false)
        request.setValue("Bearer test-token", forHTTPHeaderField: "Authorization")
        let (body, response) = try await HTTP.send(request)
        #expect(response.statusCode == 200)
        let data = try #require(try PresignStack.document(String(decoding: body, as: UTF8.self))["data"] as? [String: Any])
        let (status, picture) = try await HTTP.get(try #require(data["imageUrl"] as? String))
        #expect(status == 200)
        #expect(picture == bytes)

        kill(process.processIdentifier, SIGTERM)
        for _ in 0..<100 where process.isRunning { try await Task.sleep(for: .milliseconds(100)) }
        #expect(!process.isRunning, "serve did not stop on SIGTERM")
        process.waitUntilExit()
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 0, "\(logText())")
        #expect(!logText().contains("test-token"))
        #expect(!logText().contains("X-Amz-Signature"))

        // The audit log has the listing and the link (with the caller's address, without its signature),
        // and the run's lines were shipped to the lake on shutdown.
        let auditText = try String(contentsOf: audit, encoding: .utf8)
        let events = try auditText.split(separator: "\n").map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        #expect(events.contains { $0["operation"] as? String == "ListObjectsV2" })
        let link = try #require(events.first { $0["operation"] as? String == "PresignGetObject" }, "\(auditText)")
        #expect(link["clientAddress"] as? String == "127.0.0.1")
        #expect(link["key"] as? String == key)
        #expect((link["link"] as? String)?.contains("X-Amz-Signature=REDACTED") == true)
        let signature = try #require((data["imageUrl"] as? String)?.components(separatedBy: "X-Amz-Signature=").last)
        #expect(!auditText.contains(signature))
        #expect(events.contains { $0["operation"] as? String == "PutObject" && ($0["key"] as? String)?.hasPrefix("audit/") == true })
    }

    @Test func serveRefusesABadPortOrInterval() throws {
        for arguments in [["serve", "--port", "70000"], ["serve", "--refresh-interval", "0"]] {
            let result = try CLI.run(arguments, in: try CLI.sandbox())
            #expect(result.status == 2, "\(arguments): \(result.all)")
        }
    }
}

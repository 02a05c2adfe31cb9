import Foundation
import Hummingbird
import HummingbirdTesting
import S3
import Synchronization
import Testing
import VoltLake
import StackTestSupport
@testable import VoltLakeServer

/// The link service's handlers through Hummingbird's router tester, with the picture index loaded
/// from the local stack and every link checked through the SigV4-verifying proxy.
@Suite struct PresignRouteTests {
    static let pictures: [String: [UInt8]] = [
        "images/components/mcb_b16/łącznik ż+1.jpg": ServerStack.picture(11),
        "images/components/isolator/isolator.jpg": ServerStack.picture(12),
        "images/components/isolator/zzz.jpg": ServerStack.picture(13),
        "images/components/pen_splitter/a b+c=%&~.png": ServerStack.picture(14),
    ]
    static let route = "/api/upload/component-image-url/"

    @Test func linksFetchTheExactBytesAndTamperedOnesAreRefused() async throws {
        let bucket = try await ServerStack.bucket(with: Self.pictures)
        let client = ServerStack.client()
        let (app, parts) = try buildApplication(configuration: .init(port: 0, initialLoadWait: .seconds(60)), client: client, bucket: bucket)
        try await app.test(.router) { http in
            for (id, key) in ["mcb_b16": "images/components/mcb_b16/łącznik ż+1.jpg",
                              "isolator": "images/components/isolator/isolator.jpg",
                              "pen_splitter": "images/components/pen_splitter/a b+c=%&~.png"] {
                let link: String = try await http.execute(uri: Self.route + id + "?expirationHours=2", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[.contentType] == "application/json; charset=utf-8")
                    #expect(!String(buffer: response.body).contains("\\/"))
                    let document = try ServerStack.json(response.body)
                    #expect(document["success"] as? Bool == true)
                    let data = try #require(document["data"] as? [String: Any])
                    #expect(data["componentId"] as? String == id)
                    #expect(data["expiresInHours"] as? Int == 2)
                    let expiresText = try #require(data["expiresAt"] as? String)
                    let expiresAt = try #require(ISO8601DateFormatter().date(from: expiresText))
                    #expect(abs(expiresAt.timeIntervalSinceNow - 7200) < 30)
                    return try #require(data["imageUrl"] as? String)
                }
                let (status, body) = try await HTTP.get(link)
                #expect(status == 200, "\(id): \(link)")
                #expect(body == Self.pictures[key])
                #expect(try await HTTP.get(tamperedLink(link)).status == 403)
            }
            // No expirationHours: 24 hours, like the Express route's default.
            try await http.execute(uri: Self.route + "isolator", method: .get) { response in
                let data = try #require(try ServerStack.json(response.body)["data"] as? [String: Any])
                #expect(data["expiresInHours"] as? Int == 24)
            }
        }
        #expect(parts.store.current?.count == 3)
        try await client.shutdown()
    }

    @Test func everyInvalidRequestIs400Or404AndNeitherSignsNorCallsS3() async throws {
        let bucket = try await ServerStack.bucket(with: Self.pictures)
        let counter = RequestCounter()
        let client = ServerStack.client(onRequest: { _ in counter.record() })
        let (app, parts) = try buildApplication(configuration: .init(port: 0, initialLoadWait: .seconds(60)), client: client, bucket: bucket)
        try await app.test(.router) { http in
            let loadRequests = counter.value
            #expect(loadRequests == 1, "the index load should be one listing")
            let since = try await FrontDoor.sequence()
            let hostileIDs = [
                "..%2Fx", "../x", "%2e%2e", "%2E%2E%2Fraw", "a/b", "a%2Fb", "%00", "mcb%00", "mcb_b16%00.jpg",
                String(repeating: "x", count: 10_000), String(repeating: "a", count: 65),
                "m%D1%81b_b16",  // Cyrillic с
                "%EF%BD%8Dcb_b16",  // full-width ｍ
                "mcb_b16%E2%80%8B",  // zero-width space
                "mcb_b16.jpg", "mcb%20b16", "mcb+b16", "%", "%zz", ".", "..",
            ]
            for id in hostileIDs {
                try await http.execute(uri: Self.route + id, method: .get) { response in
                    #expect(response.status == .badRequest, "\(id.prefix(40)) → \(response.status)")
                    let document = try ServerStack.json(response.body)
                    #expect(document["success"] as? Bool == false)
                    #expect((document["error"] as? String)?.contains("Invalid component id") == true)
                    #expect(response.body.readableBytes < 300)
                }
            }
            for hours in ["0", "-1", "169", "1.5", "abc", "1e9", "", "%32%34", "24h"] {
                try await http.execute(uri: Self.route + "mcb_b16?expirationHours=" + hours, method: .get) { response in
                    #expect(response.status == .badRequest, "expirationHours=\(hours) → \(response.status)")
                    let document = try ServerStack.json(response.body)
                    #expect(document["success"] as? Bool == false)
                    #expect((document["error"] as? String)?.contains("1 to 168") == true)
                }
            }
            for id in ["isolator2", "mcb_b1", "MCB_B16", "deep"] {
                try await http.execute(uri: Self.route + id, method: .get) { response in
                    #expect(response.status == .notFound)
                    let document = try ServerStack.json(response.body)
                    #expect(document["success"] as? Bool == false)
                    #expect(document["error"] as? String == "No image found for component \(id)")
                }
            }
            try await http.execute(uri: "/metrics", method: .get) { response in
                let text = String(buffer: response.body)
                #expect(text.contains("voltlake_presigned_links_total 0"), "\(text)")
            }
            #expect(counter.value == loadRequests, "an invalid request made an S3 call")
            let seen = try await FrontDoor.requests(bucket: bucket, since: since)
            #expect(seen.isEmpty, "the proxy saw \(seen.count) requests")
        }
        #expect(parts.store.isLoaded)
        try await client.shutdown()
    }

    @Test func aValidIdPercentEncodedIsAccepted() async throws {
        let bucket = try await ServerStack.bucket(with: Self.pictures)
        let client = ServerStack.client()
        let (app, _) = try buildApplication(configuration: .init(port: 0, initialLoadWait: .seconds(60)), client: client, bucket: bucket)
        try await app.test(.router) { http in
            try await http.execute(uri: Self.route + "mcb%5Fb16", method: .get) { response in
                #expect(response.status == .ok)
                let data = try #require(try ServerStack.json(response.body)["data"] as? [String: Any])
                #expect(data["componentId"] as? String == "mcb_b16")
            }
        }
        try await client.shutdown()
    }

    @Test func theBearerTokenGuardsTheAPIOnly() async throws {
        let bucket = try await ServerStack.bucket(with: Self.pictures)
        let client = ServerStack.client()
        let token = "s3cr3t-token-\(UUID().uuidString)"
        let (app, _) = try buildApplication(configuration: .init(port: 0, apiToken: token, initialLoadWait: .seconds(60)), client: client, bucket: bucket)
        try await app.test(.router) { http in
            for header in [nil, "Bearer wrong", "Bearer \(token)x", "Bearer \(token.dropLast())", "Basic \(token)", "Bearer", token] as [String?] {
                var headers: HTTPFields = [:]
                if let header { headers[.authorization] = header }
                try await http.execute(uri: Self.route + "mcb_b16", method: .get, headers: headers) { response in
                    #expect(response.status == .unauthorized, "\(header ?? "none")")
                    #expect(response.headers[.wwwAuthenticate] == "Bearer")
                    let document = try ServerStack.json(response.body)
                    #expect(document["success"] as? Bool == false)
                    #expect(!String(buffer: response.body).contains(token))
                }
            }
            // Unauthenticated callers learn nothing about ids either.
            try await http.execute(uri: Self.route + "..%2Fx", method: .get) { #expect($0.status == .unauthorized) }
            try await http.execute(uri: Self.route + "a/b", method: .get) { #expect($0.status == .unauthorized) }
            for scheme in ["Bearer", "bearer"] {
                try await http.execute(uri: Self.route + "mcb_b16", method: .get, headers: [.authorization: "\(scheme) \(token)"]) {
                    #expect($0.status == .ok)
                }
            }
            try await http.execute(uri: "/health", method: .get) { #expect($0.status == .ok) }
            try await http.execute(uri: "/metrics", method: .get) { #expect($0.status == .ok) }
        }
        try await client.shutdown()
    }

    @Test func metricsCountWhatHappened() async throws {
        let bucket = try await ServerStack.bucket(with: Self.pictures)
        let client = ServerStack.client()
        let (app, _) = try buildApplication(configuration: .init(port: 0, initialLoadWait: .seconds(60)), client: client, bucket: bucket)
        try await app.test(.router) { http in
            for _ in 0..<3 { try await http.execute(uri: Self.route + "mcb_b16", method: .get) { #expect($0.status == .ok) } }
            try await http.execute(uri: Self.route + "nope", method: .get) { #expect($0.status == .notFound) }
            try await http.execute(uri: Self.route + "..%2Fx", method: .get) { #expect($0.status == .badRequest) }
            try await http.execute(uri: Self.route + "a/b", method: .get) { #expect($0.status == .badRequest) }
            try await http.execute(uri: "/health", method: .get) { #expect($0.status == .ok) }
            try await http.execute(uri: "/no/such/path", method: .get) { #expect($0.status == .notFound) }
            try await http.execute(uri: "/metrics", method: .get) { response in
                #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
                let text = String(buffer: response.body)
                let lines = text.split(separator: "\n").map(String.init)
                func value(_ prefix: String, _ labels: [String] = []) -> String? {
                    lines.first { $0.hasPrefix(prefix) && labels.allSatisfy($0.contains) }?.split(separator: " ").last.map(String.init)
                }
                #expect(value("voltlake_presigned_links_total") == "3", "\(text)")
                #expect(value("voltlake_http_requests_total", ["component-image-url/**", #"status="200""#]) == "3", "\(text)")
                #expect(value("voltlake_http_requests_total", ["component-image-url/**", #"status="404""#]) == "1")
                #expect(value("voltlake_http_requests_total", ["component-image-url/**", #"status="400""#]) == "2")
                #expect(value("voltlake_http_requests_total", ["/health", #"status="200""#]) == "1")
                #expect(value("voltlake_http_requests_total", [#"route="NotFound""#, #"status="404""#]) == "1")
                #expect(value("voltlake_picture_index_refreshes_total") == "1")
                #expect(value("voltlake_picture_index_refresh_failures_total") == "0")
                #expect(value("voltlake_picture_index_components").map { Double($0) } == 3)
            }
        }
        try await client.shutdown()
    }

    @Test func beforeTheIndexLoadsTheAPIAnswers503AndHealthStaysUp() async throws {
        // Nothing listens on port 9: the first load fails, requests get 503, never a hang.
        let client = ServerStack.client(endpoint: "http://127.0.0.1:9")
        let (app, parts) = try buildApplication(
            configuration: .init(port: 0, refreshInterval: .seconds(3600), retryInterval: .seconds(3600), initialLoadWait: .milliseconds(200)),
            client: client, bucket: "volt-data-lake")
        try await app.test(.router) { http in
            try await http.execute(uri: Self.route + "mcb_b16", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                let document = try ServerStack.json(response.body)
                #expect(document["success"] as? Bool == false)
            }
            try await http.execute(uri: Self.route + "..%2Fx", method: .get) { #expect($0.status == .badRequest) }
            try await http.execute(uri: "/health", method: .get) { #expect($0.status == .ok) }
            try await http.execute(uri: "/ready", method: .get) { #expect($0.status == .serviceUnavailable) }
            // The first load fails once the connection attempt gives up; it is counted, and nothing leaks.
            var text = ""
            for _ in 0..<300 where !text.contains("voltlake_picture_index_refresh_failures_total 1") {
                try await Task.sleep(for: .milliseconds(100))
                text = try await http.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
            }
            #expect(text.contains("voltlake_picture_index_refresh_failures_total 1"), "\(text)")
            #expect(!text.contains("127.0.0.1:9"))
            try await http.execute(uri: Self.route + "mcb_b16", method: .get) { #expect($0.status == .serviceUnavailable) }
        }
        #expect(!parts.store.isLoaded)
        try await client.shutdown()
    }

    @Test func theIndexIsRefreshedInTheBackground() async throws {
        let bucket = try await ServerStack.bucket(with: ["images/components/isolator/isolator.jpg": ServerStack.picture(1)])
        let client = ServerStack.client()
        let (app, _) = try buildApplication(
            configuration: .init(port: 0, refreshInterval: .milliseconds(200)), client: client, bucket: bucket)
        try await app.test(.router) { http in
            // Under load the first index load may take a while: wait until the service says it is ready.
            var ready: HTTPResponse.Status = .serviceUnavailable
            for _ in 0..<300 where ready != .ok {
                ready = try await http.execute(uri: "/ready", method: .get) { $0.status }
                if ready != .ok { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(ready == .ok)
            try await http.execute(uri: Self.route + "mcb_b16", method: .get) { #expect($0.status == .notFound) }
            try await ServerStack.put(["images/components/mcb_b16/mcb_b16.jpg": ServerStack.picture(2)], into: bucket)
            var status: HTTPResponse.Status = .notFound
            for _ in 0..<50 where status != .ok {
                try await Task.sleep(for: .milliseconds(100))
                status = try await http.execute(uri: Self.route + "mcb_b16", method: .get) { $0.status }
            }
            #expect(status == .ok)
        }
        try await client.shutdown()
    }
}

/// A clock the test moves by hand.
final class TestClock: Sendable {
    private let date: Mutex<Date>
    init(_ date: Date) { self.date = Mutex(date) }
    var now: Date { date.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { date.withLock { $0 += seconds } }
}

@Suite struct LinkMemoTests {
    @Test func theSameSecondGetsTheSameLinkAndANewSecondANewSignature() async throws {
        let bucket = try await ServerStack.bucket(with: PresignRouteTests.pictures)
        let client = ServerStack.client()
        let clock = TestClock(Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down) + 0.25))
        let (app, _) = try buildApplication(configuration: .init(port: 0, initialLoadWait: .seconds(60)), client: client, bucket: bucket, now: { clock.now })
        try await app.test(.router) { http in
            func link(_ id: String, _ hours: Int) async throws -> String {
                try await http.execute(uri: PresignRouteTests.route + id + "?expirationHours=\(hours)", method: .get) { response in
                    #expect(response.status == .ok)
                    let data = try #require(try ServerStack.json(response.body)["data"] as? [String: Any])
                    #expect(data["expiresInHours"] as? Int == hours)
                    #expect(data["componentId"] as? String == id)
                    return try #require(data["imageUrl"] as? String)
                }
            }
            let first = try await link("mcb_b16", 24)
            clock.advance(0.5)  // same second
            #expect(try await link("mcb_b16", 24) == first)
            let otherExpiry = try await link("mcb_b16", 2)
            #expect(otherExpiry != first)
            #expect(otherExpiry.contains("X-Amz-Expires=7200"))
            #expect(try await link("isolator", 24) != first)
            clock.advance(1)  // next second
            let next = try await link("mcb_b16", 24)
            #expect(next != first)
            for url in [first, otherExpiry, next] {
                let (status, body) = try await HTTP.get(url)
                #expect(status == 200)
                #expect(body == PresignRouteTests.pictures["images/components/mcb_b16/łącznik ż+1.jpg"])
            }
            try await http.execute(uri: "/metrics", method: .get) { response in
                #expect(String(buffer: response.body).contains("voltlake_presigned_links_total 5"))
            }
        }
        try await client.shutdown()
    }
}

@Suite struct BearerTokenTests {
    @Test func comparesExactly() {
        let token = BearerToken("abc")
        #expect(token.accepts("Bearer abc"))
        #expect(token.accepts("bearer abc"))
        #expect(token.accepts("BEARER abc"))
        for header in [nil, "", "Bearer", "Bearer ", "Bearer ab", "Bearer abcd", "Bearer abC", "Bearer  abc", "Token abc", "abc"] as [String?] {
            #expect(!token.accepts(header), "\(header ?? "nil")")
        }
    }
}

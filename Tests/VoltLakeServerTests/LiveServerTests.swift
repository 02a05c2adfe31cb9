import Foundation
import Hummingbird
import HummingbirdTesting
import S3
import Testing
import VoltLake
import VoltLakeServer
import StackTestSupport

/// The service on a real socket (port 0), end to end: HTTP client → service → link → verifying proxy.
@Suite struct LiveServerTests {
    @Test func aLinkFromTheRunningServiceFetchesThePicture() async throws {
        let key = "images/components/mcb_b16/łącznik ż+1.jpg"
        let bytes = ServerStack.picture(21, size: 40_000)
        let bucket = try await ServerStack.bucket(with: [key: bytes])
        let client = ServerStack.client()
        let (app, _) = try buildApplication(configuration: .init(host: "127.0.0.1", port: 0, initialLoadWait: .seconds(60)), client: client, bucket: bucket)
        try await app.test(.live) { http in
            let link: String = try await http.execute(uri: "/api/upload/component-image-url/mcb_b16?expirationHours=1", method: .get) { response in
                #expect(response.status == .ok)
                let data = try #require(try ServerStack.json(response.body)["data"] as? [String: Any])
                return try #require(data["imageUrl"] as? String)
            }
            let (status, body) = try await HTTP.get(link)
            #expect(status == 200)
            #expect(body == bytes)
            try await http.execute(uri: "/api/upload/component-image-url/..%2F..%2Fetc", method: .get) { #expect($0.status == .badRequest) }
        }
        try await client.shutdown()
    }
}

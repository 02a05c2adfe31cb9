import Foundation
import NIOCore
import NIOHTTP1
import SigV4

/// One object in a listing.
public struct ObjectSummary: Sendable, Hashable {
    public var key: String
    public var size: Int64
    /// The ETag as S3 returns it, quotes included.
    public var etag: String?
    public var lastModified: Date?
    public var storageClass: String?
}

/// One page of ListObjectsV2.
public struct ListObjectsV2Page: Sendable, Hashable {
    public var objects: [ObjectSummary]
    /// With a delimiter: the "folders" at this level, decoded.
    public var commonPrefixes: [String]
    public var isTruncated: Bool
    /// Pass it back as `continuationToken` for the next page.
    public var nextContinuationToken: String?
}

extension S3Client {
    /// One page of objects (at most `maxKeys`, S3 caps it at 1000). Keys are requested URL-encoded
    /// (`encoding-type=url`) and decoded here, so any key survives the XML.
    public func listObjectsV2(
        bucket: String, prefix: String? = nil, delimiter: String? = nil, continuationToken: String? = nil,
        maxKeys: Int? = nil
    ) async throws -> ListObjectsV2Page {
        var query = [QueryItem("list-type", "2"), QueryItem("encoding-type", "url")]
        if let prefix, !prefix.isEmpty { query.append(QueryItem("prefix", prefix)) }
        if let delimiter { query.append(QueryItem("delimiter", delimiter)) }
        if let continuationToken { query.append(QueryItem("continuation-token", continuationToken)) }
        if let maxKeys { query.append(QueryItem("max-keys", String(maxKeys))) }
        let request = S3Request(operation: "ListObjectsV2", method: .GET, bucket: bucket, query: query)
        let response = try await execute(request)
        guard let document = XMLNode.parse(response.bodyBytes), document.name == "ListBucketResult" else {
            throw S3Error(
                kind: .invalidResponse, operation: "ListObjectsV2", bucket: bucket, status: response.status,
                endpoint: configuration.endpointDescription, detail: "no ListBucketResult document"
            )
        }
        return try parseListPage(document, bucket: bucket)
    }

    func parseListPage(_ document: XMLNode, bucket: String) throws -> ListObjectsV2Page {
        let encoded = document.value("EncodingType") == "url"
        func decode(_ text: String) throws -> String {
            guard encoded else { return text }
            guard let decoded = ObjectMetadata.percentDecoded(text, plusAsSpace: true) else {
                throw S3Error(
                    kind: .invalidResponse, operation: "ListObjectsV2", bucket: bucket,
                    endpoint: configuration.endpointDescription, detail: "a key is not valid URL encoding"
                )
            }
            return decoded
        }
        var objects: [ObjectSummary] = []
        for node in document.children("Contents") {
            objects.append(
                ObjectSummary(
                    key: try decode(node.value("Key") ?? ""),
                    size: node.value("Size").flatMap { Int64($0) } ?? 0,
                    etag: node.value("ETag"),
                    lastModified: node.value("LastModified").flatMap(XMLDate.parse),
                    storageClass: node.value("StorageClass")
                )
            )
        }
        let prefixes = try document.children("CommonPrefixes").compactMap { try $0.value("Prefix").map(decode) }
        let token = document.value("NextContinuationToken")
        return ListObjectsV2Page(
            objects: objects, commonPrefixes: prefixes, isTruncated: document.value("IsTruncated") == "true",
            nextContinuationToken: token?.isEmpty == false ? token : nil
        )
    }

    /// Every page under a prefix, fetched as they are consumed.
    public func listObjectsV2Pages(
        bucket: String, prefix: String? = nil, delimiter: String? = nil, pageSize: Int? = nil
    ) -> ListObjectsV2Pages {
        ListObjectsV2Pages(client: self, bucket: bucket, prefix: prefix, delimiter: delimiter, pageSize: pageSize)
    }

    /// Every object under a prefix, paging through the whole listing as they are consumed.
    public func listAllObjects(bucket: String, prefix: String? = nil, pageSize: Int? = nil) -> ListAllObjects {
        ListAllObjects(pages: listObjectsV2Pages(bucket: bucket, prefix: prefix, pageSize: pageSize))
    }
}

/// The pages of a listing, one ListObjectsV2 call per page.
public struct ListObjectsV2Pages: AsyncSequence, Sendable {
    public typealias Element = ListObjectsV2Page
    let client: S3Client
    let bucket: String
    let prefix: String?
    let delimiter: String?
    let pageSize: Int?

    public struct AsyncIterator: AsyncIteratorProtocol {
        let pages: ListObjectsV2Pages
        var token: String?
        var finished = false

        public mutating func next() async throws -> ListObjectsV2Page? {
            guard !finished else { return nil }
            let page = try await pages.client.listObjectsV2(
                bucket: pages.bucket, prefix: pages.prefix, delimiter: pages.delimiter, continuationToken: token,
                maxKeys: pages.pageSize
            )
            token = page.nextContinuationToken
            if !page.isTruncated || token == nil { finished = true }
            return page
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(pages: self) }
}

/// All objects of a listing, page after page.
public struct ListAllObjects: AsyncSequence, Sendable {
    public typealias Element = ObjectSummary
    let pages: ListObjectsV2Pages

    public struct AsyncIterator: AsyncIteratorProtocol {
        var pages: ListObjectsV2Pages.AsyncIterator
        var current: [ObjectSummary] = []
        var index = 0

        public mutating func next() async throws -> ObjectSummary? {
            while index >= current.count {
                guard let page = try await pages.next() else { return nil }
                current = page.objects
                index = 0
            }
            defer { index += 1 }
            return current[index]
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(pages: pages.makeAsyncIterator()) }
}

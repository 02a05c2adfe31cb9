import Foundation

/// Where a bucket's requests go: scheme, Host header and the path prefix before the key.
struct S3Address: Sendable {
    var scheme: String
    /// The Host header value, with ":port" when the port is not the scheme's default.
    var host: String
    /// Decoded path of the bucket ("/bucket" in path style, "" virtual-hosted), before "/key".
    var bucketPath: String

    /// The decoded request path for a key (or the bucket itself when the key is nil).
    func path(key: String?) -> String {
        guard let key else { return bucketPath.isEmpty ? "/" : bucketPath }
        return bucketPath + "/" + key
    }

    /// "scheme://host", for messages and URLs.
    var origin: String { "\(scheme)://\(host)" }
}

extension S3Configuration {
    /// The endpoint as users know it, for error messages: "http://127.0.0.1:19000" or "https://s3.eu-central-1.amazonaws.com".
    var endpointDescription: String {
        if let endpoint {
            return endpoint.absoluteString.hasSuffix("/") ? String(endpoint.absoluteString.dropLast()) : endpoint.absoluteString
        }
        return "https://\(Self.awsHost(region: region))"
    }

    static func awsHost(region: String) -> String {
        region == "us-east-1" ? "s3.amazonaws.com" : "s3.\(region).amazonaws.com"
    }

    /// Resolves how a bucket is addressed. A nil bucket addresses the service itself.
    func address(bucket: String?) -> S3Address {
        let scheme: String
        var hostName: String
        var port: Int?
        var basePath = ""
        if let endpoint {
            scheme = (endpoint.scheme ?? "https").lowercased()
            hostName = endpoint.host ?? "localhost"
            if hostName.contains(":") && !hostName.hasPrefix("[") { hostName = "[\(hostName)]" }
            port = endpoint.port
            basePath = endpoint.path
            while basePath.hasSuffix("/") { basePath.removeLast() }
        } else {
            scheme = "https"
            hostName = Self.awsHost(region: region)
        }
        let defaultPort = scheme == "http" ? 80 : 443
        let portSuffix = port.map { $0 == defaultPort ? "" : ":\($0)" } ?? ""

        guard let bucket else {
            return S3Address(scheme: scheme, host: hostName + portSuffix, bucketPath: basePath)
        }
        let pathStyle = usePathStyle ?? (endpoint != nil)
        if pathStyle || !Self.isVirtualHostable(bucket: bucket, scheme: scheme) {
            return S3Address(scheme: scheme, host: hostName + portSuffix, bucketPath: basePath + "/" + bucket)
        }
        return S3Address(scheme: scheme, host: bucket + "." + hostName + portSuffix, bucketPath: basePath)
    }

    /// A bucket can be a host name label when it is DNS-safe (and has no dots under TLS, where the
    /// wildcard certificate would not match).
    static func isVirtualHostable(bucket: String, scheme: String) -> Bool {
        guard (3...63).contains(bucket.utf8.count), !bucket.hasPrefix("-"), !bucket.hasSuffix("-") else { return false }
        if scheme == "https" && bucket.contains(".") { return false }
        return bucket.utf8.allSatisfy { byte in
            (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39) || byte == 0x2D || byte == 0x2E
        }
    }
}

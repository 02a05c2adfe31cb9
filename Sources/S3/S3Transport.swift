import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import SigV4

extension S3Client {
    /// Sends a request with retries and collects the answer (at most `limit` bytes of a success body).
    func execute(_ request: S3Request, responseLimit limit: Int = 16 * 1024 * 1024) async throws -> S3Response {
        try await withRetries(request) { attempt in
            try await self.send(request, attempt: attempt, responseLimit: limit)
        }
    }

    /// Sends a request with retries until a successful head arrives; the body is left to the caller.
    func executeStreaming(_ request: S3Request) async throws -> HTTPClientResponse {
        try await withRetries(request) { attempt in
            try await self.sendStreaming(request, attempt: attempt)
        }
    }

    func withRetries<T: Sendable>(_ request: S3Request, _ operation: (Int) async throws -> T) async throws -> T {
        let maxAttempts = max(1, configuration.maxAttempts)
        var attempt = 1
        while true {
            do {
                return try await operation(attempt)
            } catch let error as S3Error where error.isRetryable && attempt < maxAttempts {
                let delay = backoff(afterAttempt: attempt)
                logger.debug(
                    "S3 request failed, retrying",
                    metadata: metadata(for: request, attempt: attempt).merging([
                        "s3.status": "\(error.status.map(String.init) ?? "none")",
                        "s3.error": "\(error.code ?? "\(error.kind)")",
                        "s3.retry_delay_ms": "\(Int(delay * 1000))",
                    ]) { $1 }
                )
                try await Task.sleep(for: .seconds(delay))
                attempt += 1
            }
        }
    }

    /// Full jitter: a random wait in 0 ..< min(max, base × 2^(attempt-1)), in seconds.
    func backoff(afterAttempt attempt: Int) -> Double {
        let base = configuration.retryBaseDelay.seconds
        let ceiling = min(configuration.maxRetryDelay.seconds, base * pow(2, Double(min(attempt - 1, 30))))
        return ceiling > 0 ? Double.random(in: 0..<ceiling) : 0
    }

    func metadata(for request: S3Request, attempt: Int) -> Logger.Metadata {
        var metadata: Logger.Metadata = ["s3.operation": "\(request.operation)", "s3.attempt": "\(attempt)"]
        if let bucket = request.bucket { metadata["s3.bucket"] = "\(bucket)" }
        if let key = request.key { metadata["s3.key"] = "\(key)" }
        return metadata
    }

    /// Signs the request for this attempt (fresh date) and builds what goes on the wire.
    func prepare(_ request: S3Request) -> HTTPClientRequest {
        let address = configuration.address(bucket: request.bucket)
        let signing = SigningRequest(
            method: request.method.rawValue, host: address.host, path: address.path(key: request.key),
            query: request.query, headers: request.headers
        )
        let signed = signer.signHeaders(for: signing, payload: request.payloadHash, date: configuration.now())
        let query = signing.encodedQuery
        var http = HTTPClientRequest(url: address.origin + signing.encodedPath + (query.isEmpty ? "" : "?" + query))
        http.method = request.method
        http.headers.add(name: "Host", value: address.host)
        for field in request.headers + signed {
            http.headers.add(name: field.name, value: field.value)
        }
        if let body = request.body.httpBody {
            http.body = body
        } else if request.method == .PUT || request.method == .POST {
            http.headers.add(name: "Content-Length", value: "0")
        }
        return http
    }

    private var timeout: TimeAmount {
        .nanoseconds(Int64(min(configuration.requestTimeout.seconds, 86_400) * 1e9))
    }

    /// What one attempt learned, for its record.
    struct AttemptOutcome {
        var status: Int?
        var requestID: String?
        var errorCode: String?
        var received: Int64 = 0

        /// Notes the answer's status and request id.
        mutating func answered(_ status: HTTPResponseStatus, _ headers: HTTPHeaders) {
            self.status = Int(status.code)
            requestID = headers.first(name: "x-amz-request-id")
        }
    }

    /// One attempt: signs `request`, lets `exchange` send it and read the answer, records the attempt
    /// whatever happens, and turns failures below HTTP into `S3Error`s (or `CancellationError`).
    func attempt<T>(
        _ request: S3Request, number: Int,
        _ exchange: (HTTPClientRequest, inout AttemptOutcome) async throws -> T
    ) async throws -> T {
        let http = prepare(request)
        let start = ContinuousClock.now
        var outcome = AttemptOutcome()
        defer { record(request, attempt: number, outcome: outcome, since: start) }
        do {
            return try await exchange(http, &outcome)
        } catch let error as S3Error {
            throw error
        } catch {
            throw transportError(error, for: request)
        }
    }

    /// The `S3Error` for an error answer, noted in the attempt's outcome.
    func failure(_ response: S3Response, for request: S3Request, outcome: inout AttemptOutcome) -> S3Error {
        let error = serviceError(response, for: request)
        outcome.errorCode = error.code
        return error
    }

    /// One attempt, answer collected.
    func send(_ request: S3Request, attempt number: Int, responseLimit: Int) async throws -> S3Response {
        try await attempt(request, number: number) { http, outcome in
            let response = try await httpClient.execute(http, timeout: timeout, logger: logger)
            outcome.answered(response.status, response.headers)
            let succeeded = (200..<300).contains(Int(response.status.code))
            let body: ByteBuffer
            do {
                body = try await response.body.collect(upTo: succeeded ? responseLimit : 1024 * 1024)
            } catch is NIOTooManyBytesError {
                throw S3Error(
                    kind: .responseTooLarge(limit: responseLimit), operation: request.operation, bucket: request.bucket,
                    key: request.key, status: outcome.status, requestID: outcome.requestID, endpoint: configuration.endpointDescription
                )
            }
            outcome.received = Int64(body.readableBytes)
            let answer = S3Response(status: Int(response.status.code), headers: response.headers, body: body)
            if !succeeded || (request.mayFailWithOK && Self.isErrorDocument(body)) {
                throw failure(answer, for: request, outcome: &outcome)
            }
            return answer
        }
    }

    /// One attempt whose successful body is streamed by the caller.
    func sendStreaming(_ request: S3Request, attempt number: Int) async throws -> HTTPClientResponse {
        try await attempt(request, number: number) { http, outcome in
            let response = try await httpClient.execute(http, timeout: timeout, logger: logger)
            outcome.answered(response.status, response.headers)
            guard (200..<300).contains(Int(response.status.code)) else {
                let body = try await response.body.collect(upTo: 1024 * 1024)
                outcome.received = Int64(body.readableBytes)
                throw failure(S3Response(status: Int(response.status.code), headers: response.headers, body: body),
                              for: request, outcome: &outcome)
            }
            outcome.received = response.headers.first(name: "content-length").flatMap { Int64($0) } ?? 0
            return response
        }
    }

    func record(_ request: S3Request, attempt: Int, outcome: AttemptOutcome, since start: ContinuousClock.Instant) {
        let duration = ContinuousClock.now - start
        var metadata = metadata(for: request, attempt: attempt)
        metadata["s3.status"] = "\(outcome.status.map(String.init) ?? "none")"
        metadata["s3.bytes_sent"] = "\(request.body.length)"
        metadata["s3.bytes_received"] = "\(outcome.received)"
        metadata["s3.duration_ms"] = "\(Int(duration.seconds * 1000))"
        if let requestID = outcome.requestID { metadata["s3.request_id"] = "\(requestID)" }
        if let errorCode = outcome.errorCode { metadata["s3.error"] = "\(errorCode)" }
        logger.debug("S3 request", metadata: metadata)
        onRequest?(
            S3RequestRecord(
                operation: request.operation, method: request.method.rawValue, bucket: request.bucket, key: request.key,
                attempt: attempt, status: outcome.status, errorCode: outcome.errorCode, requestID: outcome.requestID,
                bytesSent: request.body.length, bytesReceived: outcome.received, duration: duration,
                accessKeyID: signer.credentials.accessKeyID
            )
        )
    }

    static func isErrorDocument(_ body: ByteBuffer) -> Bool {
        // Cheap check before parsing: the root element of an error document is <Error>.
        let prefix = String(decoding: body.readableBytesView.prefix(256), as: UTF8.self)
        guard prefix.contains("<Error>") else { return false }
        return XMLNode.parse(body.readableBytesView)?.name == "Error"
    }

    /// Turns an error answer into an `S3Error`, with a code derived from the status when there is no body (HEAD).
    func serviceError(_ response: S3Response, for request: S3Request) -> S3Error {
        let document = response.body.readableBytes > 0 ? XMLNode.parse(response.bodyBytes) : nil
        let errorNode = document?.name == "Error" ? document : nil
        var code = errorNode?.value("Code")
        if code == nil {
            switch response.status {
            case 301: code = "PermanentRedirect"
            case 307: code = "TemporaryRedirect"
            case 400: code = "BadRequest"
            case 403: code = "Forbidden"
            case 404: code = request.key == nil ? "NoSuchBucket" : "NoSuchKey"
            case 412: code = "PreconditionFailed"
            case 500: code = "InternalError"
            case 503: code = "ServiceUnavailable"
            default: code = nil
            }
        }
        let region = response.headers.first(name: "x-amz-bucket-region") ?? errorNode?.value("Region")
        return S3Error(
            kind: .service, operation: request.operation, bucket: request.bucket, key: request.key,
            status: response.status, code: code, message: errorNode?.value("Message"),
            requestID: errorNode?.value("RequestId") ?? response.headers.first(name: "x-amz-request-id"),
            bucketRegion: region, endpoint: configuration.endpointDescription
        )
    }

    /// Classifies a failure below HTTP: local file, cancellation, timeout, lost or refused connection.
    func transportError(_ error: any Error, for request: S3Request) -> any Error {
        if error is CancellationError { return error }
        if Task.isCancelled { return CancellationError() }
        func make(_ kind: S3Error.Kind, _ detail: String) -> S3Error {
            S3Error(kind: kind, operation: request.operation, bucket: request.bucket, key: request.key,
                    endpoint: configuration.endpointDescription, detail: detail)
        }
        if let fileError = error as? LocalFileError {
            if fileError.shrank { return make(.sourceChanged, "it got shorter while it was sent") }
            return make(.invalidRequest, fileError.description)
        }
        if let httpError = error as? HTTPClientError {
            switch httpError {
            case .cancelled, .requestStreamCancelled:
                return CancellationError()
            case .deadlineExceeded:
                return make(.timeout, "no answer within the \(configuration.requestTimeout.seconds.formatted()) s allowed per attempt")
            case .readTimeout, .writeTimeout, .connectTimeout, .getConnectionFromPoolTimeout, .tlsHandshakeTimeout:
                return make(.timeout, httpError.shortDescription)
            case .remoteConnectionClosed, .bodyLengthMismatch:
                return make(.connectionLost, httpError.shortDescription)
            case .invalidURL, .emptyHost, .emptyScheme, .alreadyShutdown:
                return make(.invalidRequest, "the request could not be made (\(httpError.shortDescription))")
            default:
                return make(.connectionLost, httpError.shortDescription)
            }
        }
        if let ioError = error as? IOError {
            let detail = String(cString: strerror(ioError.errnoCode))
            if ioError.errnoCode == ECONNREFUSED || ioError.errnoCode == EHOSTUNREACH || ioError.errnoCode == ENETUNREACH {
                return make(.connectionFailed, detail)
            }
            return make(.connectionLost, detail)
        }
        if let channelError = error as? ChannelError {
            switch channelError {
            case .connectTimeout: return make(.timeout, "connect timeout")
            default: return make(.connectionLost, "\(channelError)")
            }
        }
        let text = String(describing: error)
        if text.localizedCaseInsensitiveContains("refused") || text.localizedCaseInsensitiveContains("ConnectionError")
            || text.localizedCaseInsensitiveContains("resolve") || text.localizedCaseInsensitiveContains("SSL")
        {
            let detail = text.localizedCaseInsensitiveContains("refused") ? "connection refused" : text
            return make(.connectionFailed, detail)
        }
        return make(.connectionLost, text)
    }
}

extension Duration {
    /// The duration in seconds as a Double.
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}

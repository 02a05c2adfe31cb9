import NIOCore
import PostgresNIO

/// Reads the rows once and renders every format from the same row: CSV from the column texts, JSON
/// from the same texts (`JSONRowRenderer`) plus any `to_json` columns after them. Output goes out in chunks of about
/// `chunkSize` bytes, waiting for each upload to take them (back-pressure down to PostgreSQL).
struct RowProducer: Sendable {
    var expectedRows: Int64
    var columnCount: Int
    var json: JSONRowRenderer
    var chunkSize: Int
    var csv: CSVWriter
    var settings: PostgresSettings

    func run(rows: PostgresRowSequence, json: ExportChannel?, jsonHead: ByteBuffer,
             csvChannel: ExportChannel?, csvHeader: [String]) async throws {
        let channels = [json, csvChannel].compactMap { $0 }
        do {
            try await produce(rows: rows, json: json, jsonHead: jsonHead, csvChannel: csvChannel, csvHeader: csvHeader)
            for channel in channels { channel.finish() }
        } catch {
            var mapped: any Error = error
            if !(error is CancellationError || error is ExportError) {
                mapped = DatabaseError.from(error, settings: settings, during: "reading the rows")
            }
            for channel in channels { channel.fail(mapped) }
            throw mapped
        }
    }

    private func produce(rows: PostgresRowSequence, json: ExportChannel?, jsonHead: ByteBuffer,
                         csvChannel: ExportChannel?, csvHeader: [String]) async throws {
        let allocator = ByteBufferAllocator()
        let capacity = chunkSize + chunkSize / 4
        var jsonWriter = JSONExportWriter()
        var jsonOut = allocator.buffer(capacity: capacity)
        var csvOut = allocator.buffer(capacity: capacity)
        if json != nil { jsonOut.writeImmutableBuffer(jsonHead) }
        if csvChannel != nil { csv.writeHeader(csvHeader, into: &csvOut) }
        var count: Int64 = 0

        func send(_ buffer: inout ByteBuffer, to channel: ExportChannel) async throws {
            await channel.send(.bytes(buffer))
            try Task.checkCancellation()
            buffer = allocator.buffer(capacity: capacity)
        }

        var texts: [ByteBuffer?] = []
        var extra: [ByteBuffer?] = []
        texts.reserveCapacity(columnCount)
        for try await row in rows {
            texts.removeAll(keepingCapacity: true)
            extra.removeAll(keepingCapacity: true)
            for cell in row {
                if texts.count < columnCount { texts.append(cell.bytes) } else { extra.append(cell.bytes) }
            }
            if let channel = json {
                jsonWriter.writeRow(into: &jsonOut)
                self.json.write(texts: texts, extra: extra, into: &jsonOut)
                if jsonOut.readableBytes >= chunkSize { try await send(&jsonOut, to: channel) }
            }
            if let csvChannel {
                for index in texts.indices {
                    if index > 0 { csv.writeSeparator(into: &csvOut) }
                    csv.writeField(texts[index], into: &csvOut)
                }
                csv.endRecord(into: &csvOut)
                if csvOut.readableBytes >= chunkSize { try await send(&csvOut, to: csvChannel) }
            }
            count += 1
        }
        guard count == expectedRows else {
            throw ExportError(
                "the source gave \(count) rows while counting \(expectedRows) in the same snapshot; a --query with "
                    + "volatile functions (random(), clock_timestamp(), …) or LIMIT without ORDER BY cannot be exported consistently.")
        }
        if let json {
            jsonOut.writeImmutableBuffer(JSONExportWriter.tail)
            try await send(&jsonOut, to: json)
            await json.send(.end)
        }
        if let csvChannel {
            if csvOut.readableBytes > 0 { try await send(&csvOut, to: csvChannel) }
            await csvChannel.send(.end)
        }
    }
}

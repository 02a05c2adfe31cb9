import NIOCore
import PostgresNIO

/// Reads the rows once and renders every format from the same row: JSON from the first column
/// (`row_to_json` text), CSV from the per-column texts after it. Output goes out in chunks of about
/// `chunkSize` bytes, waiting for each upload to take them (back-pressure down to PostgreSQL).
struct RowProducer: Sendable {
    var expectedRows: Int64
    var columnCount: Int
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

        for try await row in rows {
            var cells = row.makeIterator()
            if let json {
                guard let cell = cells.next() else { break }
                jsonWriter.writeRow(cell.bytes ?? ByteBuffer(string: "null"), into: &jsonOut)
                if jsonOut.readableBytes >= chunkSize { try await send(&jsonOut, to: json) }
            }
            if let csvChannel {
                var index = 0
                while let cell = cells.next() {
                    if index > 0 { csv.writeSeparator(into: &csvOut) }
                    csv.writeField(cell.bytes, into: &csvOut)
                    index += 1
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

import NIOCore

/// Passes inbound bytes to the PostgreSQL handler only in answer to a `read()` it asked for.
///
/// When the server closes a connection (a terminated backend, a restart) while a result is being
/// streamed with back-pressure, NIO delivers the socket's remaining bytes and a `channelReadComplete`
/// without any `read()`. postgres-nio 1.33's row stream treats that as impossible and stops the process
/// (`RowStreamStateMachine`: "How can we receive a body part, after a channelReadComplete, but no read
/// has been forwarded yet"; async-http-client fixed the same case in its PR #450). This handler, first in
/// the pipeline, holds such unrequested bytes until the next `read()` and drops them when the channel
/// goes inactive, so the query fails with "connection closed" instead of a crash.
final class ReadDemandGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// A `read()` went down and its `channelReadComplete` has not come back yet.
    private var readRequested = false
    /// Bytes that arrived with no `read()` outstanding.
    private var held = CircularBuffer<ByteBuffer>()

    func read(context: ChannelHandlerContext) {
        if !held.isEmpty {
            while let buffer = held.popFirst() { context.fireChannelRead(wrapInboundOut(buffer)) }
            context.fireChannelReadComplete()
            return
        }
        readRequested = true
        context.read()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if readRequested {
            context.fireChannelRead(data)
        } else {
            held.append(unwrapInboundIn(data))
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        // An unrequested cycle's completion is replayed when its bytes are released by `read()`.
        guard readRequested else { return }
        readRequested = false
        context.fireChannelReadComplete()
    }

    func channelInactive(context: ChannelHandlerContext) {
        held.removeAll()
        context.fireChannelInactive()
    }
}

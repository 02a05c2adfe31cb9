import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Drains one kept-alive HTTP/1.1 connection when the server stops (SIGTERM).
///
/// On shutdown Hummingbird closes the listener and sends every connection a quiesce event; left alone,
/// a connection with no request in progress is closed at once. But from the server's side a busy
/// keep-alive connection is "idle" whenever the client's next request is still in the socket buffer,
/// so closing it resets a request the client has already sent (the client sees a read error).
///
/// This handler takes the quiesce event instead: every response from then on carries
/// `Connection: close` and the connection closes once that response is written, so each request that
/// reached the server is answered and the client knows not to send another on that connection. A
/// connection that receives no request within `grace` is closed then (a truly idle one).
final class DrainOnShutdownHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let grace: TimeAmount
    private var draining = false
    private var requestsInProgress = 0
    private var idleClose: Scheduled<Void>?

    init(grace: TimeAmount) {
        self.grace = grace
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) {
            requestsInProgress += 1
            idleClose?.cancel()
            idleClose = nil
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard draining else {
            if case .end = unwrapOutboundIn(data) { requestsInProgress -= 1 }
            context.write(data, promise: promise)
            return
        }
        switch unwrapOutboundIn(data) {
        case .head(var head):
            head.headerFields[.connection] = "close"
            context.write(wrapOutboundOut(.head(head)), promise: promise)
        case .body:
            context.write(data, promise: promise)
        case .end:
            requestsInProgress -= 1
            guard requestsInProgress <= 0 else {
                context.write(data, promise: promise)
                return
            }
            // Close once the last response is on the wire, not before.
            let written = context.eventLoop.makePromise(of: Void.self)
            if let promise { written.futureResult.cascade(to: promise) }
            written.futureResult.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
            context.writeAndFlush(data, promise: written)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is ChannelShouldQuiesceEvent else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        guard !draining else { return }
        draining = true
        if requestsInProgress <= 0 {
            idleClose = context.eventLoop.assumeIsolated().scheduleTask(in: grace) {
                context.close(promise: nil)
            }
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        idleClose?.cancel()
        idleClose = nil
    }
}

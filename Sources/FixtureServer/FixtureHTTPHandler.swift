import NIOCore
import NIOHTTP1

/// Answers the requests of one connection, one at a time: `HTTPServerPipelineHandler` in front
/// of it holds back pipelined requests until the previous response has ended.
///
/// Like every channel handler it is confined to its channel's event loop. Callbacks that fire
/// later (timers, write completions) run on that same loop through `assumeIsolated()`, so none of
/// its state needs a lock.
final class FixtureHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// The request being answered: set when its head arrives, cleared when its response end is
    /// written (see ``writeEnd(context:)``).
    struct Exchange {
        let head: HTTPRequestHead
        let route: Route
        /// nil for the `/stats` routes, which are not counted.
        let inFlight: InFlightRequest?
    }

    /// What every connection of the server shares (counters, caches, settings).
    let state: ServerState
    var exchange: Exchange?
    /// A pending `/delay` or `/drip` step, cancelled if the connection closes first.
    var timer: Scheduled<Void>?
    /// Bytes of a `/bytes/N` body still to write, sent as the channel becomes writable.
    var bytesRemaining: Int?
    /// The rest of a body made as it is written (`/links`, `/nested`, `/binary`).
    var generated: GeneratedBody?
    /// The request body so far (`/echo` answers with it).
    var requestBody = ByteBuffer()

    init(state: ServerState) {
        self.state = state
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch self.unwrapInboundIn(data) {
        case .head(let head):
            self.requestBody.clear()
            let hostHeader = head.headers.first(name: "host")
            let route = Route(uri: head.uri, host: HostHeader(hostHeader).name)
            if route.isCounted {
                self.state.requestLog.append(uri: head.uri, host: HostHeader(hostHeader).name)
            }
            self.exchange = Exchange(
                head: head,
                route: route,
                inFlight: route.isCounted
                    ? self.state.stats.requestStarted(host: hostHeader?.lowercased() ?? "")
                    : nil
            )
        case .body(var buffer):
            // Kept for `/echo`, bounded: the other routes ignore bodies.
            if self.requestBody.readableBytes < 16 << 20 { self.requestBody.writeBuffer(&buffer) }
        case .end:
            // Answer once the whole request is read, so the next request on a kept-alive
            // connection starts cleanly.
            guard let exchange = self.exchange else { return }
            self.respond(to: exchange.route, context: context)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.timer?.cancel()
        self.timer = nil
        self.bytesRemaining = nil
        self.generated = nil
        // A request never answered (or whose end was never written) stops being in flight now.
        self.exchange?.inFlight?.finish()
        self.exchange = nil
        context.fireChannelInactive()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            self.writeMoreBytes(context: context)
            self.writeMoreGenerated(context: context)
        }
        context.fireChannelWritabilityChanged()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // A read error (such as a reset by the client) leaves nothing to answer.
        context.close(promise: nil)
    }
}

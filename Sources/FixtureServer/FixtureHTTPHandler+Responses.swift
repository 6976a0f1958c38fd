import NIOCore
import NIOHTTP1

/// Writing responses: the head, whole bodies, and the end that completes an exchange.
extension FixtureHTTPHandler {
    /// A response head in the request's HTTP version that honours its keep-alive wish.
    func responseHead(_ status: HTTPResponseStatus, headers: HTTPHeaders) -> HTTPResponseHead {
        var headers = headers
        let version = self.exchange?.head.version ?? .http1_1
        if self.exchange?.head.isKeepAlive == false {
            headers.replaceOrAdd(name: "connection", value: "close")
        } else if version == .http1_0 {
            // HTTP/1.0 closes by default; say that this connection stays open.
            headers.replaceOrAdd(name: "connection", value: "keep-alive")
        }
        return HTTPResponseHead(version: version, status: status, headers: headers)
    }

    /// A whole response with `Content-Type` and `Content-Length`.
    func respond(
        _ status: HTTPResponseStatus,
        contentType: String,
        body: ByteBuffer,
        extraHeaders: [(String, String)] = [],
        context: ChannelHandlerContext
    ) {
        var headers = HTTPHeaders(extraHeaders)
        // 204 and 304 have no body; the encoder drops framing headers for them.
        let hasBody = status.mayHaveResponseBody
        if hasBody {
            headers.add(name: "content-type", value: contentType)
            headers.add(name: "content-length", value: String(body.readableBytes))
        }
        context.write(self.wrapOutboundOut(.head(self.responseHead(status, headers: headers))), promise: nil)
        if hasBody && body.readableBytes > 0 {
            context.write(self.wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        }
        self.writeEnd(context: context)
    }

    /// A whole `text/plain` response.
    func respondText(
        _ status: HTTPResponseStatus,
        _ text: String,
        extraHeaders: [(String, String)] = [],
        context: ChannelHandlerContext
    ) {
        self.respond(
            status, contentType: "text/plain", body: ByteBuffer(string: text),
            extraHeaders: extraHeaders, context: context
        )
    }

    /// Ends the current response. The request stops being in flight once the end is written
    /// (or the write fails, for a connection that closed meanwhile).
    ///
    /// State is cleared before writing: writing the end lets `HTTPServerPipelineHandler`
    /// deliver the next pipelined request to this handler re-entrantly.
    func writeEnd(context: ChannelHandlerContext) {
        guard let exchange = self.exchange else { return }
        self.exchange = nil
        let keepAlive = exchange.head.isKeepAlive
        context.writeAndFlush(self.wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
            exchange.inFlight?.finish()
            if !keepAlive {
                context.close(promise: nil)
            }
        }
    }
}

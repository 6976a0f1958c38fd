import NIOCore
import NIOHTTP1
#if canImport(Glibc)
import Glibc  // struct linger
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Responses that fail on purpose: `/close-early` and `/reset` (`/hang` needs no code).
extension FixtureHTTPHandler {
    /// Promises more than it sends: headers claim 1000 bytes, 100 follow, then the connection
    /// closes. A client sees a truncated body (curl: error 18).
    func closeEarly(context: ChannelHandlerContext) {
        let headers: HTTPHeaders = [
            "content-type": "application/octet-stream",
            "content-length": "1000",
        ]
        context.write(self.wrapOutboundOut(.head(self.responseHead(.ok, headers: headers))), promise: nil)
        let body = BytePattern.prefix(100)
        context.writeAndFlush(self.wrapOutboundOut(.body(.byteBuffer(body)))).assumeIsolated().whenComplete { _ in
            // The exchange is still open, so channelInactive ends its in-flight count.
            context.close(promise: nil)
        }
    }

    /// Closes with a TCP RST instead of a FIN: with SO_LINGER on and a zero timeout, close(2)
    /// discards the connection at once. A client sees "connection reset by peer" (curl: error 56).
    func resetConnection(context: ChannelHandlerContext) {
        guard let options = context.channel as? SocketOptionProvider else {
            return context.close(promise: nil)
        }
        options.setSoLinger(linger(l_onoff: 1, l_linger: 0)).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }
}

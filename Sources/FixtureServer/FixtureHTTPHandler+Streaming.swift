import NIOCore
import NIOHTTP1

/// Responses whose body is sent in parts: `/bytes/N`, `/chunked/NAME`, `/drip`.
extension FixtureHTTPHandler {
    /// Sizes of the parts of a `/chunked/NAME` body: small enough that a page makes several.
    static let chunkedPartSize = 1024

    func startBytes(_ count: Int, context: ChannelHandlerContext) {
        let headers: HTTPHeaders = [
            "content-type": "application/octet-stream",
            "content-length": String(count),
        ]
        context.write(self.wrapOutboundOut(.head(self.responseHead(.ok, headers: headers))), promise: nil)
        self.bytesRemaining = count
        self.writeMoreBytes(context: context)
    }

    /// Writes `/bytes` chunks while the channel is writable, then waits for
    /// `channelWritabilityChanged`: the pending writes stay near the channel's high-water mark
    /// however large the body, and a slow client slows the server down instead of filling memory.
    func writeMoreBytes(context: ChannelHandlerContext) {
        guard var remaining = self.bytesRemaining else { return }
        while remaining > 0 && context.channel.isActive && context.channel.isWritable {
            let length = min(remaining, BytePattern.chunkSize)
            context.write(self.wrapOutboundOut(.body(.byteBuffer(BytePattern.prefix(length)))), promise: nil)
            remaining -= length
        }
        if remaining == 0 {
            self.bytesRemaining = nil
            self.writeEnd(context: context)
        } else {
            self.bytesRemaining = remaining
            context.flush()
        }
    }

    func respondChunked(_ page: PageStore.Page, context: ChannelHandlerContext) {
        let headers: HTTPHeaders = [
            "content-type": page.contentType,
            "transfer-encoding": "chunked",
        ]
        context.write(self.wrapOutboundOut(.head(self.responseHead(.ok, headers: headers))), promise: nil)
        var body = page.body
        // Each body write becomes one chunk on the wire; flushing each makes them arrive apart.
        while body.readableBytes > 0 {
            let part = body.readSlice(length: min(body.readableBytes, Self.chunkedPartSize))!
            context.writeAndFlush(self.wrapOutboundOut(.body(.byteBuffer(part))), promise: nil)
        }
        self.writeEnd(context: context)
    }

    func startDrip(bytes: Int, interval: TimeAmount, context: ChannelHandlerContext) {
        let headers: HTTPHeaders = [
            "content-type": "application/octet-stream",
            "content-length": String(bytes),
        ]
        context.writeAndFlush(self.wrapOutboundOut(.head(self.responseHead(.ok, headers: headers))), promise: nil)
        self.drip(remaining: bytes, interval: interval, context: context)
    }

    /// Sends one byte after each interval until `remaining` reaches zero.
    private func drip(remaining: Int, interval: TimeAmount, context: ChannelHandlerContext) {
        guard remaining > 0 else {
            return self.writeEnd(context: context)
        }
        self.timer = context.eventLoop.assumeIsolated().scheduleTask(in: interval) {
            self.timer = nil
            context.writeAndFlush(self.wrapOutboundOut(.body(.byteBuffer(BytePattern.prefix(1)))), promise: nil)
            self.drip(remaining: remaining - 1, interval: interval, context: context)
        }
    }
}

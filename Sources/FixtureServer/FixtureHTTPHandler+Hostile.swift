import NIOCore
import NIOHTTP1

/// The hostile routes (``HostilePages``): bodies longer than promised or endless, oversized or
/// slow heads, broken chunking, redirect loops, binary and deeply nested pages.
extension FixtureHTTPHandler {
    func respondHostile(to route: Route, context: ChannelHandlerContext) {
        switch route {
        case .overlong(let milliseconds):
            self.respondOverlong(excessAfter: milliseconds, context: context)
        case .endless:
            let headers: HTTPHeaders = ["content-type": "text/html"]  // no length: chunked
            context.write(self.wrapOutboundOut(.head(self.responseHead(.ok, headers: headers))), promise: nil)
            // Never reaches zero in any test's lifetime (2^47 writes of 64 KiB).
            self.bytesRemaining = Int.max
            self.writeMoreBytes(context: context)
        case .hugeHeader(let bytes, let lines):
            self.writeRawAndClose(HostilePages.hugeHeader(bytes: bytes, lines: lines), context: context)
        case .badChunk:
            self.writeRawAndClose(HostilePages.badChunk, context: context)
        case .trickleHeaders(let milliseconds):
            self.trickle(HostilePages.trickledHead[...], interval: .milliseconds(Int64(milliseconds)), context: context)
        case .redirectLoop:
            self.respondText(.found, "redirect loop\n", extraHeaders: [("location", "/redirect-loop")], context: context)
        case .binary(let count, let seed):
            self.startGenerated(HostilePages.binary(count: count, seed: seed), context: context)
        case .badTitle:
            self.respond(
                .ok, contentType: "text/html; charset=utf-8", body: ByteBuffer(bytes: HostilePages.badTitle),
                context: context)
        case .nested(let depth):
            self.startGenerated(HostilePages.nested(depth: depth), context: context)
        case .links(let count):
            self.startGenerated(HostilePages.links(count: count), context: context)
        default:
            self.notFound(context: context)
        }
    }

    /// Promises 100 bytes and sends them, then the excess, through the HTTP encoder (which
    /// does not police lengths); the connection stays open, as if the response were sound.
    private func respondOverlong(excessAfter milliseconds: Int, context: ChannelHandlerContext) {
        let headers: HTTPHeaders = ["content-type": "text/html", "content-length": "100"]
        context.write(self.wrapOutboundOut(.head(self.responseHead(.ok, headers: headers))), promise: nil)
        let body = ByteBuffer(bytes: HostilePages.overlongBody)
        let excess = ByteBuffer(bytes: HostilePages.overlongExcess)
        guard milliseconds > 0 else {
            context.write(self.wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
            context.write(self.wrapOutboundOut(.body(.byteBuffer(excess))), promise: nil)
            return self.writeEnd(context: context)
        }
        // The client has its whole response before the excess arrives: it may put the
        // connection back in its pool meanwhile.
        context.writeAndFlush(self.wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        self.timer = context.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(Int64(milliseconds))) {
            self.timer = nil
            context.write(self.wrapOutboundOut(.body(.byteBuffer(excess))), promise: nil)
            self.writeEnd(context: context)
        }
    }

    /// Bytes as they are on the wire, past the HTTP encoder (it would frame them itself);
    /// the connection then closes, since the encoder no longer knows where the exchange is.
    private func writeRawAndClose(_ bytes: ByteBuffer, context: ChannelHandlerContext) {
        self.writeRaw(bytes, context: context).whenComplete { _ in
            context.close(promise: nil)
        }
    }

    private func writeRaw(
        _ bytes: ByteBuffer, context: ChannelHandlerContext
    ) -> EventLoopFuture<Void>.Isolated {
        // Writing on the encoder's context hands the bytes to the handlers after it: the socket.
        guard let encoder = try? context.pipeline.syncOperations.context(handlerType: HTTPResponseEncoder.self) else {
            context.close(promise: nil)
            return context.eventLoop.makeFailedFuture(ChannelError.ioOnClosedChannel).assumeIsolated()
        }
        return encoder.writeAndFlush(NIOAny(bytes)).assumeIsolated()
    }

    /// Sends `bytes` one at a time, one every `interval`, then closes.
    private func trickle(_ bytes: ArraySlice<UInt8>, interval: TimeAmount, context: ChannelHandlerContext) {
        guard let byte = bytes.first else { return context.close(promise: nil) }
        self.timer = context.eventLoop.assumeIsolated().scheduleTask(in: interval) {
            self.timer = nil
            guard context.channel.isActive else { return }
            _ = self.writeRaw(ByteBuffer(bytes: [byte]), context: context)
            self.trickle(bytes.dropFirst(), interval: interval, context: context)
        }
    }

    /// Starts a chunked `text/html` body that is made as it is written (see ``writeMoreGenerated(context:)``).
    private func startGenerated(_ body: GeneratedBody, context: ChannelHandlerContext) {
        let headers: HTTPHeaders = ["content-type": "text/html"]  // no length: chunked
        context.write(self.wrapOutboundOut(.head(self.responseHead(.ok, headers: headers))), promise: nil)
        self.generated = body
        self.writeMoreGenerated(context: context)
    }

    /// Writes while the channel is writable, then waits for `channelWritabilityChanged`, as
    /// `/bytes` does: the server holds about a high-water mark of the body at a time.
    func writeMoreGenerated(context: ChannelHandlerContext) {
        guard var body = self.generated else { return }
        while context.channel.isActive && context.channel.isWritable {
            var buffer = context.channel.allocator.buffer(capacity: BytePattern.chunkSize + 256)
            let more = body.append(to: &buffer, budget: BytePattern.chunkSize)
            if buffer.readableBytes > 0 {
                context.write(self.wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
            }
            if !more {
                self.generated = nil
                return self.writeEnd(context: context)
            }
        }
        self.generated = body
        context.flush()
    }
}

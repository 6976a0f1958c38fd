import NIOCore
import NIOHTTP1

/// The `/crawl/` site (``CrawlSite``): its pages, redirects, robots.txt and sitemaps.
extension FixtureHTTPHandler {
    func respondCrawl(host: String, path: String, context: ChannelHandlerContext) {
        // Absolute links name the port the client used; without one in the Host header, the
        // port it connected to.
        let port = HostHeader(self.exchange?.head.headers.first(name: "host")).port
            ?? context.channel.localAddress?.port ?? 80
        guard let page = CrawlSite.page(host: host, path: path, port: port) else {
            return self.notFound(context: context)
        }
        var headers: [(String, String)] = []
        if let location = page.location { headers.append(("location", location)) }
        if let encoding = page.contentEncoding { headers.append(("content-encoding", encoding)) }
        let answer = {
            self.respond(
                HTTPResponseStatus(statusCode: page.status), contentType: page.contentType,
                body: ByteBuffer(bytes: page.body), extraHeaders: headers, context: context
            )
        }
        guard page.delayMilliseconds > 0 else { return answer() }
        // A timer, not a sleep: one event loop serves many connections.
        self.timer = context.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(Int64(page.delayMilliseconds))) {
            self.timer = nil
            answer()
        }
    }
}

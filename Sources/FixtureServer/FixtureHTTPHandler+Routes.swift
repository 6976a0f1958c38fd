#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import NIOCore
import NIOHTTP1

/// The route table: what each ``Route`` answers.
extension FixtureHTTPHandler {
    func respond(to route: Route, context: ChannelHandlerContext) {
        switch route {
        case .page(let name):
            guard let page = self.state.pages.page(named: name) else { return self.notFound(context: context) }
            self.respond(.ok, contentType: page.contentType, body: page.body, context: context)
        case .gzip(let name):
            guard let page = self.state.pages.page(named: name),
                let body = self.state.pages.gzippedPage(named: name)
            else { return self.notFound(context: context) }
            self.respond(
                .ok, contentType: page.contentType, body: body,
                extraHeaders: [("content-encoding", "gzip")], context: context
            )
        case .chunked(let name):
            guard let page = self.state.pages.page(named: name) else { return self.notFound(context: context) }
            self.respondChunked(page, context: context)
        case .status(let code):
            // Clients following redirects need somewhere to go.
            let location = (300..<400).contains(code) ? [("location", "/page/index.html")] : []
            self.respondText(
                HTTPResponseStatus(statusCode: code), "status \(code)\n",
                extraHeaders: location, context: context
            )
        case .delay(let milliseconds):
            // A timer, not a sleep: one event loop serves many connections.
            self.timer = context.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(Int64(milliseconds))) {
                self.timer = nil
                self.respondText(.ok, "delayed \(milliseconds)\n", context: context)
            }
        case .redirect(let remaining):
            if remaining == 0 {
                self.respondText(.ok, "redirect done\n", context: context)
            } else {
                self.respondText(
                    .found, "redirect \(remaining)\n",
                    extraHeaders: [("location", "/redirect/\(remaining - 1)")], context: context
                )
            }
        case .redirectTo(let location):
            self.respondText(.found, "redirect\n", extraHeaders: [("location", location)], context: context)
        case .bytes(let count):
            self.startBytes(count, context: context)
        case .typed(let contentType, let count):
            var body = ByteBuffer()
            body.reserveCapacity(count)
            for index in 0..<count { body.writeInteger(UInt8(truncatingIfNeeded: index)) }
            self.respond(.ok, contentType: contentType, body: body, context: context)
        case .drip(let bytes, let milliseconds):
            self.startDrip(bytes: bytes, interval: .milliseconds(Int64(milliseconds)), context: context)
        case .closeEarly:
            self.closeEarly(context: context)
        case .reset:
            self.resetConnection(context: context)
        case .hang:
            break  // in flight until the client gives up and closes (see channelInactive)
        case .flaky(let failures, let status, let retryAfter):
            self.respondFlaky(failures: failures, status: status, retryAfter: retryAfter, context: context)
        case .robots:
            self.respondRobots(context: context)
        case .gzipBomb(let size):
            self.startGzipBomb(size: size, context: context)
        case .headers:
            guard let head = self.exchange?.head else { return self.notFound(context: context) }
            let lines = ["\(head.method) \(head.uri)"] + head.headers.map { "\($0.name): \($0.value)" }
            self.respondText(.ok, lines.joined(separator: "\n") + "\n", context: context)
        case .overlong, .endless, .hugeHeader, .badChunk, .trickleHeaders, .redirectLoop, .binary, .badTitle,
             .nested, .links:
            self.respondHostile(to: route, context: context)
        case .crawl(let host, let path):
            self.respondCrawl(host: host, path: path, context: context)
        case .generated(let index, let pages):
            guard let html = GeneratedSite.html(of: index, pages: pages) else { return self.notFound(context: context) }
            self.respond(.ok, contentType: "text/html; charset=utf-8", body: ByteBuffer(string: html), context: context)
        case .echo, .setCookie, .redirectCode, .conditional, .basicAuth, .digestAuth:
            self.respondToRequest(route, context: context)
        case .stats:
            self.respondJSON(self.state.stats.snapshot(), context: context)
        case .statsReset:
            self.respondJSON(self.state.resetStats(), context: context)
        case .notFound:
            if self.state.answerAnyPath, let head = self.exchange?.head {
                self.respondText(.ok, "any path: \(head.uri)\n", context: context)
            } else {
                self.notFound(context: context)
            }
        }
    }

    func notFound(context: ChannelHandlerContext) {
        self.respondText(.notFound, "not found\n", context: context)
    }

    func respondJSON(_ stats: FixtureStats, context: ChannelHandlerContext) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let json = try? encoder.encode(stats) else {
            return self.respondText(.internalServerError, "cannot encode stats\n", context: context)
        }
        var body = ByteBuffer(bytes: json)
        body.writeString("\n")
        self.respond(.ok, contentType: "application/json", body: body, context: context)
    }
}

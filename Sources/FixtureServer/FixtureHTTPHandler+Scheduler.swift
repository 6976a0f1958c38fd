#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import NIOCore
import NIOHTTP1

/// Responses for testing a crawler's per-host scheduler: `/flaky` (retries and Retry-After),
/// `/robots.txt` and `/gzip-bomb/SIZE` (a decompression limit).
extension FixtureHTTPHandler {
    /// Fails the first `failures` requests for this exact URI, counted across all connections,
    /// then answers 200. The URI includes the query, so `id=` gives a test distinct counters.
    func respondFlaky(failures: Int, status: Int, retryAfter: Route.RetryAfter?, context: ChannelHandlerContext) {
        guard let uri = self.exchange?.head.uri else { return self.notFound(context: context) }
        let attempt = self.state.flaky.count(uri)
        guard attempt <= failures else {
            return self.respondText(.ok, "ok after \(failures) failures\n", context: context)
        }
        var headers: [(String, String)] = []
        switch retryAfter {
        case .seconds(let seconds):
            headers.append(("retry-after", String(seconds)))
        case .date(let secondsAhead):
            // Whole seconds: an HTTP-date has no finer resolution.
            let now = Int(Date().timeIntervalSince1970)
            headers.append(("retry-after", HTTPDate.imfFixdate(secondsSince1970: now + secondsAhead)))
        case nil:
            break
        }
        self.respondText(
            HTTPResponseStatus(statusCode: status), "flaky failure \(attempt) of \(failures)\n",
            extraHeaders: headers, context: context
        )
    }

    func respondRobots(context: ChannelHandlerContext) {
        switch self.state.robots {
        case .missing:
            self.notFound(context: context)
        case .text(let text):
            self.respondText(.ok, text, context: context)
        case .status(let code):
            self.respond(to: .status(code: code), context: context)
        case .hang:
            break  // in flight until the client gives up and closes, as /hang
        }
    }

    /// Answers once the bomb is built (at once if it is cached); the connection may have closed
    /// meanwhile, and then there is nothing to answer.
    func startGzipBomb(size: Int, context: ChannelHandlerContext) {
        self.state.gzipBombs.body(size: size, eventLoop: context.eventLoop)
            .hop(to: context.eventLoop)
            .assumeIsolated()
            .whenComplete { result in
                guard self.exchange != nil, context.channel.isActive else { return }
                switch result {
                case .success(let body):
                    self.respond(
                        .ok, contentType: "text/html", body: body,
                        extraHeaders: [("content-encoding", "gzip")], context: context
                    )
                case .failure:
                    self.respondText(.internalServerError, "cannot build the gzip bomb\n", context: context)
                }
            }
    }
}

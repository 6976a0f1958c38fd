#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import NIOCore
import NIOHTTP1

/// Routes about what the client sent: echo, cookies, redirects by code, conditional
/// requests and Basic authentication.
extension FixtureHTTPHandler {
    /// The fixed Last-Modified of `/etag/NAME`.
    static let lastModified = "Wed, 01 Jan 2025 00:00:00 GMT"

    func respondToRequest(_ route: Route, context: ChannelHandlerContext) {
        guard let head = self.exchange?.head else { return self.notFound(context: context) }
        switch route {
        case .echo:
            var headers: [String: String] = [:]
            for (name, value) in head.headers {
                let key = name.lowercased()
                headers[key] = headers[key].map { $0 + ", " + value } ?? value
            }
            let echo = Echo(method: head.method.rawValue, uri: head.uri, headers: headers,
                            body: String(decoding: self.requestBody.readableBytesView, as: UTF8.self))
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            guard let json = try? encoder.encode(echo) else {
                return self.respondText(.internalServerError, "cannot encode\n", context: context)
            }
            self.respond(.ok, contentType: "application/json", body: ByteBuffer(bytes: json), context: context)
        case .setCookie(let cookies, let to):
            var extra = cookies.map { ("set-cookie", "\($0); Path=/") }
            if let to { extra.append(("location", to)) }
            self.respondText(to == nil ? .ok : .found, "cookies set\n", extraHeaders: extra, context: context)
        case .redirectCode(let code):
            self.respondText(HTTPResponseStatus(statusCode: code), "redirect \(code)\n",
                             extraHeaders: [("location", "/echo")], context: context)
        case .conditional(let name):
            let etag = "\"\(name)-v\(self.state.versions.version(of: name))\""
            let validators = [("etag", etag), ("last-modified", Self.lastModified)]
            let unchanged: Bool
            if let match = head.headers.first(name: "if-none-match") {
                unchanged = match.split(separator: ",").contains { $0.trimmingCharacters(in: .whitespaces) == etag }
            } else if let since = head.headers.first(name: "if-modified-since") {
                // Only the page's own date, or a later one as given back by the fixture, counts here.
                unchanged = since == Self.lastModified
            } else {
                unchanged = false
            }
            if unchanged {
                self.respond(.notModified, contentType: "text/html", body: ByteBuffer(), extraHeaders: validators, context: context)
            } else {
                let html = "<!doctype html><title>\(name) v\(self.state.versions.version(of: name))</title><p>\(name)</p>\n"
                self.respond(.ok, contentType: "text/html; charset=utf-8", body: ByteBuffer(string: html),
                             extraHeaders: validators, context: context)
            }
        case .basicAuth(let user, let password):
            let expected = "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
            if head.headers.first(name: "authorization") == expected {
                self.respondText(.ok, "authenticated \(user)\n", context: context)
            } else {
                self.respondText(.unauthorized, "credentials needed\n",
                                 extraHeaders: [("www-authenticate", "Basic realm=\"fixture\"")], context: context)
            }
        default:
            self.notFound(context: context)
        }
    }
}

/// What `/echo` answers.
private struct Echo: Encodable {
    var method: String
    var uri: String
    var headers: [String: String]
    var body: String
}

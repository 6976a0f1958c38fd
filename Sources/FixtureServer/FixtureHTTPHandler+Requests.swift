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
        case .digestAuth(let user, let password):
            let nonce = "fixture-nonce-1"
            if let authorization = head.headers.first(name: "authorization"),
               authorization.hasPrefix("Digest "),
               Self.digestMatches(Self.digestParameters(authorization.dropFirst(7)), user: user, password: password,
                                  nonce: nonce, method: head.method.rawValue, uri: head.uri) {
                self.respondText(.ok, "authenticated \(user)\n", context: context)
            } else {
                let challenge = "Digest realm=\"fixture\", nonce=\"\(nonce)\", qop=\"auth\", algorithm=MD5"
                self.respondText(.unauthorized, "credentials needed\n",
                                 extraHeaders: [("www-authenticate", challenge)], context: context)
            }
        default:
            self.notFound(context: context)
        }
    }

    /// `name=value` and `name="value"` pairs of a Digest Authorization header.
    static func digestParameters(_ text: Substring) -> [String: String] {
        var parameters: [String: String] = [:]
        var rest = text[...]
        while !rest.isEmpty {
            rest = rest.drop { $0 == " " || $0 == "," }
            guard let equals = rest.firstIndex(of: "=") else { break }
            let name = rest[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            rest = rest[rest.index(after: equals)...]
            let value: Substring
            if rest.first == "\"" {
                let body = rest.dropFirst()
                let close = body.firstIndex(of: "\"") ?? body.endIndex
                value = body[..<close]
                rest = close < body.endIndex ? body[body.index(after: close)...] : ""
            } else {
                let end = rest.firstIndex(of: ",") ?? rest.endIndex
                value = rest[..<end]
                rest = rest[end...]
            }
            parameters[name] = String(value).trimmingCharacters(in: .whitespaces)
        }
        return parameters
    }

    /// RFC 7616 with MD5: the response for qop auth (or none).
    static func digestMatches(_ parameters: [String: String], user: String, password: String, nonce: String,
                              method: String, uri: String) -> Bool {
        guard parameters["username"] == user, parameters["realm"] == "fixture", parameters["nonce"] == nonce,
              parameters["uri"] == uri, let response = parameters["response"] else { return false }
        let ha1 = MD5.hex("\(user):fixture:\(password)")
        let ha2 = MD5.hex("\(method):\(uri)")
        let expected: String
        if let qop = parameters["qop"], let nc = parameters["nc"], let cnonce = parameters["cnonce"] {
            expected = MD5.hex("\(ha1):\(nonce):\(nc):\(cnonce):\(qop):\(ha2)")
        } else {
            expected = MD5.hex("\(ha1):\(nonce):\(ha2)")
        }
        return response.lowercased() == expected
    }
}

/// What `/echo` answers.
private struct Echo: Encodable {
    var method: String
    var uri: String
    var headers: [String: String]
    var body: String
}

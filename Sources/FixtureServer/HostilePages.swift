import NIOCore

/// The bytes of the hostile routes, apart from the handler that sends them.
enum HostilePages {
    /// `count` distinct links: `<a href="/link/I">I</a>`, about 30 bytes each.
    static func links(count: Int) -> GeneratedBody {
        GeneratedBody([
            .text("<!doctype html><html><head><title>\(count) links</title></head><body>\n"),
            .repeated(count: count) { "<a href=\"/link/\($0)\">\($0)</a>\n" },
            .text("</body></html>\n"),
        ])
    }

    /// `depth` `<div>`s, one inside the other, around a link to `/deep`.
    static func nested(depth: Int) -> GeneratedBody {
        GeneratedBody([
            .text("<!doctype html><html><head><title>\(depth) levels</title></head><body>"),
            .repeated(count: depth) { _ in "<div>" },
            .text("<a href=\"/deep\">deep</a>"),
            .repeated(count: depth) { _ in "</div>" },
            .text("</body></html>\n"),
        ])
    }

    static func binary(count: Int, seed: UInt64) -> GeneratedBody {
        GeneratedBody([.random(count: count, seed: seed)])
    }

    /// A title of `A`, NUL, `B`, a lone 0xFF, `C`, a truncated two-byte sequence (0xC3) and
    /// `D`, served as UTF-8.
    static let badTitle: [UInt8] = Array("<!doctype html><html><head><title>A".utf8) + [0x00]
        + Array("B ".utf8) + [0xFF] + Array(" C".utf8) + [0xC3] + Array("D</title></head><body>".utf8)
        + Array("<a href=\"/after\">after</a></body></html>\n".utf8)

    /// The first 100 bytes of `/overlong`: what its `Content-Length` promises.
    static let overlongBody: [UInt8] = {
        let page = Array("<!doctype html><html><head><title>overlong</title></head><body>".utf8)
        return page + [UInt8](repeating: UInt8(ascii: " "), count: 100 - page.count)
    }()

    /// What `/overlong` sends past its length: a whole response of its own (that a client
    /// reading the connection again would take for the answer to its next request), then
    /// 256 KiB of padding.
    static let overlongExcess: [UInt8] = {
        let smuggled = "<html><head><title>smuggled</title></head></html>"
        let response = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: \(smuggled.utf8.count)\r\n\r\n"
            + smuggled
        return Array(response.utf8) + [UInt8](repeating: UInt8(ascii: "x"), count: 256 << 10)
    }()

    /// A response head with `lines` extra header lines of `bytes` in all (each at least
    /// `X-Huge-N: ` and one byte of value), then a 3-byte body.
    static func hugeHeader(bytes: Int, lines: Int) -> ByteBuffer {
        var buffer = ByteBuffer(string: "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n")
        let perLine = bytes / lines
        for line in 0..<lines {
            let name = "X-Huge-\(line): "
            let length = max(1, perLine - name.utf8.count - 2 + (line == 0 ? bytes % lines : 0))
            buffer.writeString(name)
            buffer.writeRepeatingByte(UInt8(ascii: "a"), count: length)
            buffer.writeString("\r\n")
        }
        buffer.writeString("\r\nok\n")
        return buffer
    }

    /// A chunked response whose first chunk is well formed and whose second chunk's size is
    /// `zz`, not hexadecimal.
    static let badChunk: ByteBuffer = {
        let first = "<html><head><title>bad chunk</title></head>"
        return ByteBuffer(string: "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n"
            + String(first.utf8.count, radix: 16) + "\r\n" + first + "\r\n"
            + "zz\r\n<body>never read</body></html>\r\n0\r\n\r\n")
    }()

    /// The head `/trickle-headers` sends a byte at a time: long enough (4 KiB) that no test
    /// waits for its end, then a 3-byte body.
    static let trickledHead: [UInt8] = Array(
        ("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Trickle: " + String(repeating: "t", count: 4096)
            + "\r\nContent-Length: 3\r\n\r\nok\n").utf8)
}

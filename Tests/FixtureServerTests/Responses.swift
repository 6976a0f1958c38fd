import CZlib
import Foundation
import NIOCore
import NIOPosix

import FixtureServer

/// A response as bytes, for bodies that are not text (gzip) and for checking headers.
struct Response {
    var status: Int
    /// Header names lowercased; the last of repeated headers wins.
    var headers: [String: String]
    var body: [UInt8]

    var text: String { String(decoding: self.body, as: UTF8.self) }
}

struct MalformedResponse: Error {
    let reason: String
}

/// Sends GETs on one connection (the last asks to close it) and parses the responses, which
/// must carry a Content-Length (every route does except `/chunked/NAME`). The suites' time
/// limits bound the wait.
func fetchResponses(_ server: FixtureServer, _ paths: [String]) async throws -> [Response] {
    let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .connect(host: "127.0.0.1", port: server.port) { channel in
            channel.eventLoop.makeCompletedFuture {
                try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
            }
        }
    let bytes = try await channel.executeThenClose { inbound, outbound in
        for (index, path) in paths.enumerated() {
            let last = index == paths.count - 1
            try await outbound.write(
                ByteBuffer(string: "GET \(path) HTTP/1.1\r\nHost: t\r\n\(last ? "Connection: close\r\n" : "")\r\n")
            )
        }
        var bytes: [UInt8] = []
        for try await buffer in inbound {
            bytes += buffer.readableBytesView
        }
        return bytes
    }
    return try parseResponses(bytes[...])
}

/// One request on its own connection.
func fetchResponse(_ server: FixtureServer, _ path: String) async throws -> Response {
    let responses = try await fetchResponses(server, [path])
    guard responses.count == 1 else { throw MalformedResponse(reason: "\(responses.count) responses") }
    return responses[0]
}

private func parseResponses(_ bytes: ArraySlice<UInt8>) throws -> [Response] {
    var rest = bytes
    var responses: [Response] = []
    let separator = Array("\r\n\r\n".utf8)
    while !rest.isEmpty {
        guard let headEnd = rest.indices.first(where: { rest[$0...].starts(with: separator) }) else {
            throw MalformedResponse(reason: "no end of head")
        }
        let lines = String(decoding: rest[..<headEnd], as: UTF8.self).components(separatedBy: "\r\n")
        let statusLine = lines[0].split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else {
            throw MalformedResponse(reason: "status line '\(lines[0])'")
        }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { throw MalformedResponse(reason: "header '\(line)'") }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        guard let length = headers["content-length"].flatMap({ Int($0) }) else {
            throw MalformedResponse(reason: "no content-length")
        }
        let bodyStart = headEnd + separator.count
        guard rest.endIndex - bodyStart >= length else { throw MalformedResponse(reason: "short body") }
        responses.append(Response(status: status, headers: headers, body: Array(rest[bodyStart..<(bodyStart + length)])))
        rest = rest[(bodyStart + length)...]
    }
    return responses
}

/// Inflates a gzip stream with zlib, checking its CRC and length trailer; nil if it is not valid
/// gzip or inflates to more than `limit` bytes.
func gunzip(_ compressed: [UInt8], limit: Int) -> [UInt8]? {
    var stream = z_stream()
    // inflateInit2 is a C macro; windowBits 31 = 15 + 16, gzip only.
    guard inflateInit2_(&stream, 31, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return nil }
    defer { inflateEnd(&stream) }
    var input = compressed
    var output: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 64 * 1024)
    var status: Int32 = Z_OK
    input.withUnsafeMutableBufferPointer { input in
        chunk.withUnsafeMutableBufferPointer { chunk in
            stream.next_in = input.baseAddress
            stream.avail_in = uInt(input.count)
            repeat {
                stream.next_out = chunk.baseAddress
                stream.avail_out = uInt(chunk.count)
                status = inflate(&stream, Z_NO_FLUSH)
                output += chunk[..<(chunk.count - Int(stream.avail_out))]
            } while status == Z_OK && output.count <= limit
        }
    }
    guard status == Z_STREAM_END, stream.avail_in == 0, output.count <= limit else { return nil }
    return output
}

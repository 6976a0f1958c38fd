import FuzzSupport
@testable import ParFetch

/// A JSON Lines input line (`JSONLine.parse`), as the list reader hands it over: valid UTF-8
/// (invalid bytes replaced), without line feeds or NULs (the reader refuses those first).
///
/// Invariants: parsing is deterministic; an accepted line's url has no NUL, its headers are
/// single lines in curl's syntax, its method a token; a failure's message is one line; an
/// accepted line written again (its strings through the record encoder, `json` and `meta`
/// as their bytes) parses to the same request; the record of an accepted line, `meta` copied
/// in, is one JSON value by the scanner itself, and `meta` alone is too.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let bytes = Array(text.utf8.filter { $0 != 0x0A && $0 != 0 })
    let result = JSONLine.parse(bytes[...])
    invariant(result == JSONLine.parse(bytes[...]), "two parses of one line differ")
    switch result {
    case .failure(let failure):
        invariant(!failure.message.contains("\n"), "a message of more than one line")
        if let meta = failure.meta { checkValue(meta, "a failure's meta") }
    case .success(let line):
        invariant(!line.url.utf8.contains(0), "a url with a NUL")
        if let method = line.method {
            invariant(!method.isEmpty && method.utf8.allSatisfy(JSONLine.isTokenByte), "method \(method)")
        }
        for header in line.headers {
            invariant(!header.utf8.contains(where: { $0 == 0x0A || $0 == 0x0D || $0 == 0 }), "header \(header)")
        }
        if let meta = line.meta { checkValue(meta, "meta") }
        if line.bodyIsJSON, let body = line.body { checkValue(body, "a json body") }

        let again = JSONLine.parse(rewritten(line)[...])
        invariant(again == .success(line), "\(line) written again reads as \(again)")

        var record = Record(item: ListItem(line: 1, text: line.url, target: .failure(FetchError(.other, "x"))),
                            error: FetchError(.other, "x"))
        record.meta = line.meta
        var output: [UInt8] = []
        JSONLineEncoder.encode(record, into: &output)
        invariant(output.last == 0x0A, "a record without its newline")
        checkValue(Array(output.dropLast()), "the record")
    }
    return 0
}

/// `bytes` is exactly one JSON value, by the scanner.
private func checkValue(_ bytes: [UInt8], _ what: String) {
    var scanner = JSONLine.Scanner(bytes[...])
    scanner.skipSpace()
    let value = try? scanner.rawValue()
    scanner.skipSpace()
    invariant(value != nil && scanner.atEnd, "\(what) is not one JSON value: \(String(decoding: bytes, as: UTF8.self))")
}

/// The line as JSON again, from what was read of it.
private func rewritten(_ line: JSONLine) -> [UInt8] {
    var out: [UInt8] = Array(#"{"url":"#.utf8)
    JSONLineEncoder.appendString(line.url, to: &out)
    if let method = line.method {
        out += Array(#","method":"#.utf8)
        JSONLineEncoder.appendString(method, to: &out)
    }
    if !line.headers.isEmpty {
        out += Array(#","headers":{"#.utf8)
        for (index, header) in line.headers.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            // "Name: value", "Name;" (empty) or "Name:" (removed). Split as bytes: a value may
            // start with a combining mark, which would join the space as one Character.
            let bytes = Array(header.utf8)
            let nameEnd = bytes.firstIndex { $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: ";") } ?? bytes.endIndex
            JSONLineEncoder.appendString(String(decoding: bytes[..<nameEnd], as: UTF8.self), to: &out)
            out.append(UInt8(ascii: ":"))
            let rest = bytes[nameEnd...]
            if rest.elementsEqual(":".utf8) {
                out += Array("null".utf8)
            } else if rest.elementsEqual(";".utf8) {
                out += Array(#""""#.utf8)
            } else {
                JSONLineEncoder.appendString(String(decoding: rest.dropFirst(2), as: UTF8.self), to: &out)
            }
        }
        out.append(UInt8(ascii: "}"))
    }
    if let body = line.body {
        if line.bodyIsJSON {
            out += Array(#","json":"#.utf8) + body
        } else {
            out += Array(#","body":"#.utf8)
            JSONLineEncoder.appendString(String(decoding: body, as: UTF8.self), to: &out)
        }
    }
    if let meta = line.meta { out += Array(#","meta":"#.utf8) + meta }
    out.append(UInt8(ascii: "}"))
    return out
}

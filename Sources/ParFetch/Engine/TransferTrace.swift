import CCurl
import CLibCurl

#if canImport(Glibc)
import Glibc
#endif

/// Writes libcurl's trace of one transfer to standard error as `curl -v` shows it (`*` for
/// libcurl's notes, `>` for the request's head, `<` for the response's, `{`/`}` for body
/// bytes received and sent, counted), each line prefixed with the transfer's number so that
/// concurrent transfers can be told apart. Credentials in the request's head are shown as
/// `***`. Confined to the loop thread, like its transfer.
final class TransferTrace {
    private let prefix: [UInt8]

    init(number: Int) {
        prefix = Array("[\(number)] ".utf8)
    }

    func write(_ type: curl_infotype, _ bytes: UnsafeRawBufferPointer) {
        var text: [UInt8] = []
        switch type {
        // libcurl's notes quote URLs with their user and password (a redirect's, after -u).
        case CURLINFO_TEXT: Self.redactingURLPasswords(bytes).withUnsafeBytes { lines($0, marker: "* ", into: &text) }
        case CURLINFO_HEADER_OUT:
            RequestHead.redactingCredentials(bytes).withUnsafeBytes { lines($0, marker: "> ", into: &text) }
        case CURLINFO_HEADER_IN: lines(bytes, marker: "< ", into: &text)
        case CURLINFO_DATA_IN: text = prefix + Array("{ [\(bytes.count) bytes data]\n".utf8)
        case CURLINFO_DATA_OUT: text = prefix + Array("} [\(bytes.count) bytes data]\n".utf8)
        default: return
        }
        // A trace that can't be written is not worth failing a transfer for.
        text.withUnsafeBytes { try? System.writeAll(STDERR_FILENO, $0) }
    }

    /// `bytes` with the password of every `scheme://user:password@` in it shown as `***`.
    static func redactingURLPasswords(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        var output = Array(bytes)
        var index = 0
        let ends: Set<UInt8> = [0x2F, 0x20, 0x09, 0x0A, 0x0D, 0x27, 0x22, 0x3E]  // / space tab LF CR ' " >
        while index + 3 <= output.count {
            guard output[index] == 0x3A, output[index + 1] == 0x2F, output[index + 2] == 0x2F else {
                index += 1
                continue
            }
            let authority = index + 3
            var end = authority
            while end < output.count, !ends.contains(output[end]) { end += 1 }
            // The last @ of the authority ends the user information; its first : starts the password.
            if let at = output[authority..<end].lastIndex(of: 0x40),
               let colon = output[authority..<at].firstIndex(of: 0x3A) {
                output.replaceSubrange((colon + 1)..<at, with: "***".utf8)
                end = colon + 4 + (end - at)
            }
            index = max(end, index + 3)
        }
        return output
    }

    /// Each line of `bytes`, CR LF ends made LF, after the prefix and `marker`.
    private func lines(_ bytes: UnsafeRawBufferPointer, marker: String, into text: inout [UInt8]) {
        for line in bytes.split(separator: 0x0A, omittingEmptySubsequences: false).dropLast(bytes.last == 0x0A ? 1 : 0) {
            text += prefix
            text += marker.utf8
            text += line.last == 0x0D ? line.dropLast() : line[...]
            text.append(0x0A)
        }
    }
}

/// A request's head as parfetch writes it down (a WARC request record, a trace): the value of
/// an `Authorization` or `Proxy-Authorization` field after its scheme shown as `***`, so that
/// a password (`-u`, a URL's) or a token is kept nowhere.
enum RequestHead {
    static func redactingCredentials(_ head: UnsafeRawBufferPointer) -> [UInt8] {
        let names = ["authorization:", "proxy-authorization:"].map { Array($0.utf8) }
        var output: [UInt8] = []
        output.reserveCapacity(head.count)
        var start = 0
        while start < head.count {
            let end = head[start...].firstIndex(of: 0x0A).map { $0 + 1 } ?? head.count
            let line = head[start..<end]
            if let name = names.first(where: { name in
                line.count > name.count && zip(line, name).allSatisfy { $0 | 0x20 == $1 }
            }) {
                // `Authorization: Basic ***`: the scheme stays, what follows it goes.
                var value = line.dropFirst(name.count)
                while value.first == 0x20 || value.first == 0x09 { value = value.dropFirst() }
                let scheme = value.prefix { $0 != 0x20 && $0 != 0x0D && $0 != 0x0A }
                output += line.prefix(name.count)
                output += " ".utf8
                output += scheme
                output += " ***".utf8
                output += line.last == 0x0A ? (line.dropLast().last == 0x0D ? [0x0D, 0x0A] : [0x0A]) : []
            } else {
                output += line
            }
            start = end
        }
        return output
    }
}

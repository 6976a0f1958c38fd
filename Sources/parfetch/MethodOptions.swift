import ArgumentParser
import ParFetch

#if canImport(Glibc)
import Glibc
#endif

/// The method and body of every line's request, as curl takes them.
struct MethodOptions: ParsableArguments {
    @Option(name: [.customShort("X"), .long], help: ArgumentHelp(
        "Request method, as curl's -X (GET, or POST with -d or --json, by default).", valueName: "method"))
    var request: String?

    @Option(name: [.customShort("d"), .long], help: ArgumentHelp(
        "Send a POST body, as curl's -d: text, @FILE (its line breaks removed) or @- (standard input). Repeated: joined with &.",
        valueName: "data"))
    var data: [String] = []

    @Option(help: ArgumentHelp(
        "Send a JSON body, as curl's --json (text, @FILE or @-), with Content-Type and Accept application/json. Repeated: joined.",
        valueName: "data"))
    var json: [String] = []

    @Flag(name: [.customShort("I"), .long], help: "Ask for the head only (HEAD); the records have no page fields.")
    var head = false

    func validate() throws {
        if let request, request.isEmpty || !request.utf8.allSatisfy(Self.isTokenByte) {
            throw ValidationError("-X \(request) is not an HTTP method name")
        }
        if !data.isEmpty && !json.isEmpty {
            throw ValidationError("give -d or --json, not both")
        }
        if head && (!data.isEmpty || !json.isEmpty) {
            throw ValidationError("-I asks for the head only: it sends no -d or --json body")
        }
        if head, let request, request != "HEAD" {
            throw ValidationError("-I sends HEAD: it can't be -X \(request) too")
        }
        if (data + json).filter({ $0 == "@-" }).count > 1 {
            throw ValidationError("@- reads standard input once: give it to one -d or --json")
        }
    }

    /// Whether a body is read from standard input.
    var readsStandardInput: Bool { (data + json).contains("@-") }

    /// The run's request; nil for a plain GET. Reads the @FILE bodies. Throws `ValidationError`.
    func lineRequest(headers: [String]) throws -> LineRequest? {
        let method = head ? "HEAD" : request
        var body: [UInt8]?
        var extraHeaders: [String] = []
        if !data.isEmpty {
            var joined: [UInt8] = []
            for (index, item) in data.enumerated() {
                if index > 0 { joined.append(UInt8(ascii: "&")) }
                // curl's -d @FILE drops carriage returns and line feeds (--data-binary keeps them).
                joined += try Self.contents(item, option: "-d").filter { $0 != 0x0A && $0 != 0x0D }
            }
            body = joined
        } else if !json.isEmpty {
            body = try json.flatMap { try Self.contents($0, option: "--json") }
            extraHeaders = LineRequest.jsonHeaders(unlessIn: headers)
        }
        guard method != nil || body != nil else { return nil }
        return LineRequest(method: method, headers: extraHeaders, body: body)
    }

    /// `text`, or the bytes of the file `@FILE` names (`@-`: standard input).
    private static func contents(_ value: String, option: String) throws -> [UInt8] {
        guard value.hasPrefix("@") else { return Array(value.utf8) }
        let path = String(value.dropFirst())
        let fd = path == "-" ? STDIN_FILENO : open(path, O_RDONLY)
        guard fd >= 0 else {
            throw ValidationError("\(option) \(value): cannot read \(path): \(String(cString: strerror(errno)))")
        }
        defer { if fd != STDIN_FILENO { close(fd) } }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else {
                throw ValidationError("\(option) \(value): cannot read \(path): \(String(cString: strerror(errno)))")
            }
            if count == 0 { return bytes }
            bytes += buffer[..<count]
        }
    }

    /// RFC 9110's `tchar`.
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }
}

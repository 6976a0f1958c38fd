import ArgumentParser
import ParFetch

#if canImport(Glibc)
import Glibc
#endif

/// Where and how connections are made, as curl takes it.
struct ConnectionOptions: ParsableArguments {
    // Unconditional: "-HOST:PORT" (remove an entry) is a value, not an option.
    @Option(parsing: .unconditionalSingleValue, help: ArgumentHelp(
        "Use ADDR for HOST:PORT instead of resolving it, as curl's --resolve ([+]HOST:PORT:ADDR[,ADDR]…). Repeatable.",
        valueName: "host:port:addr"))
    var resolve: [String] = []

    @Option(help: ArgumentHelp(
        "Connect to HOST2:PORT2 for requests to HOST1:PORT1 (either part may be empty), as curl's --connect-to. Repeatable.",
        valueName: "host1:port1:host2:port2"))
    var connectTo: [String] = []

    @Option(help: ArgumentHelp("Trust the certificate authorities in this PEM file instead of the system's.", valueName: "file"))
    var cacert: String?

    @Option(help: ArgumentHelp("Client certificate (PEM), for servers that ask for one.", valueName: "file"))
    var cert: String?

    @Option(help: ArgumentHelp("The client certificate's private key (PEM), when it is not in the --cert file.", valueName: "file"))
    var key: String?

    @Flag(name: .customLong("http1.1"), help: "Use HTTP/1.1 only.")
    var http1_1 = false

    @Flag(name: .customLong("http2"), help: "Ask for HTTP/2 (over TLS through ALPN, in clear text with an h2c upgrade); the default over TLS.")
    var http2 = false

    @Flag(name: .customLong("http2-prior-knowledge"), help: "Speak HTTP/2 from the first byte, without asking (for servers known to).")
    var http2PriorKnowledge = false

    func validate() throws {
        for entry in resolve {
            if let problem = Self.resolveProblem(entry) { throw ValidationError("--resolve \(entry): \(problem)") }
        }
        for entry in connectTo {
            if let problem = Self.connectToProblem(entry) { throw ValidationError("--connect-to \(entry): \(problem)") }
        }
        for (option, file) in [("--cacert", cacert), ("--cert", cert), ("--key", key)] {
            if let file, access(file, R_OK) != 0 {
                throw ValidationError("\(option) \(file): cannot read it: \(String(cString: strerror(errno)))")
            }
        }
        if key != nil && cert == nil {
            throw ValidationError("--key is the key of a client certificate: give --cert too")
        }
        if [http1_1, http2, http2PriorKnowledge].filter({ $0 }).count > 1 {
            throw ValidationError("give one of --http1.1, --http2 and --http2-prior-knowledge")
        }
    }

    func apply(to configuration: inout FetchConfiguration) {
        configuration.resolve = resolve
        configuration.connectTo = connectTo
        configuration.caCertificates = cacert
        configuration.clientCertificate = cert
        configuration.clientKey = key
        if http1_1 { configuration.httpVersion = .http1_1 }
        if http2 { configuration.httpVersion = .http2 }
        if http2PriorKnowledge { configuration.httpVersion = .http2PriorKnowledge }
    }

    /// What is wrong with a --resolve entry (`[+]HOST:PORT:ADDR[,ADDR]…`, or `-HOST:PORT` to
    /// drop one), as libcurl reads it; nil when nothing is.
    static func resolveProblem(_ entry: String) -> String? {
        var text = Substring(entry)
        let removing = text.first == "-"
        if text.first == "+" || removing { text = text.dropFirst() }
        guard let (host, rest) = hostPart(text), !host.isEmpty else { return "no HOST (the form is HOST:PORT:ADDR)" }
        guard rest.first == ":" else { return "no PORT (the form is HOST:PORT:ADDR)" }
        let afterHost = rest.dropFirst()
        let port = afterHost.prefix { $0 != ":" }
        guard isPort(port) else { return "'\(port)' is not a port (1-65535)" }
        let addresses = afterHost.dropFirst(port.count)
        if removing { return addresses.isEmpty ? nil : "-HOST:PORT removes an entry: it takes no address" }
        guard addresses.first == ":", addresses.count > 1 else { return "no ADDR (the form is HOST:PORT:ADDR)" }
        for address in addresses.dropFirst().split(separator: ",", omittingEmptySubsequences: false) {
            guard isAddress(address) else { return "'\(address)' is not an IPv4 or [IPv6] address" }
        }
        return nil
    }

    /// What is wrong with a --connect-to entry (`HOST1:PORT1:HOST2:PORT2`, any part empty).
    static func connectToProblem(_ entry: String) -> String? {
        var text = Substring(entry)
        var parts: [Substring] = []
        for index in 0..<4 {
            guard let (part, rest) = hostPart(text) else { return "an unclosed [ in an IPv6 address" }
            let value = index % 2 == 0 ? part : text.prefix { $0 != ":" }
            parts.append(value)
            text = index % 2 == 0 ? rest : text.dropFirst(value.count)
            if index < 3 {
                guard text.first == ":" else { return "the form is HOST1:PORT1:HOST2:PORT2 (parts may be empty)" }
                text = text.dropFirst()
            }
        }
        guard text.isEmpty else { return "the form is HOST1:PORT1:HOST2:PORT2 (parts may be empty)" }
        for port in [parts[1], parts[3]] where !port.isEmpty && !isPort(port) {
            return "'\(port)' is not a port (1-65535)"
        }
        return nil
    }

    /// A host at the start of `text`, bracketed for IPv6, and what follows it.
    private static func hostPart(_ text: Substring) -> (Substring, Substring)? {
        if text.first == "[" {
            guard let close = text.firstIndex(of: "]") else { return nil }
            return (text[...close], text[text.index(after: close)...])
        }
        let host = text.prefix { $0 != ":" }
        return (host, text.dropFirst(host.count))
    }

    private static func isPort(_ text: Substring) -> Bool {
        guard !text.isEmpty, text.allSatisfy({ $0.isASCII && $0.isNumber }), let port = Int(text) else { return false }
        return (1...65535).contains(port)
    }

    private static func isAddress(_ text: Substring) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 16)
        if text.first == "[" && text.last == "]" {
            return inet_pton(AF_INET6, String(text.dropFirst().dropLast()), &buffer) == 1
        }
        return inet_pton(AF_INET, String(text), &buffer) == 1
    }
}

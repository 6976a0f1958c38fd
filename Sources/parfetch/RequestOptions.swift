import ArgumentParser
import ParFetch

struct RequestOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: ArgumentHelp("Time limit for each attempt, in seconds.", valueName: "seconds"))
    var timeout: Double = 30

    @Option(parsing: .unconditional, help: ArgumentHelp("Time limit for connecting: DNS lookup, TCP connect, and TLS and proxy handshakes, in seconds.", valueName: "seconds"))
    var connectTimeout: Double = 10

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "Time limit on silence: an attempt that receives no body bytes for this long fails, a head still arriving too (whole seconds).",
        valueName: "seconds"))
    var stallTimeout: Double?

    @Option(parsing: .unconditional, help: ArgumentHelp("Redirects followed at most.", valueName: "n"))
    var maxRedirects: Int = 10

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "Body size accepted at most, after decompression (suffixes K, M, G); larger bodies end as too_large.",
        valueName: "bytes"))
    // Text, checked in validate(): a form ByteSize refuses gets a message listing the forms
    // it takes, where ArgumentParser would only say the value is invalid.
    var maxSize = ByteSize(bytes: 64 << 20).description

    private var size: ByteSize? { ByteSize(argument: maxSize) }

    @Option(name: [.customShort("H"), .long], help: ArgumentHelp(
        "Extra request header, as in curl ('Name: value'; 'Name:' removes one). Repeatable.",
        valueName: "header"))
    var header: [String] = []

    @Option(name: [.customShort("A"), .long], help: ArgumentHelp("User-Agent header.", valueName: "string"))
    var userAgent: String = "parfetch/\(ParFetchVersion.string)"

    @Option(help: ArgumentHelp("Proxy URL, as curl takes it (http://host:port, socks5h://host:port).", valueName: "url"))
    var proxy: String?

    @Flag(name: [.customShort("k"), .long], help: "Do not verify TLS certificates.")
    var insecure = false

    func validate() throws {
        // A week is longer than any transfer should take, and keeps the milliseconds in range.
        let week = 7 * 86_400.0
        let upToAWeek = "more than 0 and at most \(Int(week)) seconds"
        guard timeout > 0, timeout <= week else {
            throw ValidationError.outOfRange("--timeout", mustBe: upToAWeek, got: timeout)
        }
        guard connectTimeout > 0, connectTimeout <= week else {
            throw ValidationError.outOfRange("--connect-timeout", mustBe: upToAWeek, got: connectTimeout)
        }
        if let stallTimeout, !(stallTimeout > 0 && stallTimeout <= week) {
            throw ValidationError.outOfRange("--stall-timeout", mustBe: upToAWeek, got: stallTimeout)
        }
        guard (0...1000).contains(maxRedirects) else {
            throw ValidationError.outOfRange("--max-redirects", mustBe: "from 0 to 1000", got: maxRedirects)
        }
        if let stallTimeout, stallTimeout != stallTimeout.rounded() {
            throw ValidationError.outOfRange("--stall-timeout", mustBe: "whole seconds, libcurl's unit", got: stallTimeout)
        }
        guard let size else {
            throw ValidationError.outOfRange("--max-size", mustBe: "a number of bytes, with K, M or G for KiB, MiB or GiB: 500, 64K, 1.5M, 2G", given: maxSize)
        }
        guard size.bytes > 0 else {
            throw ValidationError.outOfRange("--max-size", mustBe: "more than 0 bytes", given: maxSize)
        }
        // "" is curl's way to say no proxy, not even one from the environment.
        if let proxy, !proxy.isEmpty {
            do {
                _ = try ProxyURL(proxy)
            } catch {
                throw ValidationError("--proxy \(proxy): \(error)")
            }
        }
        for value in header where !value.contains(":") && !value.hasSuffix(";") {
            throw ValidationError("--header '\(value)' is not 'Name: value' (or 'Name;' for an empty header)")
        }
    }

    func apply(to configuration: inout FetchConfiguration) {
        configuration.timeout = timeout
        configuration.connectTimeout = connectTimeout
        configuration.stallTimeout = stallTimeout
        configuration.maxRedirects = maxRedirects
        configuration.maxSize = size?.bytes ?? configuration.maxSize
        configuration.headers = header
        configuration.userAgent = userAgent
        configuration.proxy = proxy
        configuration.insecure = insecure
    }
}

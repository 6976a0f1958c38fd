import ArgumentParser
import ParFetch

struct WARCOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Also keep every HTTP exchange as WARC 1.1 request and response records in this file, bytes as sent and received (a name ending .gz: a gzip member a record, e.g. site.warc.gz); each record gets warc: {file, offset, length} of its response. Transfers use HTTP/1.1.",
        valueName: "file"))
    var warc: String?

    @Option(name: .customLong("warc-max-size"), help: ArgumentHelp(
        "Start a new WARC file before one would grow past this size (suffixes K, M, G): the files are then numbered, site-00000.warc.gz, site-00001.warc.gz, …, each opening with a warcinfo record.",
        valueName: "bytes"))
    var warcMaxSize: String?

    private var maxSize: ByteSize? { warcMaxSize.flatMap { ByteSize(argument: $0) } }

    func validate() throws {
        if let warc, warc.isEmpty || warc == "-" {
            throw ValidationError("--warc needs a file name (WARC is not written to standard output)")
        }
        guard let warcMaxSize else { return }
        guard warc != nil else { throw ValidationError("--warc-max-size applies to WARC output: add --warc FILE") }
        guard let maxSize, maxSize.bytes >= 1 << 20 else {
            throw ValidationError.outOfRange("--warc-max-size", mustBe: "at least 1M, with K, M or G for KiB, MiB or GiB: 100M, 1G", given: warcMaxSize)
        }
    }

    /// The WARC writer, with `info` in each file's warcinfo record; resuming, the file's torn
    /// last record (if a crash left one) is cut first and said so.
    func openWriter(resuming: Bool, info: [WARCField]) throws -> WARCWriter? {
        guard let warc else { return nil }
        let writer = try WARCWriter(path: warc, maxFileSize: maxSize?.bytes, info: info, resuming: resuming)
        if resuming {
            Terminal.warn("resuming \(writer.currentPath)"
                + (writer.tornBytesCut > 0 ? ": cut a torn last record (\(writer.tornBytesCut) bytes)" : ""))
        }
        return writer
    }

    /// The warcinfo fields that say how the capture was made: the command line, with what
    /// could be a secret (a URL's password, a credential or cookie option, an Authorization or
    /// Cookie header) shown as `***`.
    static func info(arguments: [String], userAgent: String, robots: Bool) -> [WARCField] {
        let secretOptions: Set<String> = ["-u", "--user", "-b", "--cookie", "--proxy-user"]
        let secretHeaders = ["authorization:", "proxy-authorization:", "cookie:"]
        var shown: [String] = []
        var hideNext = false
        var headerNext = false
        for argument in arguments.dropFirst() {
            if hideNext {
                shown.append("***")
            } else if headerNext, let name = secretHeaders.first(where: { argument.lowercased().hasPrefix($0) }) {
                shown.append(argument.prefix(name.count) + " ***")
            } else {
                shown.append(Redacted.url(argument))
            }
            hideNext = secretOptions.contains(argument)
            headerNext = argument == "-H" || argument == "--header"
        }
        return [
            WARCField("http-header-user-agent", userAgent),
            WARCField("robots", robots ? "obey" : "ignore"),
            WARCField("parfetch-command", (["parfetch"] + shown).joined(separator: " ")),
        ]
    }
}

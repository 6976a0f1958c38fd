/// The inputs of a run, in the order given, read as one list: list files, standard input
/// (`-`) and URLs given as such (an input starting `http://` or `https://`). Line numbers run
/// on across them: a URL counts as one line, a file as all its lines, blank lines and
/// comments included, so `parfetch a.txt https://x/ b.txt` numbers b.txt's first line one
/// after the URL. Given the same inputs again, every line has the same number, which is what
/// `--resume` relies on. Not Sendable: one thread reads it.
public final class ListInputs: IntakeSource {
    /// One input: a list or a URL.
    private enum Input {
        case list(ListReader)
        case url(String)
    }

    /// The inputs not yet begun, last first.
    private var pending: [Input]
    /// The list being read.
    private var reading: ListReader?
    /// Lines of the inputs read before.
    private var offset = 0
    private var urlCheck: URLCheck?

    /// Opens every list of `arguments` at once, so that one that can't be read is reported
    /// before anything is fetched; throws `ListReaderError`. No arguments: standard input.
    public init(arguments: [String], format: InputFormat = .auto) throws {
        var inputs: [Input] = []
        for argument in arguments.isEmpty ? ["-"] : arguments {
            inputs.append(Self.isURL(argument) ? .url(argument) : .list(try ListReader(path: argument, format: format)))
        }
        pending = inputs.reversed()
    }

    /// One list.
    public init(_ list: ListReader) {
        pending = [.list(list)]
    }

    private init(inputs: [Input]) {
        pending = inputs
    }

    /// No input at all (a crawl seeded by its sitemaps alone).
    public static func none() -> ListInputs { ListInputs(inputs: []) }

    /// A URL of each distinct host (host and port) among the fetchable lines of the inputs,
    /// in order of first appearance, `limit` at most: reads the inputs to their end (or to
    /// the limit). Throws `ListReaderError`.
    public static func hosts(arguments: [String], format: InputFormat = .auto, limit: Int) throws -> [CheckedURL] {
        let inputs = try ListInputs(arguments: arguments, format: format)
        var seen = Set<String>()
        var hosts: [CheckedURL] = []
        while hosts.count < limit, let item = try inputs.next() {
            if let url = item.url, seen.insert(url.hostKey).inserted { hosts.append(url) }
        }
        return hosts
    }

    /// Whether the command-line argument `argument` is a URL rather than a list's path: it
    /// starts with `http://` or `https://` (in any case).
    public static func isURL(_ argument: String) -> Bool {
        let lowered = argument.utf8.prefix(8).map { $0 | 0x20 }
        return lowered.starts(with: "http://".utf8) || lowered.starts(with: "https://".utf8)
    }

    /// The lines the inputs give a record (not blank, not comments), for a progress display's
    /// total; nil when one is standard input or can't be read.
    public static func countEntries(arguments: [String]) -> Int? {
        var total = 0
        for argument in arguments.isEmpty ? ["-"] : arguments {
            if isURL(argument) {
                total += 1
            } else {
                guard let count = ListReader.countEntries(path: argument) else { return nil }
                total += count
            }
        }
        return total
    }

    /// Lines read so far across the inputs, blank lines and comments included: once every
    /// input is read, the number of the last line.
    public var linesRead: Int { offset + (reading?.linesRead ?? 0) }

    /// The next line of the inputs, numbered across them. Throws `ListReaderError`.
    public func next() throws -> ListItem? {
        try advance(read: { try $0.next() }, url: { line, text in
            let check = urlCheck ?? URLCheck()
            urlCheck = check
            return ListItem(line: line, text: text, target: check.check(text))
        }).map { item, offset in
            var item = item
            item.line += offset
            return item
        }
    }

    /// The next line's number (across the inputs) and text, without checking the URL: what an
    /// earlier run's records are compared with (`CompletedLines.firstMismatch`). Read with
    /// either this or `next`, not both. Throws `ListReaderError`.
    public func nextText() throws -> (line: Int, text: String)? {
        try advance(read: { try $0.nextText() }, url: { (line: $0, text: $1) })
            .map { entry, offset in (line: entry.line + offset, text: entry.text) }
    }

    /// Moves through the inputs to the next line: read from the current list with `read`
    /// (with the lines of the inputs before it, to add to its line numbers), or made by `url`
    /// for a URL given as such, on its line number.
    private func advance<Line>(read: (ListReader) throws -> Line?,
                               url: (_ line: Int, _ text: String) -> Line) throws -> (Line, offset: Int)? {
        while true {
            if let reader = reading {
                if let line = try read(reader) { return (line, offset) }
                // Read to its end: its descriptor is closed now, not at the end of the run.
                offset += reader.linesRead
                reading = nil
            }
            switch pending.popLast() {
            case .list(let reader):
                reading = reader
            case .url(let text):
                offset += 1
                return (url(offset, text), 0)
            case nil:
                return nil
            }
        }
    }
}

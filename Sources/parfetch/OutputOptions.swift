import ArgumentParser
import ParFetch

struct OutputOptions: ParsableArguments {
    @Option(name: [.customShort("o"), .long], help: ArgumentHelp(
        "Write records to this file instead of standard output (created or truncated; see --resume).",
        valueName: "file"))
    var output: String?

    @Option(help: ArgumentHelp(
        "Record format: jsonl (one JSON object a line) or csv (RFC 4180: a header row, CRLF line ends, lists joined with ' | ').",
        valueName: "format"))
    var format: OutputFormat = .jsonl

    @Option(help: ArgumentHelp(
        "Comma-separated fields to write, e.g. url,status,time.total,error.kind (for csv the columns, in this order). time, extract and error select their whole group, extract.NAME one rule's strings, links_count the number of links. Default: the whole record for jsonl; for csv line, url, final_url, status, ok, content_type, bytes, http_version, redirects, attempts, time.total … time.ttfb, title, description, lang, canonical, links_count, extract.NAME for each rule, error.kind, error.message (and duplicate_of with --dedupe). With --resume, include line, url and error.",
        valueName: "a,b,…"))
    var fields: String?

    @Flag(help: "Write records in input order instead of as URLs finish (a slow URL holds back at most 4 × -j others).")
    var ordered = false

    @Option(name: .customLong("save-dir"), help: ArgumentHelp(
        "Save the body of each 2xx response as DIR/HOST/HASH.EXT, atomically (HASH: 16 hex digits of the SHA-256 of the URL as given; EXT from the Content-Type, bin if unknown); the record's saved key gives the path relative to DIR. DIR is created if missing.",
        valueName: "dir"))
    var saveDirectory: String?

    func validate() throws {
        if saveDirectory?.isEmpty == true {
            throw ValidationError("--save-dir needs a directory")
        }
    }

    /// Checks --fields against the run's extraction rules (a name may be extract.NAME), and
    /// that a resumed run's records keep what resuming reads.
    func validate(ruleNames: [String], resuming: Bool) throws {
        if resuming && (output == nil || output == "-") {
            throw ValidationError("--resume and --resume-failed need --output FILE: the records to resume from")
        }
        if resuming && format == .csv {
            throw ValidationError("--resume and --resume-failed read back JSON Lines records: they can't be used with --format csv")
        }
        guard let fields else { return }
        let selected: [RecordField]
        do {
            selected = try RecordField.list(fields, ruleNames: ruleNames)
        } catch {
            throw ValidationError("--fields: \(error)")
        }
        let kept = RecordField.columns(selected, ruleNames: ruleNames)
        let missing = CompletedLines.requiredFields.filter { !kept.contains($0) }
        if resuming && !missing.isEmpty {
            throw ValidationError("--resume and --resume-failed need line, url and error (or error.kind) in --fields, to tell which lines are done; missing: "
                + missing.map(\.name).joined(separator: ", "))
        }
    }

    /// The format the writer uses; call after `validate(ruleNames:)`.
    func recordFormat(ruleNames: [String], dedupe: Bool, crawling: Bool = false, archiving: Bool = false) throws -> RecordFormat {
        let selected = try fields.map { try RecordField.list($0, ruleNames: ruleNames) }
        switch format {
        case .jsonl:
            return selected.map { .jsonLines(fields: $0) } ?? .jsonLines
        case .csv:
            let columns = RecordField.defaultColumns(ruleNames: ruleNames, dedupe: dedupe, saving: saveDirectory != nil,
                                                     crawling: crawling, archiving: archiving)
            return .csv(fields: selected ?? columns, ruleNames: ruleNames)
        }
    }

    /// The store for --save-dir, opened before anything is fetched or the output file touched.
    /// Throws `BodyStoreError` for a directory that can't be created or written.
    func openBodyStore() throws -> BodyStore? {
        guard let saveDirectory else { return nil }
        return try BodyStore(directory: saveDirectory)
    }
}

/// Where the intake's work comes from: the run's inputs (`ListInputs`: list files, standard
/// input, URL arguments) now; a crawl's links and sitemap entries are the next sources.
protocol IntakeSource: AnyObject {
    /// The next item, or nil when the source is exhausted. Throws when it can't be read on.
    func next() throws -> ListItem?
    /// The intake let `item` pass without a record in this run (another shard's, or done by
    /// an earlier run).
    func passed(_ item: ListItem)
}

extension IntakeSource {
    func passed(_ item: ListItem) {}
}

/// The intake's decisions about each item that reaches it, in arrival order: whether it is
/// another shard's (`--shard`), whether an earlier run finished it (`--resume`), whether an earlier item has the same URL
/// (`--dedupe`), whether it gets a record without being fetched (a line that is not a URL
/// parfetch fetches), and its place among the records of the run (`--ordered`).
///
/// A value with no I/O: `IntakeThread` feeds it the sources' items and performs its
/// decisions (writes records, hands work to admission).
struct Intake {
    enum Decision {
        /// The line is another shard's: its record is written by another run.
        case elsewhere
        /// An earlier run finished the line: it gets no record in this one.
        case skip
        /// The line's record, written without a fetch.
        case record(Record)
        /// Work for admission.
        case admit(ListItem)
    }

    private var duplicates: Deduplicator?
    private let completed: CompletedLines
    private let shard: Shard?
    /// An earlier run's validators: admitted lines carry conditional headers from them.
    private let since: SinceRecords?
    /// The `sequence` of the next item that gets a record.
    private(set) var nextSequence = 0

    init(dedupe: Bool, completed: CompletedLines, shard: Shard? = nil, since: SinceRecords? = nil) {
        duplicates = dedupe ? Deduplicator() : nil
        self.completed = completed
        self.shard = shard
        self.since = since
    }

    /// What becomes of `item`.
    mutating func take(_ item: ListItem) -> Decision {
        // First: a duplicate shares its host, so its first line is this shard's too.
        if let shard, !shard.contains(item) { return .elsewhere }
        // Before the resume check: a finished first line still makes later ones duplicates.
        // A crawl's found URLs are distinct already (its seen-set): only its seeds are looked up.
        let duplicateOf = (item.crawl?.depth ?? 0) > 0 ? nil
            : item.url.flatMap { duplicates?.earlierLine(for: $0, line: item.line) }
        if completed.contains(line: item.line, url: item.text) { return .skip }
        var item = item
        item.sequence = nextSequence
        nextSequence += 1
        if let duplicateOf { return .record(Record(item: item, duplicateOf: duplicateOf)) }
        switch item.target {
        case .failure(let error): return .record(Record(item: item, error: error))
        case .success:
            if let headers = since?.conditionalHeaders(for: item.text) {
                item.request = item.request?.adding(headers: headers) ?? LineRequest(headers: headers)
            }
            return .admit(item)
        }
    }
}

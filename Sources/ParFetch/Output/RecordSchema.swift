/// The record's keys, in the record's order: the one list that says what a record holds.
/// `--fields` parsing and its messages, both encoders, the default CSV columns and what
/// `--resume` needs are read from it, and README's record table is checked against it
/// (`RecordSchemaTests`). A new scalar key is one entry here, beside its `Record` property.
///
/// The members of a group (`time.…`, `error.…`) stand together; there are at most 64 keys, a
/// bit each in `JSONSelection`.
enum RecordSchema {
    static let keys: [RecordKey] = [
        RecordKey("line", resume: true) { $1.integer($0.line) },
        RecordKey("url", resume: true) { $1.string($0.url) },
        RecordKey("final_url") { $1.string($0.finalURL) },
        RecordKey("status") { $1.integer($0.status) },
        RecordKey("ok") { $1.boolean($0.ok) },
        RecordKey("content_type") { $1.string($0.contentType) },
        RecordKey("bytes") { $1.integer($0.bytes) },
        RecordKey("http_version") { $1.string($0.httpVersion) },
        RecordKey("redirects") { $1.integer($0.redirects) },
        RecordKey("attempts") { $1.integer($0.attempts) },
        RecordKey("not_modified", defaultColumn: .never) { $1.boolean($0.notModified) },
        RecordKey("etag", defaultColumn: .never) { $1.string($0.etag) },
        RecordKey("last_modified", defaultColumn: .never) { $1.string($0.lastModified) },
        RecordKey("headers", defaultColumn: .never) { $1.pairs($0.headerFields) },
        RecordKey("duplicate_of", defaultColumn: .dedupe) { $1.integer($0.duplicateOf) },
        RecordKey("depth", defaultColumn: .crawl) { $1.integer($0.depth) },
        RecordKey("parent", defaultColumn: .crawl) { $1.string($0.parent) },
        RecordKey("meta", defaultColumn: .never) { $1.rawJSON($0.meta) },
        RecordKey("time.total") { $1.seconds($0.timing?.totalMicroseconds) },
        RecordKey("time.dns") { $1.seconds($0.timing?.dnsMicroseconds) },
        RecordKey("time.connect") { $1.seconds($0.timing?.connectMicroseconds) },
        RecordKey("time.tls") { $1.seconds($0.timing?.tlsMicroseconds) },
        RecordKey("time.ttfb") { $1.seconds($0.timing?.firstByteMicroseconds) },
        RecordKey("title") { $1.string($0.page?.title) },
        RecordKey("description") { $1.string($0.page?.description) },
        RecordKey("lang") { $1.string($0.page?.lang) },
        RecordKey("canonical") { $1.string($0.page?.canonical) },
        RecordKey("links", defaultColumn: .never) { $1.strings($0.page?.links) },
        RecordKey("links_truncated", defaultColumn: .never) { $1.flag($0.page?.linksTruncated) },
        RecordKey("links_count", inRecord: false) { $1.integer($0.page?.links.count) },
        RecordKey("extract", perRule: true) { $1.extract($0.page?.extract) },
        RecordKey("saved", defaultColumn: .saving) { $1.string($0.saved) },
        RecordKey("retry_after", defaultColumn: .never) { $1.decimal($0.retryAfter) },
        RecordKey("warc.file", defaultColumn: .archiving) { $1.string($0.warc?.file) },
        RecordKey("warc.offset", defaultColumn: .archiving) { $1.integer($0.warc.map { Int($0.offset) }) },
        RecordKey("warc.length", defaultColumn: .archiving) { $1.integer($0.warc?.length) },
        RecordKey("error.kind", resume: true) { $1.string($0.error?.kind.description) },
        RecordKey("error.message") { $1.string($0.error?.message) },
    ]

    /// Every field `--fields` takes but `extract.NAME`, in the record's order: each group's
    /// name comes before its members.
    static let fields: [RecordField] = {
        precondition(keys.count <= 64, "JSONSelection has a bit per key")
        var fields: [RecordField] = []
        var previousGroup: String?
        for (index, key) in keys.enumerated() {
            if let group = key.group, group != previousGroup {
                precondition(!fields.contains(.group(group)), "the members of '\(group)' stand together")
                fields.append(.group(group))
            }
            previousGroup = key.group
            fields.append(.key(index))
        }
        return fields
    }()

    /// The index of the `extract` key.
    static let extract = keys.firstIndex { $0.perRule }!

    /// The indices of `group`'s members, in order.
    static func members(of group: String) -> [Int] {
        keys.indices.filter { keys[$0].group == group }
    }
}

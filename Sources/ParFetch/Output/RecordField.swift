/// A part of the record that `--fields` can select, named as in the record with a dot for a
/// nested key: `url`, `time.total`, `extract.price`, `error.kind`. `time`, `extract` and
/// `error` are groups: they stand for all their members.
public enum RecordField: Hashable, Sendable {
    case line, url, finalURL, status, ok, contentType, bytes, httpVersion, redirects, attempts, duplicateOf
    case time, timeTotal, timeDNS, timeConnect, timeTLS, timeFirstByte
    case title, description, lang, canonical, links
    /// Whether `links` was cut at `--max-links`: in the full record only when it was.
    case linksTruncated
    /// The number of links: not a key of the full record, there for CSV (and `--fields`).
    case linksCount
    case extract
    /// The strings of the `--select`/`--xpath` rule with this name.
    case extractRule(String)
    /// Where `--save-dir` stored the body, relative to the directory.
    case saved
    case error, errorKind, errorMessage

    /// Every name but `extract.NAME`, in the record's order.
    private static let named: [(name: String, field: RecordField)] = [
        ("line", .line), ("url", .url), ("final_url", .finalURL), ("status", .status), ("ok", .ok),
        ("content_type", .contentType), ("bytes", .bytes), ("http_version", .httpVersion),
        ("redirects", .redirects), ("attempts", .attempts), ("duplicate_of", .duplicateOf),
        ("time", .time), ("time.total", .timeTotal), ("time.dns", .timeDNS), ("time.connect", .timeConnect),
        ("time.tls", .timeTLS), ("time.ttfb", .timeFirstByte),
        ("title", .title), ("description", .description), ("lang", .lang), ("canonical", .canonical),
        ("links", .links), ("links_truncated", .linksTruncated), ("links_count", .linksCount), ("extract", .extract), ("saved", .saved),
        ("error", .error), ("error.kind", .errorKind), ("error.message", .errorMessage),
    ]

    /// The name as `--fields` takes it and a CSV header shows it.
    public var name: String {
        if case .extractRule(let rule) = self { return "extract." + rule }
        return Self.named.first { $0.field == self }!.name
    }

    /// Parses one name. `extract.NAME` must name one of `ruleNames`.
    public init(name: String, ruleNames: [String]) throws(RecordFieldError) {
        if name.hasPrefix("extract.") {
            let rule = String(name.dropFirst("extract.".count))
            guard ruleNames.contains(rule) else {
                throw RecordFieldError("unknown field '\(name)': no --select or --xpath rule is named '\(rule)'"
                    + (ruleNames.isEmpty ? "" : " (rules: \(ruleNames.joined(separator: ", ")))"))
            }
            self = .extractRule(rule)
            return
        }
        guard let field = Self.named.first(where: { $0.name == name })?.field else {
            throw RecordFieldError("unknown field '\(name)'; valid fields: \(Self.catalogue(ruleNames: ruleNames))")
        }
        self = field
    }

    /// Parses a comma-separated list such as `url,time.total,error.kind` (spaces around names
    /// are ignored). Empty names, unknown names and a field selected twice (`time.total` also
    /// through `time`, say) are errors, as is a list that selects nothing.
    public static func list(_ text: String, ruleNames: [String]) throws(RecordFieldError) -> [RecordField] {
        var fields: [RecordField] = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            var name = item
            while name.first == " " { name.removeFirst() }
            while name.last == " " { name.removeLast() }
            guard !name.isEmpty else { throw RecordFieldError("empty field name in '\(text)'") }
            fields.append(try RecordField(name: String(name), ruleNames: ruleNames))
        }
        let columns = Self.columns(fields, ruleNames: ruleNames)
        var seen = Set<RecordField>()
        for column in columns where !seen.insert(column).inserted {
            throw RecordFieldError("field '\(column.name)' is selected twice")
        }
        guard !columns.isEmpty else {
            throw RecordFieldError("'\(text)' selects no field: there is no --select or --xpath rule")
        }
        return fields
    }

    /// `fields` with each group replaced by its members in the record's order (`extract` by
    /// one `extract.NAME` per rule): the columns of a CSV file.
    public static func columns(_ fields: [RecordField], ruleNames: [String]) -> [RecordField] {
        fields.flatMap { field -> [RecordField] in
            switch field {
            case .time: [.timeTotal, .timeDNS, .timeConnect, .timeTLS, .timeFirstByte]
            case .extract: ruleNames.map { .extractRule($0) }
            case .error: [.errorKind, .errorMessage]
            default: [field]
            }
        }
    }

    /// The CSV columns without `--fields`: the record's scalars, `links_count` rather than the
    /// links, one column per rule, `duplicate_of` only when de-duplicating and `saved` only
    /// when saving bodies.
    public static func defaultColumns(ruleNames: [String], dedupe: Bool, saving: Bool = false) -> [RecordField] {
        [.line, .url, .finalURL, .status, .ok, .contentType, .bytes, .httpVersion, .redirects, .attempts]
            + (dedupe ? [.duplicateOf] : [])
            + [.timeTotal, .timeDNS, .timeConnect, .timeTLS, .timeFirstByte,
               .title, .description, .lang, .canonical, .linksCount]
            + ruleNames.map { .extractRule($0) }
            + (saving ? [.saved] : [])
            + [.errorKind, .errorMessage]
    }

    /// Every valid name, for messages: `line, url, …, extract.NAME (NAME: price, sku), …`.
    public static func catalogue(ruleNames: [String]) -> String {
        let rules = ruleNames.isEmpty ? "a --select/--xpath name" : ruleNames.joined(separator: ", ")
        return named.map { $0.field == .extract ? "extract, extract.NAME (NAME: \(rules))" : $0.name }
            .joined(separator: ", ")
    }
}

/// A `--fields` list that can't be used; `description` is one line.
public struct RecordFieldError: Error, Sendable, CustomStringConvertible {
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}

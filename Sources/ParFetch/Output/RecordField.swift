/// A part of the record that `--fields` can select, named as in the record with a dot for a
/// nested key: `url`, `time.total`, `extract.price`, `error.kind`. `time`, `extract` and
/// `error` are groups: they stand for all their members. The names are `RecordSchema`'s.
public struct RecordField: Hashable, Sendable {
    enum Kind: Hashable, Sendable {
        /// `RecordSchema.keys[index]`; `extract` is one, standing for every rule.
        case key(Int)
        /// `time`, `error`: the keys named `GROUP.…`.
        case group(String)
        /// The strings of the `--select`/`--xpath` rule with this name.
        case extractRule(String)
    }

    let kind: Kind

    private init(kind: Kind) {
        self.kind = kind
    }

    static func key(_ index: Int) -> RecordField {
        RecordField(kind: .key(index))
    }

    static func group(_ name: String) -> RecordField {
        RecordField(kind: .group(name))
    }

    static func extractRule(_ name: String) -> RecordField {
        RecordField(kind: .extractRule(name))
    }

    /// The name as `--fields` takes it and a CSV header shows it.
    public var name: String {
        switch kind {
        case .key(let index): RecordSchema.keys[index].name
        case .group(let name): name
        case .extractRule(let rule): "extract." + rule
        }
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
        guard let field = RecordSchema.fields.first(where: { $0.name == name }) else {
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
            switch field.kind {
            case .group(let group): RecordSchema.members(of: group).map(RecordField.key)
            case .key(RecordSchema.extract): ruleNames.map(RecordField.extractRule)
            case .key, .extractRule: [field]
            }
        }
    }

    /// The CSV columns without `--fields`: the record's scalars, `links_count` rather than the
    /// links, one column per rule, `duplicate_of` only when de-duplicating, `saved` only
    /// when saving bodies, `depth`, `parent` only in a crawl and `warc.…` only with WARC
    /// output (each key's `defaultColumn`).
    public static func defaultColumns(ruleNames: [String], dedupe: Bool, saving: Bool = false,
                                      crawling: Bool = false, archiving: Bool = false) -> [RecordField] {
        let keys = RecordSchema.keys.indices.filter { index in
            switch RecordSchema.keys[index].defaultColumn {
            case .always: true
            case .never: false
            case .dedupe: dedupe
            case .saving: saving
            case .crawl: crawling
            case .archiving: archiving
            }
        }
        return columns(keys.map(RecordField.key), ruleNames: ruleNames)
    }

    /// Every valid name, for messages: `line, url, …, extract.NAME (NAME: price, sku), …`.
    public static func catalogue(ruleNames: [String]) -> String {
        let rules = ruleNames.isEmpty ? "a --select/--xpath name" : ruleNames.joined(separator: ", ")
        return RecordSchema.fields
            .map { $0.kind == .key(RecordSchema.extract) ? "extract, extract.NAME (NAME: \(rules))" : $0.name }
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

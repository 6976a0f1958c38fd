/// Which keys a JSON record keeps: a bit per key of `RecordSchema.keys`, so the encoder asks a
/// mask rather than a list for each of millions of records.
struct JSONSelection: Sendable {
    /// Bit `index` keeps `RecordSchema.keys[index]`; the `extract` bit is set when any rule's
    /// entry is kept.
    var keys: UInt64 = 0
    /// Whether every `extract` entry is kept, rather than those of `extractNames`.
    var allExtract = false
    var extractNames: [String] = []

    /// The full record, as JSON Lines are written without `--fields`: every key of the
    /// contract (not `links_count`).
    static let record: JSONSelection = {
        var selection = JSONSelection()
        for (index, key) in RecordSchema.keys.enumerated() where key.inRecord {
            selection.keep(index)
        }
        return selection
    }()

    private init() {}

    init(_ fields: [RecordField]) {
        for field in fields {
            switch field.kind {
            case .key(let index): keep(index)
            case .group(let group): RecordSchema.members(of: group).forEach { keep($0) }
            case .extractRule(let name):
                keys |= 1 << RecordSchema.extract
                extractNames.append(name)
            }
        }
    }

    private mutating func keep(_ index: Int) {
        keys |= 1 << index
        if index == RecordSchema.extract { allExtract = true }
    }

    func keeps(_ entry: PageData.Extracted) -> Bool {
        allExtract || extractNames.contains(entry.name)
    }
}

/// How `RecordWriter` writes records: JSON Lines (the whole record, or the parts `--fields`
/// selects, in the record's structure) or CSV (one column per selected field).
public struct RecordFormat: Sendable {
    private enum Encoding: Sendable {
        case json(JSONSelection)
        case csv(CSVLineEncoder)
    }

    private let encoding: Encoding

    private init(_ encoding: Encoding) {
        self.encoding = encoding
    }

    /// JSON Lines, the whole record: the default.
    public static let jsonLines = RecordFormat(.json(.record))

    /// JSON Lines with only `fields` (a group selects all its members), keys in the record's
    /// order whatever the order of `fields`; `links_truncated`, then `links_count`, come after `links`.
    public static func jsonLines(fields: [RecordField]) -> RecordFormat {
        RecordFormat(.json(JSONSelection(fields)))
    }

    /// CSV with a column per field, in the order given; groups are expanded (`extract` to one
    /// column per name of `ruleNames`, in that order).
    public static func csv(fields: [RecordField], ruleNames: [String]) -> RecordFormat {
        RecordFormat(.csv(CSVLineEncoder(columns: RecordField.columns(fields, ruleNames: ruleNames))))
    }

    /// What starts a new output: CSV's header row; nothing for JSON Lines.
    public var header: [UInt8] {
        var bytes: [UInt8] = []
        if case .csv(let encoder) = encoding { encoder.header(into: &bytes) }
        return bytes
    }

    /// Appends `record` as one line (a CSV row may span lines inside quoted cells).
    public func encode(_ record: Record, into output: inout [UInt8]) {
        switch encoding {
        case .json(let selection): JSONLineEncoder.encode(record, selecting: selection, into: &output)
        case .csv(let encoder): encoder.encode(record, into: &output)
        }
    }
}

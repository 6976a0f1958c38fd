/// Writes records as CSV rows (RFC 4180): one row per record, one cell per column, CRLF
/// line ends. Absent values are empty cells and empty strings are `""`, so readers that tell
/// NULL from empty (PostgreSQL's `COPY … CSV`) can; lists are joined with ` | `.
struct CSVLineEncoder: Sendable {
    /// Leaves only: groups were expanded by `RecordField.columns`.
    let columns: [RecordField]
    /// What writes each column: its key, or for `extract.NAME` a key made for the rule.
    private let cells: [RecordKey]

    init(columns: [RecordField]) {
        self.columns = columns
        cells = columns.map { column in
            switch column.kind {
            case .key(let index):
                precondition(index != RecordSchema.extract, "CSV columns are expanded")
                return RecordSchema.keys[index]
            case .extractRule(let rule):
                return RecordKey(column.name) { $1.strings($0.page?.extract.first { $0.name == rule }?.values) }
            case .group: preconditionFailure("CSV columns are expanded")
            }
        }
    }

    /// The header row: the columns' names.
    func header(into output: inout [UInt8]) {
        for (index, column) in columns.enumerated() {
            if index > 0 { output.append(UInt8(ascii: ",")) }
            Self.appendCell(column.name, to: &output)
        }
        output.append(contentsOf: [0x0D, 0x0A])
    }

    /// Appends `record`'s row; an absent value is an empty cell.
    func encode(_ record: Record, into output: inout [UInt8]) {
        var writer = RecordValueWriter.beginCSV(output: &output)
        cells.withUnsafeBufferPointer { cells in
            for index in cells.indices {
                if index > 0 { writer.comma() }
                cells[index].write(record, &writer)
            }
        }
        writer.endCSV(output: &output)
    }

    /// What joins the strings of a list (`links`, `extract.NAME`) in one cell.
    static let separator: [UInt8] = Array(" | ".utf8)

    static func appendCell(_ string: String, to output: inout [UInt8]) {
        appendCell(joining: CollectionOfOne(string), to: &output)
    }

    /// One cell holding `strings` joined by `separator`, quoted when a byte needs it; an
    /// empty cell is written `""`, so that it differs from an absent value.
    static func appendCell<Strings: Collection<String>>(joining strings: Strings, to output: inout [UInt8]) {
        var quoted = strings.allSatisfy(\.isEmpty)
        if !quoted {
            for var string in strings {
                quoted = string.withUTF8 { $0.contains(where: needsQuotes) }
                if quoted { break }
            }
        }
        if quoted { output.append(UInt8(ascii: "\"")) }
        for (index, var string) in strings.enumerated() {
            if index > 0 { output.append(contentsOf: separator) }
            string.withUTF8 { bytes in
                var runStart = 0
                for index in 0..<bytes.count where bytes[index] == UInt8(ascii: "\"") || bytes[index] == 0 {
                    output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                    runStart = index + 1
                    // A quote is doubled; NUL, which CSV readers refuse, becomes U+FFFD.
                    output.append(contentsOf: bytes[index] == 0 ? [0xEF, 0xBF, 0xBD] : [0x22, 0x22])
                }
                output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<bytes.count]))
            }
        }
        if quoted { output.append(UInt8(ascii: "\"")) }
    }

    /// Bytes that end a cell or a row unless the cell is quoted. A quote in an unquoted cell
    /// would be doubled as if quoted, so it needs quotes too.
    private static func needsQuotes(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: ",") || byte == UInt8(ascii: "\"") || byte == 0x0A || byte == 0x0D
    }
}

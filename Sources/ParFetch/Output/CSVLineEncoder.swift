/// Writes records as CSV rows (RFC 4180): one row per record, one cell per column, CRLF
/// line ends. Absent values are empty cells and empty strings are `""`, so readers that tell
/// NULL from empty (PostgreSQL's `COPY … CSV`) can; lists are joined with ` | `.
struct CSVLineEncoder: Sendable {
    /// Leaves only: groups were expanded by `RecordField.columns`.
    let columns: [RecordField]

    init(columns: [RecordField]) {
        precondition(!columns.contains { [.time, .extract, .error].contains($0) }, "CSV columns are expanded")
        self.columns = columns
    }

    /// The header row: the columns' names.
    func header(into output: inout [UInt8]) {
        for (index, column) in columns.enumerated() {
            if index > 0 { output.append(UInt8(ascii: ",")) }
            Self.appendCell(column.name, to: &output)
        }
        output.append(contentsOf: [0x0D, 0x0A])
    }

    /// Appends `record`'s row.
    func encode(_ record: Record, into output: inout [UInt8]) {
        for (index, column) in columns.enumerated() {
            if index > 0 { output.append(UInt8(ascii: ",")) }
            switch column {
            case .line: JSONLineEncoder.appendInteger(record.line, to: &output)
            case .url: Self.appendCell(record.url, to: &output)
            case .finalURL: Self.appendCell(record.finalURL, to: &output)
            case .status: Self.appendInteger(record.status, to: &output)
            case .ok: output.append(contentsOf: (record.ok ? "true" : "false").utf8)
            case .contentType: Self.appendCell(record.contentType, to: &output)
            case .bytes: Self.appendInteger(record.bytes, to: &output)
            case .httpVersion: Self.appendCell(record.httpVersion, to: &output)
            case .redirects: Self.appendInteger(record.redirects, to: &output)
            case .attempts: JSONLineEncoder.appendInteger(record.attempts, to: &output)
            case .duplicateOf: Self.appendInteger(record.duplicateOf, to: &output)
            case .timeTotal: Self.appendSeconds(record.timing?.totalMicroseconds, to: &output)
            case .timeDNS: Self.appendSeconds(record.timing?.dnsMicroseconds, to: &output)
            case .timeConnect: Self.appendSeconds(record.timing?.connectMicroseconds, to: &output)
            case .timeTLS: Self.appendSeconds(record.timing?.tlsMicroseconds, to: &output)
            case .timeFirstByte: Self.appendSeconds(record.timing?.firstByteMicroseconds, to: &output)
            case .title: Self.appendCell(record.page?.title, to: &output)
            case .description: Self.appendCell(record.page?.description, to: &output)
            case .lang: Self.appendCell(record.page?.lang, to: &output)
            case .canonical: Self.appendCell(record.page?.canonical, to: &output)
            case .links:
                if let page = record.page { Self.appendCell(joining: page.links, to: &output) }
            case .linksTruncated:
                if let page = record.page { output.append(contentsOf: (page.linksTruncated ? "true" : "false").utf8) }
            case .linksCount: Self.appendInteger(record.page?.links.count, to: &output)
            case .extractRule(let name):
                if let entry = record.page?.extract.first(where: { $0.name == name }) {
                    Self.appendCell(joining: entry.values, to: &output)
                }
            case .saved: Self.appendCell(record.saved, to: &output)
            case .errorKind: Self.appendCell(record.error?.kind.description, to: &output)
            case .errorMessage: Self.appendCell(record.error?.message, to: &output)
            case .time, .extract, .error: break
            }
        }
        output.append(contentsOf: [0x0D, 0x0A])
    }

    /// What joins the strings of a list (`links`, `extract.NAME`) in one cell.
    static let separator: [UInt8] = Array(" | ".utf8)

    private static func appendInteger(_ value: Int?, to output: inout [UInt8]) {
        if let value { JSONLineEncoder.appendInteger(value, to: &output) }
    }

    private static func appendSeconds(_ microseconds: Int64?, to output: inout [UInt8]) {
        if let microseconds { JSONLineEncoder.appendSeconds(microseconds, to: &output) }
    }

    /// Nothing for nil: an empty cell.
    private static func appendCell(_ string: String?, to output: inout [UInt8]) {
        if let string { appendCell(string, to: &output) }
    }

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

/// What a `RecordKey` writes its value into: a member of the record's JSON object, or a CSV
/// cell. Each method is one form of value; nil writes nothing (a key left out, an empty cell).
///
/// The keys' closures call it with the record's own properties, borrowed, so that a value is
/// written where it lies, with no copy made for the table's sake. The writer holds the output
/// while a record is written (`begin…`, `end…` move it in and out) and, for JSON, the state of
/// the object: whether a comma is due and which group object (`time`, `error`) is open.
struct RecordValueWriter {
    private(set) var output: [UInt8] = []
    private let csv: Bool
    /// The `--fields` selection of `extract` entries; nil for CSV, which has a column per rule.
    private let selection: JSONSelection?
    private var needsComma = false
    private var nestedNeedsComma = false
    /// The key being written, as `enter` was given it (JSON).
    private var key = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
    private var groupKey = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
    /// The key of the group object open, empty when none is.
    private var openGroup = UnsafeBufferPointer<UInt8>(start: nil, count: 0)

    private init(csv: Bool, selection: JSONSelection?, output: inout [UInt8]) {
        self.csv = csv
        self.selection = selection
        swap(&self.output, &output)
    }

    /// Starts a JSON object, taking over `output` until `endJSON`.
    static func beginJSON(selecting selection: JSONSelection, output: inout [UInt8]) -> RecordValueWriter {
        var writer = RecordValueWriter(csv: false, selection: selection, output: &output)
        writer.output.append(UInt8(ascii: "{"))
        return writer
    }

    /// Closes the object, ends the line and hands `output` back.
    mutating func endJSON(output: inout [UInt8]) {
        closeGroup()
        self.output.append(contentsOf: [UInt8(ascii: "}"), UInt8(ascii: "\n")])
        swap(&self.output, &output)
    }

    /// Starts a CSV row, taking over `output` until `endCSV`.
    static func beginCSV(output: inout [UInt8]) -> RecordValueWriter {
        RecordValueWriter(csv: true, selection: nil, output: &output)
    }

    /// Ends the row and hands `output` back.
    mutating func endCSV(output: inout [UInt8]) {
        self.output.append(contentsOf: [0x0D, 0x0A])
        swap(&self.output, &output)
    }

    /// Between CSV cells.
    mutating func comma() {
        output.append(UInt8(ascii: ","))
    }

    /// Makes `key` the one the next value is written under, closing a group object it is
    /// not in.
    mutating func enter(_ key: RecordKey) {
        self.key = key.jsonKey
        groupKey = key.groupJSONKey
        if openGroup.count > 0 && !groupKey.elementsEqual(openGroup) { closeGroup() }
    }

    /// A value written the same way in JSON and CSV, after its key (or cell separator).
    private mutating func scalar<Value>(_ value: Value?, _ append: (Value, inout [UInt8]) -> Void) {
        guard let value else { return }
        writeKey()
        append(value, &output)
    }

    mutating func integer(_ value: Int?) {
        scalar(value) { JSONLineEncoder.appendInteger($0, to: &$1) }
    }

    mutating func string(_ value: String?) {
        guard let value else { return }
        writeKey()
        if csv {
            CSVLineEncoder.appendCell(value, to: &output)
        } else {
            JSONLineEncoder.appendString(value, to: &output)
        }
    }

    mutating func boolean(_ value: Bool?) {
        scalar(value) { $1.append(contentsOf: ($0 ? "true" : "false").utf8) }
    }

    /// A boolean JSON writes only when true (`links_truncated`: most pages have all their
    /// links); CSV writes `true` and `false`.
    mutating func flag(_ value: Bool?) {
        boolean(csv || value == true ? value : nil)
    }

    /// Microseconds, written as seconds with six decimals.
    mutating func seconds(_ microseconds: Int64?) {
        scalar(microseconds) { JSONLineEncoder.appendSeconds($0, to: &$1) }
    }

    /// A number of seconds, rounded to microseconds, in its shortest form (`120.0`).
    mutating func decimal(_ value: Double?) {
        scalar(value) { JSONLineEncoder.appendDecimal($0, to: &$1) }
    }

    /// A JSON array; in CSV one cell, the strings joined.
    mutating func strings(_ values: [String]?) {
        guard let values else { return }
        writeKey()
        if csv {
            CSVLineEncoder.appendCell(joining: values, to: &output)
        } else {
            JSONLineEncoder.appendArray(values, to: &output)
        }
    }

    /// A JSON value written as its bytes stand (JSON Lines input's `meta`, valid JSON); in CSV
    /// one cell of that text.
    mutating func rawJSON(_ bytes: [UInt8]?) {
        guard let bytes else { return }
        writeKey()
        if csv {
            CSVLineEncoder.appendCell(String(decoding: bytes, as: UTF8.self), to: &output)
        } else {
            output.append(contentsOf: bytes)
        }
    }

    /// A JSON object of string values (`headers`); in CSV one cell of `name: value` entries.
    mutating func pairs(_ pairs: [(name: String, value: String)]?) {
        guard let pairs else { return }
        writeKey()
        if csv {
            CSVLineEncoder.appendCell(joining: pairs.map { "\($0.name): \($0.value)" }, to: &output)
        } else {
            var object = JSONObjectWriter(&output)
            for pair in pairs {
                object.key(pair.name, &output)
                JSONLineEncoder.appendString(pair.value, to: &output)
            }
            object.close(&output)
        }
    }

    /// `"extract":{"NAME":[…],…}` with the entries the selection keeps; nothing when it keeps
    /// none. (CSV has a column per rule instead: `CSVLineEncoder`.)
    mutating func extract(_ entries: [PageData.Extracted]?) {
        guard let selection, let entries, entries.contains(where: selection.keeps) else { return }
        writeKey()
        var object = JSONObjectWriter(&output)
        for entry in entries where selection.keeps(entry) {
            object.key(entry.name, &output)
            JSONLineEncoder.appendArray(entry.values, to: &output)
        }
        object.close(&output)
    }

    /// In JSON, the current key; a CSV cell has none.
    @inline(__always)
    private mutating func writeKey() {
        if !csv { writeJSONKey() }
    }

    /// The current key and what it needs before it: a comma, and its group's opening.
    private mutating func writeJSONKey() {
        if groupKey.count > 0 && openGroup.count == 0 {
            if needsComma { output.append(UInt8(ascii: ",")) }
            needsComma = true
            output.append(contentsOf: groupKey)
            output.append(UInt8(ascii: "{"))
            openGroup = groupKey
            nestedNeedsComma = false
        }
        if groupKey.count > 0 {
            if nestedNeedsComma { output.append(UInt8(ascii: ",")) }
            nestedNeedsComma = true
        } else {
            if needsComma { output.append(UInt8(ascii: ",")) }
            needsComma = true
        }
        output.append(contentsOf: key)
    }

    private mutating func closeGroup() {
        guard openGroup.count > 0 else { return }
        output.append(UInt8(ascii: "}"))
        openGroup = UnsafeBufferPointer(start: nil, count: 0)
    }
}

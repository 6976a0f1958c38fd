/// One key of the record, as `RecordSchema.keys` lists it: its name, how it writes its value
/// (which `RecordValueWriter` call, and so its JSON and CSV forms), and what uses it besides
/// the full record. A dot nests the key: `time.total` is `total` in the record's `time` object.
///
/// A class, so that the encoders' loops over the table pass a reference rather than copying an
/// entry for every key of every record. `@unchecked Sendable`: every property is a constant,
/// and the byte buffers are written in `init` only and freed in `deinit`.
final class RecordKey: @unchecked Sendable {
    /// When the CSV columns without `--fields` have the key.
    enum DefaultColumn: Sendable {
        case always, never
        /// Only with `--dedupe`.
        case dedupe
        /// Only with `--save-dir`.
        case saving
        /// Only in a crawl.
        case crawl
        /// Only with WARC output.
        case archiving
    }

    /// As `--fields` takes it and a CSV header shows it: `time.total`.
    let name: String
    /// Writes the key's value from a record with one call of the writer, for either format.
    let write: @Sendable (Record, inout RecordValueWriter) -> Void
    /// Whether the full record (JSON Lines without `--fields`) has the key: `links_count` is
    /// there for CSV and `--fields` only.
    let inRecord: Bool
    let defaultColumn: DefaultColumn
    /// Whether `--resume` reads the key back (`CompletedLines`), so `--fields` must keep it.
    let resume: Bool
    /// Whether the key is `extract`: one entry, array or CSV column per `--select`/`--xpath`
    /// rule, each selectable as `extract.NAME`.
    let perRule: Bool
    /// The object the key is nested in (`time` for `time.total`); nil at the top level.
    let group: String?
    /// The key inside its object, quoted and with its colon (`"total":`), built once so that
    /// the JSON encoder copies bytes.
    let jsonKey: UnsafeBufferPointer<UInt8>
    /// The group's key in the same form (`"time":`); empty at the top level.
    let groupJSONKey: UnsafeBufferPointer<UInt8>

    init(_ name: String, inRecord: Bool = true, defaultColumn: DefaultColumn = .always, resume: Bool = false,
         perRule: Bool = false, write: @escaping @Sendable (Record, inout RecordValueWriter) -> Void) {
        self.name = name
        self.write = write
        self.inRecord = inRecord
        self.defaultColumn = defaultColumn
        self.resume = resume
        self.perRule = perRule
        let parts = name.split(separator: ".", maxSplits: 1).map(String.init)
        group = parts.count == 2 ? parts[0] : nil
        jsonKey = Self.quoted(parts.last ?? name)
        groupJSONKey = Self.quoted(group)
    }

    deinit {
        jsonKey.deallocate()
        groupJSONKey.deallocate()
    }

    /// `"key":` in a buffer of its own; an empty one for nil.
    private static func quoted(_ key: String?) -> UnsafeBufferPointer<UInt8> {
        var bytes: [UInt8] = []
        if let key {
            JSONLineEncoder.appendString(key, to: &bytes)
            bytes.append(UInt8(ascii: ":"))
        }
        let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: bytes.count)
        _ = buffer.initialize(from: bytes)
        return UnsafeBufferPointer(buffer)
    }
}

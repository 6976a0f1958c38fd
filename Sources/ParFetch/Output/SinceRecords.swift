#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

#if canImport(Glibc)
import Glibc
#endif

/// The validators of an earlier run's records (`etag`, `last_modified`), by URL: what a
/// conditional re-fetch (`--since`) asks with, `If-None-Match` and `If-Modified-Since`.
///
/// Kept as one string per URL (the two values joined), keyed by a 64-bit hash of the record's
/// `url`: no URL string is kept. A URL's last record with a validator wins.
public struct SinceRecords: Sendable {
    private var validators: [UInt64: String] = [:]

    public init() {}

    /// URLs with a validator.
    public var count: Int { validators.count }

    /// Records `etag` and `lastModified` (either may be nil) for `url`.
    public mutating func insert(url: String, etag: String?, lastModified: String?) {
        guard etag != nil || lastModified != nil else { return }
        // Neither value can hold a line break: libcurl gives header values one a line.
        validators[Self.key(url)] = (etag ?? "") + "\n" + (lastModified ?? "")
    }

    /// The conditional headers for a line reading `url`, in curl's syntax; nil when the
    /// earlier run recorded no validator for it.
    public func conditionalHeaders(for url: String) -> [String]? {
        guard let joined = validators[Self.key(url)] else { return nil }
        let parts = joined.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
        var headers: [String] = []
        if !parts[0].isEmpty { headers.append("If-None-Match: \(parts[0])") }
        if parts.count > 1, !parts[1].isEmpty { headers.append("If-Modified-Since: \(parts[1])") }
        return headers
    }

    /// 64 bits of FNV-1a.
    static func key(_ url: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in url.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return hash
    }

    private struct RecordFields: Decodable {
        var url: String
        var etag: String?
        var last_modified: String?
    }

    /// Reads the JSON Lines records of `path`, a line at a time. Every line must be a record
    /// (an object with a `url`); the first that is not is named. Throws `SinceRecordsError`.
    public static func load(path: String) throws -> SinceRecords {
        guard let file = fopen(path, "r") else { throw SinceRecordsError("cannot read \(path): \(String(cString: strerror(errno)))") }
        defer { fclose(file) }
        var info = stat()
        guard fstat(fileno(file), &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            throw SinceRecordsError("\(path) is not a regular file")
        }
        var records = SinceRecords()
        let decoder = JSONDecoder()
        var line: UnsafeMutablePointer<CChar>?
        var capacity = 0
        defer { free(line) }
        var number = 0
        while true {
            let count = getline(&line, &capacity, file)
            if count < 0 { break }
            number += 1
            guard let line else { break }
            let bytes = UnsafeRawBufferPointer(start: line, count: count)
            if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { continue }
            guard let record = try? decoder.decode(RecordFields.self, from: Data(bytes)) else {
                throw SinceRecordsError("\(path) line \(number) is not a parfetch record (--since takes an earlier run's JSON Lines output)")
            }
            records.insert(url: record.url, etag: record.etag, lastModified: record.last_modified)
        }
        if ferror(file) != 0 { throw SinceRecordsError("cannot read \(path): \(String(cString: strerror(errno)))") }
        return records
    }
}

/// A `--since` file that can't be used; `description` is one line.
public struct SinceRecordsError: Error, Sendable, CustomStringConvertible {
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}

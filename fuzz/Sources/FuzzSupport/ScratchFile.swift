#if canImport(Glibc)
import Glibc
#endif

/// One file per fuzzing process that each input is written into, for the entry points that
/// read a path (the list reader, the resume reader). Created once; rewritten per input.
public final class ScratchFile: Sendable {
    public let path: String

    public init(_ name: String) {
        let directory = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        path = "\(directory)/parfetch-\(name)-\(getpid())"
    }

    /// Replaces the file's contents with `bytes`.
    public func write(_ bytes: [UInt8]) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        invariant(fd >= 0, "cannot create \(path)")
        defer { close(fd) }
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, bytes.count - written) }
            invariant(result > 0, "cannot write \(path)")
            written += result
        }
    }

    /// The file's contents now (the resume reader may cut a torn last line off).
    public func read() -> [UInt8] {
        let fd = open(path, O_RDONLY)
        invariant(fd >= 0, "cannot open \(path)")
        defer { close(fd) }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
            invariant(count >= 0, "cannot read \(path)")
            if count == 0 { return result }
            result += chunk[..<count]
        }
    }
}

/// Input bytes with one escape, so that short inputs can stand for long ones (a fuzzer's
/// inputs stay a few KB, while the list reader's limits are 64 KB lines in 256 KB reads):
/// 0xFF n b is the byte b repeated n × 512 times, or once when n is 0 (a literal b, e.g. 0xFF).
/// The result stops at `limit` bytes: under ASan every megabyte costs about 0.1 s, and a few
/// escapes would otherwise make most inputs megabytes long.
public func expanded(_ data: UnsafeBufferPointer<UInt8>, limit: Int) -> [UInt8] {
    var result: [UInt8] = []
    result.reserveCapacity(data.count)
    var index = 0
    while index < data.count && result.count < limit {
        let byte = data[index]
        if byte == 0xFF, index + 2 < data.count {
            let count = Int(data[index + 1]) * 512
            result.append(contentsOf: repeatElement(data[index + 2], count: max(count, 1)))
            index += 3
        } else {
            result.append(byte)
            index += 1
        }
    }
    return Array(result.prefix(limit))
}

/// Whether `text`'s bytes are valid UTF-8 (a String built by unsafe means may not be).
public func isValidUTF8(_ text: String) -> Bool {
    String(validating: Array(text.utf8), as: UTF8.self) != nil
}

/// Whether `text` is one line: no line break of any kind in it.
public func isOneLine(_ text: String) -> Bool {
    !text.unicodeScalars.contains { "\n\r\u{0B}\u{0C}\u{85}\u{2028}\u{2029}".unicodeScalars.contains($0) }
}

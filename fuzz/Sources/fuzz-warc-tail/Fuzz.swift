import FuzzSupport
@testable import ParFetch

/// A WARC file that `--resume` finds after a crash: the first byte picks gzip (odd) or plain
/// (even), the rest is the file.
///
/// Invariants: the whole prefix is at most the file; it is refused (NotWARC) only when the
/// file does not start as the mode's first bytes would; scanning is deterministic; the prefix
/// scans as itself (cutting there and resuming again cuts nothing more); and a record written
/// after the cut (what the resumed run appends) is counted whole after it, so resuming never
/// cuts what it wrote.
private let appended = WARCRecord.record([WARCField("WARC-Type", "resource"), WARCField("WARC-Record-ID", "<urn:uuid:0>")],
                                         block: Array("appended\r\n".utf8), compressor: nil)
private let appendedGzip = GzipCompressor().compress(appended)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let gzip = data[0] & 1 == 1
    let file = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    let whole: Int64
    do {
        whole = try scan(file, gzip: gzip)
    } catch {
        let start: [UInt8] = gzip ? [0x1F, 0x8B] : Array("WARC/".utf8)
        invariant(!start.starts(with: file.prefix(start.count)), "a file that starts as WARC was refused")
        return 0
    }
    invariant(whole >= 0 && whole <= Int64(file.count), "whole prefix \(whole) of \(file.count) bytes")
    invariant((try? scan(file, gzip: gzip)) == whole, "two scans differ")
    let prefix = Array(file[..<Int(whole)])
    invariant((try? scan(prefix, gzip: gzip)) == whole, "the cut file scans shorter than the cut")
    let record = gzip ? appendedGzip : appended
    invariant((try? scan(prefix + record, gzip: gzip)) == whole + Int64(record.count),
              "a record appended after the cut is not whole")
    return 0
}

private func scan(_ file: [UInt8], gzip: Bool) throws -> Int64 {
    try WARCTail.wholeLength(gzip: gzip) { offset, buffer in
        guard offset < file.count else { return 0 }
        let count = min(buffer.count, file.count - Int(offset))
        file.withUnsafeBytes { bytes in
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[Int(offset)..<(Int(offset) + count)]))
        }
        return count
    }
}

import CZlib

/// Finds where the whole records of a WARC file end, so that `--resume` can cut what a crash
/// left torn after them (a gzip member or a record written in part) and append. Reads through
/// `read(offset, buffer)` (pread-like: bytes read, 0 at the end), so it runs over a file of any
/// size in constant memory, and over bytes in memory for the fuzz target.
enum WARCTail {
    /// The file does not start as a WARC file (of the kind `gzip` says): nothing may be cut.
    struct NotWARC: Error {}

    static let chunk = 1 << 20

    /// The length of the longest prefix of whole records. Throws `NotWARC` when the first
    /// bytes are not a WARC record's start (or a gzip member's, with `gzip`).
    static func wholeLength(gzip: Bool, read: (Int64, UnsafeMutableRawBufferPointer) -> Int) throws(NotWARC) -> Int64 {
        gzip ? try wholeMembers(read: read) : try wholeRecords(read: read)
    }

    /// Gzip members that inflate whole and each start with a WARC version line.
    private static func wholeMembers(read: (Int64, UnsafeMutableRawBufferPointer) -> Int) throws(NotWARC) -> Int64 {
        let input = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 1)
        let output = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 1)
        defer {
            input.deallocate()
            output.deallocate()
        }
        let count = read(0, UnsafeMutableRawBufferPointer(rebasing: input[0..<2]))
        // A file cut inside its first member's magic is torn, not something else.
        guard [0x1F, 0x8B].starts(with: input.prefix(count)) else { throw NotWARC() }
        if count < 2 { return 0 }
        var stream = z_stream()
        guard inflateInit2_(&stream, 15 + 16, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return 0 }
        defer { inflateEnd(&stream) }
        // File offset of the byte after the last one handed to zlib.
        var fed: Int64 = 0
        var wholeEnd: Int64 = 0
        // The first bytes the current member inflated to: a WARC record starts "WARC/".
        var start: [UInt8] = []
        while true {
            if stream.avail_in == 0 {
                let got = read(fed, input)
                if got <= 0 { return wholeEnd }
                stream.next_in = input.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.avail_in = uInt(got)
                fed += Int64(got)
            }
            stream.next_out = output.baseAddress!.assumingMemoryBound(to: Bytef.self)
            stream.avail_out = uInt(output.count)
            let status = inflate(&stream, Z_NO_FLUSH)
            let produced = output.count - Int(stream.avail_out)
            if start.count < 5 { start += output.prefix(min(produced, 5 - start.count)) }
            switch status {
            case Z_OK:
                continue
            case Z_BUF_ERROR where stream.avail_in == 0:
                continue
            case Z_STREAM_END:
                guard start == Array("WARC/".utf8) else { return wholeEnd }
                wholeEnd = fed - Int64(stream.avail_in)
                start = []
                inflateReset(&stream)
            default:
                return wholeEnd
            }
        }
    }

    /// Uncompressed records: a header that ends in a blank line within 1 MiB, its
    /// Content-Length of block, and the two line ends after it.
    private static func wholeRecords(read: (Int64, UnsafeMutableRawBufferPointer) -> Int) throws(NotWARC) -> Int64 {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 1)
        defer { buffer.deallocate() }
        var position: Int64 = 0
        while true {
            let got = read(position, buffer)
            if got == 0 { return position }
            let header = UnsafeRawBufferPointer(rebasing: buffer[0..<got])
            guard header.starts(with: "WARC/".utf8) else {
                // Torn inside the first record's version line: cut; anything else is not WARC.
                if position == 0 && !"WARC/".utf8.starts(with: header.prefix(5)) { throw NotWARC() }
                return position
            }
            guard let blank = find([0x0D, 0x0A, 0x0D, 0x0A], in: header),
                  let length = contentLength(header[..<blank]) else { return position }
            let end = position + Int64(blank + 4) + length + 4
            let closing = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<4])
            guard end >= position + 4, read(end - 4, closing) == 4,
                  closing.elementsEqual([0x0D, 0x0A, 0x0D, 0x0A]) else { return position }
            position = end
        }
    }

    private static func find(_ needle: [UInt8], in bytes: UnsafeRawBufferPointer) -> Int? {
        guard bytes.count >= needle.count else { return nil }
        for index in 0...(bytes.count - needle.count) where bytes[index] == needle[0] {
            if bytes[index..<(index + needle.count)].elementsEqual(needle) { return index }
        }
        return nil
    }

    /// The `Content-Length` field's value in a record's header lines.
    private static func contentLength(_ header: Slice<UnsafeRawBufferPointer>) -> Int64? {
        let name = Array("content-length:".utf8)
        for line in header.split(separator: 0x0A) {
            guard line.count > name.count, zip(line, name).allSatisfy({ $0 | 0x20 == $1 }) else { continue }
            let digits = line.dropFirst(name.count).filter { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }
            guard !digits.isEmpty, digits.count <= 18, digits.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
            return digits.reduce(Int64(0)) { $0 * 10 + Int64($1 - 0x30) }
        }
        return nil
    }
}

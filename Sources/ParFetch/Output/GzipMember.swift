import CZlib

/// Compresses bytes into one whole gzip member (RFC 1952), as WARC's Annex D wants each record:
/// members concatenate into a file that gzip reads as one stream, and a reader can start at any
/// member's offset.
enum GzipMember {
    /// zlib's level 6 (its default): what gzip(1) and wget write.
    static func compress(_ bytes: [UInt8], level: Int32 = 6) -> [UInt8] {
        var stream = z_stream()
        // deflateInit2 is a C macro Swift cannot call; deflateInit2_ is the function behind it.
        // windowBits 15 + 16: a gzip header and trailer around the deflate data.
        guard deflateInit2_(&stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION,
                            Int32(MemoryLayout<z_stream>.size)) == Z_OK
        else { fatalError("zlib could not start a gzip member: out of memory") }
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(bytes.count))))
        let written = bytes.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
                stream.avail_in = UInt32(input.count)
                stream.next_out = out.baseAddress
                stream.avail_out = UInt32(out.count)
                // deflateBound is room enough for one call with Z_FINISH to end the member.
                let result = deflate(&stream, Z_FINISH)
                precondition(result == Z_STREAM_END, "deflate did not finish within deflateBound")
                return out.count - Int(stream.avail_out)
            }
        }
        output.removeSubrange(written...)
        return output
    }
}

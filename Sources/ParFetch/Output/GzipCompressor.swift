import CZlib

/// Compresses bytes into whole gzip members (RFC 1952), as WARC's Annex D wants each record:
/// members concatenate into a file that gzip reads as one stream, and a reader can start at any
/// member's offset. One zlib stream serves every member (`deflateReset` between them): setting
/// one up allocates and clears about 256 KiB, which for a WARC record of a few KiB cost more
/// than compressing it (zlib was 42 % of a `--warc` run's CPU before).
///
/// Not Sendable: each parse worker (and the WARC writer) has its own.
final class GzipCompressor {
    /// zlib keeps a pointer back to the stream it was initialised with: a fixed address.
    private let stream: UnsafeMutablePointer<z_stream>

    /// zlib's level 6 (its default): what gzip(1) and wget write.
    init(level: Int32 = 6) {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // deflateInit2 is a C macro Swift cannot call; deflateInit2_ is the function behind it.
        // windowBits 15 + 16: a gzip header and trailer around the deflate data.
        guard deflateInit2_(stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION,
                            Int32(MemoryLayout<z_stream>.size)) == Z_OK
        else { fatalError("zlib could not start a gzip stream: out of memory") }
    }

    deinit {
        deflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// `bytes` as one gzip member.
    func compress(_ bytes: [UInt8]) -> [UInt8] {
        deflateReset(stream)
        var output = [UInt8](repeating: 0, count: Int(deflateBound(stream, UInt(bytes.count))))
        let written = bytes.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
                stream.pointee.avail_in = UInt32(input.count)
                stream.pointee.next_out = out.baseAddress
                stream.pointee.avail_out = UInt32(out.count)
                // deflateBound is room enough for one call with Z_FINISH to end the member.
                let result = deflate(stream, Z_FINISH)
                precondition(result == Z_STREAM_END, "deflate did not finish within deflateBound")
                return out.count - Int(stream.pointee.avail_out)
            }
        }
        output.removeSubrange(written...)
        return output
    }
}

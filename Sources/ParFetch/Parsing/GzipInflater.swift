import CZlib

/// Inflates a gzip body (RFC 1952) a piece at a time into buffers the caller owns, so that a
/// small body that inflates to gigabytes (a gzip bomb) costs only what the caller asks for.
/// Members written one after another (`cat a.gz b.gz`) inflate as one stream, as gzip(1)
/// reads them; bytes after the last member that do not start another are ignored, as gzip(1)
/// ignores trailing garbage.
///
/// Not Sendable: zlib's stream state is mutated by every call; it reads `input`, which the
/// caller keeps alive and unchanged until the inflater is gone.
final class GzipInflater {
    /// Why the body could not be inflated.
    enum Failure: Equatable {
        /// zlib refused the data (bad header, bad block, bad checksum).
        case corrupt
        /// The body ends inside a member.
        case truncated
        /// zlib could not allocate its state.
        case outOfMemory
    }

    /// zlib keeps a pointer back to the stream it was initialised with, so the stream lives at
    /// a fixed address, not inside this object's (movable) stored properties.
    private let stream: UnsafeMutablePointer<z_stream>
    private let input: UnsafeBufferPointer<UInt8>
    /// Bytes of `input` handed to zlib so far.
    private var consumed = 0
    private var initialized = false
    private var finished = false
    private(set) var failure: Failure?

    /// The two bytes every gzip member starts with.
    static func isGzip<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Bool {
        bytes.starts(with: [0x1F, 0x8B])
    }

    init(input: UnsafeBufferPointer<UInt8>) {
        self.input = input
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // inflateInit2 is a C macro Swift cannot call; inflateInit2_ is the function behind it.
        // windowBits 15 + 16: a 32 KiB window, gzip header and trailer only (no zlib, no raw).
        if inflateInit2_(stream, 15 + 16, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK {
            initialized = true
        } else {
            failure = .outOfMemory
        }
    }

    deinit {
        if initialized { inflateEnd(stream) }
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// Fills `output` with the next inflated bytes and returns how many: fewer than its size
    /// only at the end of the data, 0 once it is over (or failed: see `failure`).
    func inflate(into output: UnsafeMutableRawBufferPointer) -> Int {
        guard let base = output.baseAddress, !output.isEmpty, !finished, failure == nil else { return 0 }
        let space = min(output.count, Int(UInt32.max))
        stream.pointee.next_out = base.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_out = uInt(space)
        while stream.pointee.avail_out > 0 {
            if stream.pointee.avail_in == 0 && consumed < input.count {
                // avail_in is 32 bits; a body larger than that is handed over in parts.
                let part = min(input.count - consumed, Int(UInt32.max))
                stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress! + consumed)
                stream.pointee.avail_in = uInt(part)
                consumed += part
            }
            let status = CZlib.inflate(stream, Z_NO_FLUSH)
            switch status {
            case Z_OK:
                continue
            case Z_STREAM_END:
                if startsAnotherMember() {
                    inflateReset(stream)
                } else {
                    finished = true
                    return space - Int(stream.pointee.avail_out)
                }
            case Z_BUF_ERROR where stream.pointee.avail_in == 0 && consumed == input.count:
                // No progress possible: the input ran out inside a member.
                failure = .truncated
                return space - Int(stream.pointee.avail_out)
            case Z_MEM_ERROR:
                failure = .outOfMemory
                return space - Int(stream.pointee.avail_out)
            default:
                // Z_DATA_ERROR, Z_NEED_DICT (not gzip), Z_STREAM_ERROR.
                failure = .corrupt
                return space - Int(stream.pointee.avail_out)
            }
        }
        return space
    }

    /// Whether the bytes left after a member's trailer start another member. The magic must
    /// be whole, so a lone trailing 0x1F is garbage, not a truncated member.
    private func startsAnotherMember() -> Bool {
        let pending = Int(stream.pointee.avail_in)
        let rest = input[(consumed - pending)...]
        return Self.isGzip(rest)
    }
}

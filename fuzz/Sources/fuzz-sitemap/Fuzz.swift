import CZlib
import FuzzSupport
@testable import ParFetch

/// A sitemap body, as a parse worker reads it (gzip or not, by its magic bytes); the same
/// bytes also as a robots.txt for its `Sitemap:` lines.
///
/// Invariants: reading is deterministic; every entry is an http(s) URL that checks again as
/// itself; no more entries and bytes than the limits; no kind exactly when nothing could be
/// read, with an error saying so; errors are one line; a higher entry limit only adds entries
/// after the same ones; and the body gzipped (as one member, or as two split anywhere) reads
/// exactly as the body itself.
private let limits = SitemapReader.Limits(maxEntries: 16, maxBytes: 64 * 1024)
// libFuzzer runs inputs one at a time on one thread: the readers are not shared.
nonisolated(unsafe) private let reader = SitemapReader(limits: limits)
nonisolated(unsafe) private let roomier = SitemapReader(limits: .init(maxEntries: 1_000, maxBytes: limits.maxBytes))
private let url = try! CheckedURL("https://example.com/dir/sitemap.xml")

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let body = Array(UnsafeBufferPointer(start: data, count: size))
    let sitemap = reader.read(body, url: url)
    invariant(sitemap == reader.read(body, url: url), "two reads of one body differ")
    check(sitemap)

    let more = roomier.read(body, url: url)
    check(more, maxEntries: 1_000)
    invariant(Array(more.entries.prefix(sitemap.entries.count)) == sitemap.entries,
              "a higher entry limit changed the first entries")
    invariant(more.entries.count <= limits.maxEntries || sitemap.truncated,
              "\(more.entries.count) entries, but the limit of \(limits.maxEntries) did not truncate")

    if !GzipInflater.isGzip(body) {
        invariant(reader.read(gzip(body[...]), url: url) == sitemap, "the body gzipped reads differently")
        let split = size == 0 ? 0 : Int(body[size / 2]) % (size + 1)
        invariant(reader.read(gzip(body[..<split]) + gzip(body[split...]), url: url) == sitemap,
                  "the body as two gzip members (split at \(split)) reads differently")
    }

    let sitemaps = RobotsRules.sitemapURLs(in: body)
    invariant(sitemaps.count <= RobotsRules.maxSitemaps, "\(sitemaps.count) robots.txt sitemaps")
    invariant(Set(sitemaps).count == sitemaps.count, "a robots.txt sitemap twice")
    for entry in sitemaps { checkURL(entry) }
    return 0
}

private func check(_ sitemap: Sitemap, maxEntries: Int = limits.maxEntries) {
    invariant(sitemap.entries.count <= maxEntries, "\(sitemap.entries.count) entries")
    invariant(sitemap.bytesRead <= limits.maxBytes, "\(sitemap.bytesRead) bytes read")
    invariant(sitemap.invalidEntries >= 0, "negative invalid count")
    if sitemap.kind == nil {
        invariant(sitemap.error != nil, "no kind and no error")
        invariant(sitemap.entries.isEmpty && sitemap.invalidEntries == 0, "entries without a kind")
    }
    if sitemap.error?.isNotASitemap == true { invariant(sitemap.kind == nil, "a kind, and not a sitemap") }
    if let error = sitemap.error {
        invariant(!error.description.contains { $0.isNewline }, "error on two lines: \(error)")
    }
    for entry in sitemap.entries { checkURL(entry) }
}

private func checkURL(_ entry: CheckedURL) {
    invariant(entry.absolute.hasPrefix("http://") || entry.absolute.hasPrefix("https://"), "entry \(entry)")
    invariant((try? CheckedURL(entry.absolute)) == entry, "entry \(entry) does not check as itself")
}

/// `bytes` as one gzip member (zlib, one deflate call).
private func gzip(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
    var stream = z_stream()
    guard deflateInit2_(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY,
                        ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else { fatalError("deflateInit2") }
    defer { deflateEnd(&stream) }
    var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(bytes.count))))
    var input = Array(bytes)
    let status = input.withUnsafeMutableBufferPointer { input in
        output.withUnsafeMutableBufferPointer { output in
            stream.next_in = input.baseAddress
            stream.avail_in = uInt(input.count)
            stream.next_out = output.baseAddress
            stream.avail_out = uInt(output.count)
            return deflate(&stream, Z_FINISH)
        }
    }
    invariant(status == Z_STREAM_END, "deflate failed")
    output.removeLast(Int(stream.avail_out))
    return output
}

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import NIOConcurrencyHelpers
import NIOCore

/// The files of the pages directory, read on first use and then kept in memory (plain and
/// gzipped): tests fetch the same few small pages thousands of times.
///
/// A file is read on the event loop that first asks for it. That blocks the loop once per file,
/// for a small fixture, which is cheaper than a thread pool hop on every request.
/// Missing files are not remembered, so pages added while the server runs are found.
final class PageStore: Sendable {
    struct Page: Sendable {
        let body: ByteBuffer
        let contentType: String
    }

    private let directory: String
    private let pages = NIOLockedValueBox<[String: Page]>([:])  // protected by its own lock
    private let gzipped = NIOLockedValueBox<[String: ByteBuffer]>([:])  // protected by its own lock

    init(directory: String) {
        self.directory = directory
    }

    /// The page called `name`, or nil if there is no such file. `name` is a bare file name
    /// (``Route`` rejects `/` and `..`).
    func page(named name: String) -> Page? {
        if let page = self.pages.withLockedValue({ $0[name] }) {
            return page
        }
        let url = URL(fileURLWithPath: self.directory).appendingPathComponent(name)
        guard let data = try? Data(contentsOf: url) else { return nil }
        let page = Page(body: ByteBuffer(bytes: data), contentType: PageStore.contentType(forName: name))
        // Two loops may read the same file at once; both get the same bytes, either may be kept.
        self.pages.withLockedValue { $0[name] = page }
        return page
    }

    /// The page called `name` compressed with gzip, or nil if there is no such file.
    func gzippedPage(named name: String) -> ByteBuffer? {
        if let body = self.gzipped.withLockedValue({ $0[name] }) {
            return body
        }
        guard let page = self.page(named: name),
            let compressed = Gzip.compress(Array(page.body.readableBytesView))
        else { return nil }
        let body = ByteBuffer(bytes: compressed)
        self.gzipped.withLockedValue { $0[name] = body }
        return body
    }

    static func contentType(forName name: String) -> String {
        if name.hasSuffix(".html") { return "text/html" }
        if name.hasSuffix(".txt") { return "text/plain" }
        return "application/octet-stream"
    }
}

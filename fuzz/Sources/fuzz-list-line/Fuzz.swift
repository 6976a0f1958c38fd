import FuzzSupport
@testable import ParFetch

/// The URL list: the input (expanded, see `expanded`) is written as a list file and read with
/// `ListReader`, counted with `ListReader.countEntries`, and each of its lines is checked with
/// `URLCheck` on its own.
///
/// Invariants: every line that is not blank or a comment (after the BOM and white space) gets
/// exactly one item, with its line number, in order; the count agrees; an accepted URL is
/// http(s), has a host key, its parts fit its spelling, and it checks again as itself, parts
/// and all (libcurl's spelling is stable).
private let file = ScratchFile("list")
// libFuzzer runs inputs one at a time on one thread: the non-Sendable state is not shared.
nonisolated(unsafe) private let check = URLCheck()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    // Past the reader's 256 KB buffer and its 64 KB line limit, not much further.
    let bytes = expanded(UnsafeBufferPointer(start: data, count: size), limit: 320 * 1024)
    file.write(bytes)

    let expected = entryLines(bytes)
    var items: [ListItem] = []
    do {
        let reader = try ListReader(path: file.path)
        while let item = try reader.next() { items.append(item) }
    } catch {
        invariant(false, "reading a regular file threw \(error)")
    }
    invariant(items.map(\.line) == expected,
              "items on lines \(items.map(\.line).prefix(20)), expected \(expected.prefix(20))")
    let counted = ListReader.countEntries(path: file.path)
    invariant(counted == expected.count, "countEntries \(String(describing: counted)), expected \(expected.count)")

    for item in items {
        invariant(isValidUTF8(item.text), "item text is not valid UTF-8")
        if case .success(let url) = item.target {
            checkAccepted(url, from: item.text)
        }
    }
    // Each line on its own, as the list reader would pass it (short lines only: the reader
    // refuses long ones before they reach URLCheck).
    for line in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) where line.count <= 4096 {
        guard let text = String(validating: line, as: UTF8.self), !text.utf8.contains(0) else { continue }
        if case .success(let url) = check.check(text) { checkAccepted(url, from: text) }
    }
    return 0
}

private func checkAccepted(_ url: CheckedURL, from text: String) {
    invariant(url.absolute.hasPrefix(url.scheme + "://"), "accepted \(url) (from \(text)) is not spelt \(url.scheme)://")
    invariant(!url.hostKey.isEmpty, "accepted \(url) without a host key")
    // The parts are read from libcurl's part lengths: they must fit its spelling.
    invariant(url.withoutFragment.hasSuffix(url.pathAndQuery) && url.pathAndQuery.hasPrefix("/"),
              "\(url): path and query \(url.pathAndQuery) do not end \(url.withoutFragment)")
    invariant(url.absolute.hasPrefix(url.withoutFragment), "\(url): \(url.withoutFragment) is not its start")
    switch check.check(url.absolute) {
    case .success(let again):
        invariant(again == url, "not stable: \(text) -> \(url) -> \(again)")
    case .failure(let error):
        invariant(false, "\(text) -> \(url), which is then refused: \(error)")
    }
}

/// The line numbers that must get an item: the model of the list format in DESIGN.md.
private func entryLines(_ bytes: [UInt8]) -> [Int] {
    var result: [Int] = []
    for (index, raw) in bytes.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
        var line = raw
        if index == 0, line.starts(with: [0xEF, 0xBB, 0xBF]) { line = line.dropFirst(3) }
        guard let first = line.first(where: { !($0 == 0x20 || (0x09...0x0D).contains($0)) }) else { continue }
        if first != UInt8(ascii: "#") { result.append(index + 1) }
    }
    // A final LF ends the last line; it does not start another.
    return result
}

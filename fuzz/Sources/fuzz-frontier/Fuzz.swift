#if canImport(Glibc)
import Glibc
#endif
import FuzzSupport
@testable import ParFetch

/// A crawl's frontier as `--resume` reads it back: the input (expanded, see `expanded`) is
/// written as the frontier file, read with `CrawlSettings.recordedLines` (after two seeds) and
/// loaded with `FrontierFile.load`, then appended to and read again with a `FrontierCursor`.
/// Every result is compared with a model of the line format written here, on bytes, apart
/// from FrontierFile's code.
///
/// Invariants: `load` throws only `notAFrontier`, on the model's first bad whole line
/// (1-based among the whole lines), after handing over the entries of the lines before it,
/// and leaves a refused file byte for byte as it was; when it loads, the entries are the
/// model's for every whole line, and the file is the input cut after its last newline (only
/// a torn tail is removed, a file ending in a newline is unchanged). `recordedLines` gives the
/// seeds on lines 1 and 2, then the URL of each found entry numbered on from 3, or throws the
/// same `notAFrontier`, and changes nothing. After a load, a found, a fetched and a sitemaps
/// line appended (from text of the input that `canHold` takes) are read back by a fresh
/// cursor after the model's lines, and parse to the entries they were made from. `parse`
/// agrees with the model on every whole line, and refuses each line changed to have a depth
/// of 7 digits, a negative depth, an empty URL or an extra tab field. `canHold` is exactly
/// "no tab, CR or LF".
private let file = ScratchFile("frontier")
private let seeds = ["http://seed.test/1", "https://seed.test/2"]

/// An entry as the model reads it: the fields' bytes, decoded (invalid UTF-8 replaced) as the
/// reader decodes a line.
private enum Model: Equatable {
    case found(depth: Int, url: [UInt8], parent: [UInt8])
    case fetched(url: [UInt8])
    case sitemapsRead

    init(_ entry: FrontierFile.Entry) {
        switch entry {
        case .found(let depth, let url, let parent): self = .found(depth: depth, url: utf8(url), parent: utf8(parent))
        case .fetched(let url): self = .fetched(url: utf8(url))
        case .sitemapsRead: self = .sitemapsRead
        }
    }

    /// The line format: `S`; `R`, tab, a non-empty URL; or 1 to 6 ASCII digits, tab, a
    /// non-empty URL, tab, the parent (maybe empty). Nothing else, no further tab.
    init?(line: ArraySlice<UInt8>) {
        func text(_ bytes: ArraySlice<UInt8>) -> [UInt8] { utf8(String(decoding: bytes, as: UTF8.self)) }
        if line.elementsEqual([0x53]) {
            self = .sitemapsRead
            return
        }
        let fields = split(line, at: 0x09)
        if fields.count == 2, fields[0].elementsEqual([0x52]), !fields[1].isEmpty {
            self = .fetched(url: text(fields[1]))
            return
        }
        guard fields.count == 3, (1 ... 6).contains(fields[0].count), fields[0].allSatisfy({ (0x30 ... 0x39).contains($0) }),
              !fields[1].isEmpty
        else { return nil }
        let depth = fields[0].reduce(0) { $0 * 10 + Int($1 - 0x30) }
        self = .found(depth: depth, url: text(fields[1]), parent: text(fields[2]))
    }
}

private func modelCanHold(_ bytes: some Sequence<UInt8>) -> Bool {
    !bytes.contains { $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
}

/// `text`'s UTF-8 bytes, copied at once (not byte by byte: the inputs go to 200 KB).
private func utf8(_ text: some StringProtocol) -> [UInt8] {
    var text = String(text)
    return text.withUTF8 { Array($0) }
}

/// `bytes` split at each `separator` (empty pieces kept), found with memchr: a loop of
/// ours would call the coverage hooks at every byte.
private func split(_ bytes: ArraySlice<UInt8>, at separator: UInt8) -> [ArraySlice<UInt8>] {
    var pieces: [ArraySlice<UInt8>] = []
    var start = bytes.startIndex
    bytes.withUnsafeBufferPointer { buffer in
        let base = buffer.baseAddress
        while let base, let found = memchr(base + (start - bytes.startIndex), Int32(separator), bytes.endIndex - start) {
            let index = bytes.startIndex + (UnsafePointer(found.assumingMemoryBound(to: UInt8.self)) - base)
            pieces.append(bytes[start..<index])
            start = index + 1
        }
    }
    pieces.append(bytes[start...])
    return pieces
}

/// The whole lines of `bytes` (those ended by a newline), without their newlines.
private func wholeLines(_ bytes: ArraySlice<UInt8>) -> [ArraySlice<UInt8>] {
    Array(split(bytes, at: 0x0A).dropLast())
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    // Past the cursor's 64 KB reads a few times over, so that lines straddle them.
    let bytes = expanded(UnsafeBufferPointer(start: data, count: size), limit: 200 * 1024)
    let cut = bytes.lastIndex(of: 0x0A).map { $0 + 1 } ?? 0
    let lines = wholeLines(bytes[...])
    // The model's entries up to its first bad line (0-based), if any.
    var good: [Model] = []
    var firstBad: Int?
    for line in lines {
        guard let model = Model(line: line) else {
            firstBad = good.count
            break
        }
        good.append(model)
    }

    file.write(bytes)
    checkRecordedLines(good, firstBad: firstBad)
    invariant(file.read() == bytes, "recordedLines changed the file")

    let frontier: FrontierFile
    do {
        frontier = try FrontierFile(path: file.path, resuming: true)
    } catch {
        invariant(false, "opening a regular file threw \(error)")
        return 0
    }
    var entries: [Model] = []
    do {
        try frontier.load { entries.append(Model($0)) }
    } catch {
        invariant(firstBad != nil, "refused a frontier the model reads: \(error)")
        invariant(error == .notAFrontier(file.path, line: firstBad! + 1),
                  "threw \(error), expected notAFrontier on line \(firstBad! + 1)")
        invariant(error.refusesResume && isOneLine(error.description), "error \(error.description)")
        invariant(entries == good, "handed \(entries.count) entries before refusing, expected \(good.count)")
        invariant(file.read() == bytes, "a refused frontier was changed")
        checkParse(lines)
        return 0
    }
    invariant(firstBad == nil, "loaded, expected notAFrontier on line \(firstBad.map { $0 + 1 } ?? 0)")
    invariant(entries == good, "loaded \(entries.count) entries, not the model's \(good.count)")
    let after = file.read()
    invariant(after == Array(bytes[..<cut]), "file cut to \(after.count) bytes, expected \(cut) of \(bytes.count)")
    invariant(frontier.committed == cut, "committed \(frontier.committed), expected \(cut)")

    checkAppend(frontier, lines: lines, tail: bytes[cut...], inputSize: bytes.count)
    checkParse(lines)
    invariant(FrontierFile.canHold(String(decoding: bytes.prefix(4096), as: UTF8.self)) == modelCanHold(bytes.prefix(4096)),
              "canHold disagrees on the input's first 4 KB")
    return 0
}

/// `recordedLines` after two seeds: the seeds, then each found entry's URL, numbered on.
private func checkRecordedLines(_ good: [Model], firstBad: Int?) {
    var got: [(line: Int, text: [UInt8])] = []
    var thrown: (any Error)?
    do {
        let next = try CrawlSettings.recordedLines(seeds: try ListInputs(arguments: seeds), frontierPath: file.path)
        while let line = try next() {
            got.append((line.line, utf8(line.text)))
            invariant(got.count < 1_000_000, "recordedLines does not end")
        }
    } catch {
        thrown = error
    }
    var expected = seeds.enumerated().map { (line: $0.offset + 1, text: utf8($0.element)) }
    for case .found(_, let url, _) in good { expected.append((line: expected.count + 1, text: url)) }
    invariant(got.map(\.line) == expected.map(\.line) && got.map(\.text) == expected.map(\.text),
              "recordedLines gave lines \(got.map(\.line).prefix(20)), expected \(expected.map(\.line).prefix(20))")
    if let firstBad {
        invariant((thrown as? FrontierError) == .notAFrontier(file.path, line: firstBad + 1),
                  "recordedLines threw \(thrown.map { "\($0)" } ?? "nothing"), expected notAFrontier on line \(firstBad + 1)")
    } else {
        invariant(thrown == nil, "recordedLines threw \(thrown!)")
    }
}

/// Appends a found, a fetched and a sitemaps line to a loaded frontier; a fresh cursor reads
/// the model's lines, then those, and each parses to what it was made from.
private func checkAppend(_ frontier: FrontierFile, lines: [ArraySlice<UInt8>], tail: ArraySlice<UInt8>, inputSize: Int) {
    // Text from the input: the torn tail as the URL, the first line as the parent; when
    // `canHold` refuses one (as it must exactly for a tab or CR), without those bytes.
    func holdable(_ bytes: ArraySlice<UInt8>) -> String {
        let text = String(decoding: bytes, as: UTF8.self)
        invariant(FrontierFile.canHold(text) == modelCanHold(utf8(text)), "canHold disagrees on \(text.debugDescription)")
        return FrontierFile.canHold(text) ? text : String(decoding: utf8(text).filter { modelCanHold([$0]) }, as: UTF8.self)
    }
    var url = holdable(tail)
    if url.isEmpty { url = "https://a.test/\(inputSize)" }
    let parent = holdable(lines.first ?? [])
    let depth = inputSize % 1_000_000
    var appended: [UInt8] = []
    FrontierFile.append(found: url, depth: depth, parent: parent, to: &appended)
    FrontierFile.append(fetched: url, to: &appended)
    FrontierFile.appendSitemapsRead(to: &appended)
    let made: [Model] = [.found(depth: depth, url: utf8(url), parent: utf8(parent)), .fetched(url: utf8(url)), .sitemapsRead]
    do {
        try frontier.append(appended)
    } catch {
        invariant(false, "append threw \(error)")
    }

    var cursor = FrontierCursor(file: frontier)
    var read: [Substring] = []
    do {
        while let line = try cursor.nextLine() {
            read.append(line)
            invariant(read.count <= lines.count + 3, "the cursor reads more lines than were written")
        }
    } catch {
        invariant(false, "the cursor threw \(error)")
    }
    invariant(read.count == lines.count + 3 && cursor.lines == read.count,
              "the cursor read \(read.count) lines (counted \(cursor.lines)), expected \(lines.count) + 3")
    for (line, model) in zip(read, lines) {
        invariant(utf8(line) == utf8(String(decoding: model, as: UTF8.self)), "the cursor read a line changed")
    }
    let appendedLines = appended.split(separator: 0x0A).map { Substring(String(decoding: $0, as: UTF8.self)) }
    for (index, line) in read.suffix(3).enumerated() {
        invariant(utf8(line) == utf8(appendedLines[index]), "appended line \(index + 1) read back changed")
        invariant(FrontierFile.parse(line).map(Model.init) == made[index], "appended line \(index + 1) does not parse back")
        invariant(Model(line: utf8(line)[...]) == made[index], "the model does not read appended line \(index + 1)")
    }
}

/// `parse` agrees with the model on each whole line (the first 256), and refuses a line (of
/// the first 32, up to 4 KB) changed to break the format.
private func checkParse(_ lines: [ArraySlice<UInt8>]) {
    for (index, bytes) in lines.prefix(256).enumerated() {
        let line = Substring(String(decoding: bytes, as: UTF8.self))
        let parsed = FrontierFile.parse(line).map(Model.init)
        invariant(parsed == Model(line: bytes), "parse gives \(String(describing: parsed)) for \(line.debugDescription)")
        guard let parsed, index < 32, bytes.count <= 4096 else { continue }
        var broken = [String(line) + "\t", String(line) + "\tx"]
        switch parsed {
        case .found(let depth, let url, let parent):
            let url = String(decoding: url, as: UTF8.self), parent = String(decoding: parent, as: UTF8.self)
            broken += ["-\(depth)\t\(url)\t\(parent)", "\(depth + 1_000_000)\t\(url)\t\(parent)",
                       "0000000\t\(url)\t\(parent)", "\(depth)\t\t\(parent)", "-" + String(line), "\t\(url)\t\(parent)"]
        case .fetched:
            broken += ["R\t", "R\t\t", "S" + String(line)]
        case .sitemapsRead:
            broken = ["S\t", "S ", "SS", ""]
        }
        for text in broken {
            let model = Model(line: utf8(text)[...])
            invariant(model == nil, "the model takes \(text.debugDescription)")
            invariant(FrontierFile.parse(Substring(text)) == nil, "parse takes \(text.debugDescription)")
        }
    }
}

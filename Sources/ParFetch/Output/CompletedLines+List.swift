extension CompletedLines {
    /// A record that is not of the list being resumed: its line of the list has another URL,
    /// or no URL at all.
    public struct Mismatch: Hashable, Sendable {
        /// The line number of the record (and of the list).
        public var line: Int
        /// The list's text on that line; nil when the list has no URL there (it is shorter, or
        /// the line is blank or a comment).
        public var listText: String?

        public init(line: Int, listText: String?) {
            self.line = line
            self.listText = listText
        }
    }

    /// The first line, in line order, whose record was not written for this list: the record
    /// of each line that has one (final or not) must name the URL the list has on that line,
    /// compared by the hash kept for it (no URL strings are kept). `nextLine` gives the list's
    /// URL lines in order, as `(line, text)`; it is read up to the last line with a record and
    /// no further. Nil when every record matches.
    public func firstMismatch(in nextLine: () throws -> (line: Int, text: String)?) rethrows -> Mismatch? {
        var recordLines = linesWithRecords()
        guard var expected = recordLines.next() else { return nil }
        while let (line, text) = try nextLine() {
            if line < expected { continue }
            // The list skipped the record's line: blank or a comment there.
            if line > expected { return Mismatch(line: expected, listText: nil) }
            if entry(line) >> 1 != Self.key(text) { return Mismatch(line: line, listText: text) }
            guard let following = recordLines.next() else { return nil }
            expected = following
        }
        return Mismatch(line: expected, listText: nil)
    }

    /// The line numbers with a record, ascending, read off the dense array and then the far
    /// lines (which are all beyond it), without collecting the array's.
    struct RecordLines: IteratorProtocol {
        let entries: [UInt32]
        let far: [Int]
        private var index = 0
        private var farIndex = 0

        init(entries: [UInt32], far: [Int]) {
            self.entries = entries
            self.far = far
        }

        mutating func next() -> Int? {
            while index < entries.count {
                defer { index += 1 }
                if entries[index] != 0 { return index }
            }
            guard farIndex < far.count else { return nil }
            defer { farIndex += 1 }
            return far[farIndex]
        }
    }
}

/// The content of raw-text and RCDATA elements (`<script>`, `<style>`, `<title>`,
/// `<textarea>`, …) is text up to the element's own end tag: a `<a href>` inside a script is
/// not a link.
extension MarkupCursor {
    /// Skips the content of the element `name` (lower case), which starts at `position`, and
    /// its end tag. Returns where the content ends: at its end tag, or at the end of the input
    /// (then `finished` is set: the rest of the page was text).
    mutating func skipRawText(until name: StaticString) -> Int {
        var index = position
        while let open = find(UInt8(ascii: "<"), from: index) {
            if open + 1 < end && bytes[open + 1] == UInt8(ascii: "/") && isTag(name, at: open + 2) {
                position = open + 2 + name.utf8CodeUnitCount
                _ = skipAttributes()
                return open
            }
            index = open + 1
        }
        finish()
        return end
    }

    /// Skips the content of a `<script>`, which starts at `position`, and its end tag.
    ///
    /// Script data has one twist over other raw text, kept because old pages rely on it: after
    /// `<!--`, a `<script` starts a "double-escaped" stretch in which `</script>` does not end
    /// the element, until `-->` (so `<!-- document.write("<script></script>") -->` stays
    /// inside). These are the tokenizer's script data (double) escaped states, reduced to the
    /// three events that move between them.
    mutating func skipScriptData() {
        enum Mode { case plain, escaped, doubleEscaped }
        var mode = Mode.plain
        var index = position
        while let open = find(UInt8(ascii: "<"), from: index) {
            // In both escaped modes a `-->` ends the escape; it cannot contain a `<`, so only
            // the stretch before this `<` can hold it.
            if mode != .plain, let close = commentClose(from: index, before: open) {
                mode = .plain
                index = close
                continue
            }
            let next = open + 1
            guard next < end else { break }
            switch bytes[next] {
            case UInt8(ascii: "/") where isTag("script", at: next + 1):
                if mode == .doubleEscaped {
                    mode = .escaped
                    index = next + 7
                    continue
                }
                position = next + 7
                _ = skipAttributes()
                return
            case UInt8(ascii: "!") where mode == .plain:
                if next + 2 < end && bytes[next + 1] == UInt8(ascii: "-") && bytes[next + 2] == UInt8(ascii: "-") {
                    mode = .escaped
                    // The dashes of `<!--` count towards a `-->`: `<!-->` opens and closes.
                    index = next + 1
                    continue
                }
            case _ where mode == .escaped && isTag("script", at: next):
                mode = .doubleEscaped
                index = next + 6
                continue
            default:
                break
            }
            index = next
        }
        finish()
    }

    /// The offset just after the first `-->` in `start..<limit`.
    private func commentClose(from start: Int, before limit: Int) -> Int? {
        var index = start
        while let close = find(UInt8(ascii: ">"), from: index, before: limit) {
            if close - 2 >= start && bytes[close - 1] == UInt8(ascii: "-") && bytes[close - 2] == UInt8(ascii: "-") {
                return close + 1
            }
            index = close + 1
        }
        return nil
    }
}

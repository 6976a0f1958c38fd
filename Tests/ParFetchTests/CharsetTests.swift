import Testing
@testable import ParFetch

/// The bytes of `text` (for readable test inputs).
private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

private func detect(_ body: [UInt8], contentType: String? = nil) -> Detected {
    body.withUnsafeBytes { Charset.detect($0, contentType: contentType) }
}

private func detect(_ html: String, contentType: String? = nil) -> Detected {
    detect(bytes(html), contentType: contentType)
}

private func decode(_ body: [UInt8], from encoding: String) -> [UInt8] {
    body.withUnsafeBytes { Charset.decode($0, from: encoding) }
}

/// The decoded text, or nil when the decoder's output is not valid UTF-8 (which is a bug).
private func text(_ body: [UInt8], from encoding: String) -> String? {
    String(validating: decode(body, from: encoding), as: UTF8.self)
}

/// Deterministic pseudo-random bytes (xorshift64), so failures reproduce.
private func noise(count: Int, seed: UInt64) -> [UInt8] {
    var state = seed | 1
    return (0..<count).map { _ in
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return UInt8(truncatingIfNeeded: state >> 24)
    }
}

@Suite("Charset detection")
struct CharsetDetectionTests {
    @Test(arguments: [
        ([0xEF, 0xBB, 0xBF] as [UInt8], "UTF-8"),
        ([0xFE, 0xFF], "UTF-16BE"),
        ([0xFF, 0xFE], "UTF-16LE"),
    ])
    func byteOrderMarkComesFirst(mark: [UInt8], encoding: String) {
        let body = mark + bytes("<meta charset=\"shift_jis\"><p>x")
        #expect(detect(body, contentType: "text/html; charset=iso-8859-2")
            == Detected(encoding: encoding, source: .byteOrderMark))
    }

    @Test(arguments: [
        ("text/html; charset=utf-8", "UTF-8"),
        ("text/html;charset=UTF8", "UTF-8"),
        ("TEXT/HTML; CHARSET=ISO-8859-1", "windows-1252"),
        ("text/html; Charset=\"Shift_JIS\"", "Shift_JIS"),
        ("text/html; charset=\"x-sjis\"; charset=utf-8", "Shift_JIS"),
        ("text/html; q=\"a;charset=utf-8\"; charset=gb2312", "GBK"),
        ("text/html; boundary=x; charset=us-ascii  ", "windows-1252"),
        ("text/html; charset=\"latin1\" ; format=flowed", "windows-1252"),
        ("text/html; charset=\"utf\\-8\"", "UTF-8"),
    ])
    func contentTypeCharset(contentType: String, encoding: String) {
        #expect(detect("<p>no meta here</p>", contentType: contentType)
            == Detected(encoding: encoding, source: .contentType))
    }

    @Test(arguments: [
        ("<meta charset=\"utf-8\">", "UTF-8"),
        ("<META CHARSET=UTF8>", "UTF-8"),
        ("<meta charset='x-sjis'>", "Shift_JIS"),
        ("<meta/charset=euc-kr>", "EUC-KR"),
        ("<meta name=\"x\" charset = \" koi8-r \" >", "KOI8-R"),
        ("<meta http-equiv=\"Content-Type\" content=\"text/html; charset=iso-8859-1\">", "windows-1252"),
        ("<meta content='text/html;CHARSET=\"gb2312\"' HTTP-EQUIV=content-type>", "GBK"),
        ("<meta http-equiv=content-type content=\"text/html; charset = big5 ; x\">", "Big5"),
        // The first charset attribute counts; the repeated one is skipped.
        ("<meta charset=\"euc-jp\" charset=\"utf-8\">", "EUC-JP"),
        // A charset attribute overrides one in content.
        ("<meta http-equiv=content-type content=\"charset=gbk\" charset=\"windows-1251\">", "windows-1251"),
        // A meta declaring UTF-16 is read as ASCII, so it must be UTF-8.
        ("<meta charset=\"utf-16le\">", "UTF-8"),
        ("<meta charset=\"x-user-defined\">", "windows-1252"),
    ])
    func metaDeclaration(meta: String, encoding: String) {
        let html = "<!doctype html><html lang=\"en\"><head>\(meta)<title>t</title></head>"
        #expect(detect(html) == Detected(encoding: encoding, source: .meta))
    }

    @Test(arguments: [
        // content without the http-equiv pragma declares nothing.
        "<meta content=\"text/html; charset=utf-8\">",
        "<meta http-equiv=\"refresh\" content=\"0; charset=utf-8\">",
        // Inside a comment.
        "<!-- <meta charset=\"utf-8\"> -->",
        // Inside another tag's attribute value.
        "<a title=\"<meta charset=utf-8>\">x</a>",
        "<img alt='<meta charset=\"utf-8\">'>",
        // Not a meta tag: the name must end at white space or a slash.
        "<metal charset=\"utf-8\">",
        // Unknown label.
        "<meta charset=\"klingon\">",
        // An unquoted value runs to white space or `>`, so this label is "euc-kr/": unknown
        // (and the repeated charset attribute is skipped).
        "<meta charset=euc-kr/ charset=gbk>",
        // A meta cut off by the end of the body.
        "<meta charset=\"utf-8",
        // An unterminated comment swallows the rest.
        "<!-- never closed <meta charset=\"utf-8\">",
    ])
    func noDeclaration(head: String) {
        #expect(detect("<html><head>\(head)</head><body>plain</body>")
            == Detected(encoding: "windows-1252", source: .defaultEncoding))
    }

    @Test func metaAfterComment() {
        #expect(detect("<!-- <meta charset=\"utf-8\"> --><meta charset=\"shift_jis\">").encoding == "Shift_JIS")
        // `<!-->` is a whole (empty) comment.
        #expect(detect("<!--><meta charset=\"utf-8\">").encoding == "UTF-8")
        // The `--` that closes it may overlap the `--` that opened it.
        #expect(detect("<!---><meta charset=\"gbk\"> --><meta charset=\"utf-8\">").encoding == "GBK")
    }

    @Test func onlyTheFirst1024BytesArePrescanned() {
        let filler = "<p>" + String(repeating: "filler text ", count: 100) + "</p>"
        #expect(bytes(filler).count > 1024)
        #expect(detect(filler + "<meta charset=\"utf-8\">").source == .defaultEncoding)
        // A meta that ends exactly at byte 1024 still counts; one byte later it doesn't.
        let meta = "<meta charset=\"utf-8\">"
        let pad = String(repeating: "x", count: 1024 - meta.utf8.count)
        #expect(detect(pad + meta).encoding == "UTF-8")
        #expect(detect(pad + "x" + meta).source == .defaultEncoding)
    }

    @Test func contentTypeBeatsMeta() {
        #expect(detect("<meta charset=\"shift_jis\">", contentType: "text/html; charset=utf-8")
            == Detected(encoding: "UTF-8", source: .contentType))
    }

    @Test func unknownLabelsFallThrough() {
        // An unknown Content-Type label gives way to the meta.
        #expect(detect("<meta charset=\"shift_jis\">", contentType: "text/html; charset=bogus")
            == Detected(encoding: "Shift_JIS", source: .meta))
        // Single quotes are not MIME quotes, so "'utf-8'" is an unknown label.
        #expect(detect("<p>", contentType: "text/html; charset='utf-8'").source == .defaultEncoding)
        // An unknown meta label gives way to the next meta.
        #expect(detect("<meta charset=\"bogus\"><meta charset=\"utf-8\">")
            == Detected(encoding: "UTF-8", source: .meta))
        #expect(detect("<p>", contentType: "text/html").source == .defaultEncoding)
        #expect(detect("<p>", contentType: nil).source == .defaultEncoding)
    }

    @Test func emptyBodyIsWindows1252() {
        #expect(detect([UInt8]()) == Detected(encoding: "windows-1252", source: .defaultEncoding))
    }

    @Test func xmlDeclaration() {
        #expect(detect("<?xml version=\"1.0\" encoding='ISO-8859-2'?><html>")
            == Detected(encoding: "ISO-8859-2", source: .meta))
        // A meta wins over the declaration.
        #expect(detect("<?xml version=\"1.0\" encoding=\"ISO-8859-2\"?><meta charset=utf-8>").encoding == "UTF-8")
        // UTF-16 without a byte order mark, named by its `<?x` pattern.
        #expect(detect([0x3C, 0, 0x3F, 0, 0x78, 0, 0x6D, 0]).encoding == "UTF-16LE")
    }

    @Test(arguments: [
        ("latin1", "windows-1252"), ("ISO-8859-1", "windows-1252"), ("us-ascii", "windows-1252"),
        ("ascii", "windows-1252"), ("cp1252", "windows-1252"), ("utf8", "UTF-8"), (" UTF-8\t", "UTF-8"),
        ("x-sjis", "Shift_JIS"), ("shift_jis", "Shift_JIS"), ("ms932", "Shift_JIS"), ("gb2312", "GBK"),
        ("GB18030", "gb18030"), ("big5-hkscs", "Big5"), ("ks_c_5601-1987", "EUC-KR"), ("iso-8859-9", "windows-1254"),
        ("tis-620", "windows-874"), ("koi8-u", "KOI8-U"), ("utf-16", "UTF-16LE"), ("iso-2022-kr", "replacement"),
    ])
    func labelsNormalise(label: String, encoding: String) {
        #expect(Charset.encoding(forLabel: label) == encoding)
    }

    @Test(arguments: ["", "utf-9", "latin-1", "utf 8", "ütf-8", "x"])
    func unknownLabels(label: String) {
        #expect(Charset.encoding(forLabel: label) == nil)
    }
}

@Suite("Charset decoding")
struct CharsetDecodingTests {
    @Test func validUTF8IsUsedAsIs() {
        let body = bytes("<p>Grüße, 日本語, 🐟</p>")
        #expect(decode(body, from: "UTF-8") == body)
        #expect(body.withUnsafeBytes { Charset.decodeIfNeeded($0, from: "utf-8") } == nil)
        // ASCII means the same in an ASCII-compatible encoding.
        #expect(bytes("plain").withUnsafeBytes { Charset.decodeIfNeeded($0, from: "windows-1252") } == nil)
        #expect(bytes("plain").withUnsafeBytes { Charset.decodeIfNeeded($0, from: "Shift_JIS") } == nil)
    }

    @Test func byteOrderMarksAreRemoved() {
        #expect(text([0xEF, 0xBB, 0xBF] + bytes("héllo"), from: "UTF-8") == "héllo")
        #expect(text([0xFF, 0xFE, 0x68, 0x00, 0xE9, 0x00, 0x3D, 0xD8, 0x1F, 0xDC], from: "UTF-16LE") == "hé🐟")
        #expect(text([0xFE, 0xFF, 0x00, 0x68, 0x00, 0xE9, 0xD8, 0x3D, 0xDC, 0x1F], from: "UTF-16BE") == "hé🐟")
        // The mark overrides the label it was given, as the Encoding Standard's decode does.
        #expect(text([0xEF, 0xBB, 0xBF, 0xC3, 0xA9], from: "windows-1252") == "é")
    }

    @Test func windows1252() {
        // é is E9 as in Latin-1; € is 80 only in windows-1252, which every Latin-1 label means.
        #expect(text([0x43, 0x61, 0x66, 0xE9, 0x20, 0x80, 0x35], from: "windows-1252") == "Café €5")
        #expect(text([0xE0, 0x20, 0x80, 0x99, 0xFF], from: "iso-8859-1") == "à €™ÿ")
        // Unassigned bytes map to the C1 control of the same value.
        #expect(text([0x81, 0x8D], from: "windows-1252") == "\u{81}\u{8D}")
    }

    @Test func windows1252CoversEveryByte() throws {
        let all = (0...255).map { UInt8($0) }
        let decoded = try #require(text(all, from: "windows-1252"))
        #expect(decoded.unicodeScalars.count == 256)
        let fromTable = Array(decoded.unicodeScalars).enumerated().filter { $0.element.value != UInt32($0.offset) }
        // Only 80–9F differ from Latin-1, and only the 27 assigned ones.
        #expect(fromTable.count == 27)
        #expect(fromTable.allSatisfy { (0x80...0x9F).contains($0.offset) })
    }

    @Test(arguments: [
        ("Shift_JIS", [0x93, 0xFA, 0x96, 0x7B, 0x8C, 0xEA] as [UInt8], "日本語"),
        ("x-sjis", [0x5C, 0x7E, 0xB1, 0x93, 0xFA], "\\~ｱ日"),
        ("EUC-JP", [0xC6, 0xFC, 0xCB, 0xDC, 0xB8, 0xEC], "日本語"),
        ("ISO-2022-JP", [0x1B, 0x24, 0x42, 0x46, 0x7C, 0x4B, 0x5C, 0x38, 0x6C, 0x1B, 0x28, 0x42, 0x21], "日本語!"),
        ("gb2312", [0xD6, 0xD0, 0xCE, 0xC4], "中文"),
        ("gb18030", [0x81, 0x30, 0x81, 0x30], "\u{80}"),
        ("Big5", [0xA4, 0xA4, 0xA4, 0xE5], "中文"),
        ("EUC-KR", [0xC7, 0xD1, 0xB1, 0xB9, 0xBE, 0xEE], "한국어"),
        ("windows-1251", [0xCF, 0xF0, 0xE8, 0xE2, 0xE5, 0xF2], "Привет"),
        ("KOI8-R", [0xF0, 0xD2, 0xC9, 0xD7, 0xC5, 0xD4], "Привет"),
        ("ISO-8859-2", [0xA3, 0xF3, 0x64, 0xBC], "Łódź"),
    ])
    func legacyEncodings(encoding: String, body: [UInt8], expected: String) {
        #expect(text(body, from: encoding) == expected)
        // The same text inside ASCII markup.
        #expect(text(bytes("<p>") + body + bytes("</p>"), from: encoding) == "<p>\(expected)</p>")
    }

    @Test func invalidLegacyBytesBecomeReplacementCharacters() {
        // FF is never a Shift_JIS byte; the A after it survives.
        #expect(text([0x93, 0xFA, 0xFF, 0x41], from: "Shift_JIS") == "日\u{FFFD}A")
        // A lead byte followed by an ASCII byte that can't be its trail: one U+FFFD, and the
        // ASCII byte is kept.
        #expect(text([0x93, 0x20, 0x41], from: "Shift_JIS") == "\u{FFFD} A")
        // A lead byte cut off by the end.
        #expect(text([0x41, 0x93], from: "Shift_JIS") == "A\u{FFFD}")
        #expect(text([0x41, 0xD6], from: "GBK") == "A\u{FFFD}")
    }

    @Test(arguments: [
        ([0x41, 0x80, 0x42] as [UInt8], "A\u{FFFD}B"),
        ([0xFE, 0xFE, 0x41], "\u{FFFD}\u{FFFD}A"), // bytes that never occur in UTF-8
        ([0xC0, 0xAF], "\u{FFFD}\u{FFFD}"), // overlong: C0 can never start a sequence
        ([0xE0, 0x80, 0xAF], "\u{FFFD}\u{FFFD}\u{FFFD}"), // overlong three-byte form
        ([0xED, 0xA0, 0x80], "\u{FFFD}\u{FFFD}\u{FFFD}"), // a surrogate
        ([0xF4, 0x90, 0x80, 0x80], "\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}"), // above U+10FFFF
        ([0xE2, 0x82, 0x41], "\u{FFFD}A"), // a maximal subpart is one U+FFFD
        ([0xF0, 0x9F, 0x90, 0x41, 0xF0, 0x9F, 0x90, 0x9F], "\u{FFFD}A🐟"),
        ([0x41, 0xE2, 0x82], "A\u{FFFD}"), // cut off at the end
        ([0xF0, 0x9F, 0x90], "\u{FFFD}"),
        ([0xC3], "\u{FFFD}"),
    ])
    func invalidUTF8IsReplaced(body: [UInt8], expected: String) {
        #expect(text(body, from: "UTF-8") == expected)
    }

    @Test func utf8RepairMatchesTheStandardLibrary() {
        // Swift's own decoder also replaces maximal subparts; the two must agree on anything.
        for seed in 1...200 as ClosedRange<UInt64> {
            var body = noise(count: 300, seed: seed)
            // Mostly valid text with damage, as real pages are.
            body.insert(contentsOf: bytes("ok é 日本 🐟 "), at: Int(seed) % 200)
            #expect(decode(body, from: "UTF-8") == Array(String(decoding: body, as: UTF8.self).utf8), "seed \(seed)")
        }
    }

    @Test func utf16() {
        // Without a mark, the label says which order.
        #expect(text([0x68, 0x00, 0x69, 0x00], from: "utf-16") == "hi")
        // An unpaired surrogate, then a lone trail, then an odd byte at the end.
        #expect(text([0x3D, 0xD8, 0x41, 0x00, 0x1F, 0xDC, 0x42], from: "UTF-16LE") == "\u{FFFD}A\u{FFFD}\u{FFFD}")
        #expect(text([0xD8, 0x3D], from: "UTF-16BE") == "\u{FFFD}")
    }

    @Test func otherEncodings() {
        // The replacement encoding refuses any content at all.
        #expect(text(bytes("<p>hello</p>"), from: "iso-2022-kr") == "\u{FFFD}")
        #expect(decode([], from: "replacement") == [])
        #expect(text([0x41, 0x80, 0xFF], from: "x-user-defined") == "A\u{F780}\u{F7FF}")
        // An unknown name decodes as windows-1252, the default.
        #expect(text([0xE9, 0x80], from: "no-such-encoding") == "é€")
    }

    static let everyEncoding = [
        "UTF-8", "UTF-16LE", "UTF-16BE", "windows-1252", "x-user-defined", "replacement", "IBM866",
        "ISO-8859-2", "ISO-8859-3", "ISO-8859-6", "ISO-8859-8-I", "ISO-8859-16", "KOI8-U", "macintosh",
        "x-mac-cyrillic", "windows-874", "windows-1255", "windows-1258", "GBK", "gb18030", "Big5", "EUC-JP",
        "ISO-2022-JP", "Shift_JIS", "EUC-KR",
    ]

    @Test(arguments: everyEncoding)
    func outputIsAlwaysValidUTF8(encoding: String) {
        for seed in 1...20 as ClosedRange<UInt64> {
            let body = noise(count: 1000, seed: seed &* 7919)
            #expect(text(body, from: encoding) != nil, "seed \(seed)")
        }
        #expect(decode([], from: encoding) == [])
        #expect(text(bytes("plain ASCII <p>"), from: encoding) != nil)
    }

    @Test func largeBodies() throws {
        // A MB, as large pages are: long ASCII runs with scattered non-ASCII bytes.
        var body = [UInt8]()
        body.reserveCapacity(1_000_000)
        while body.count < 1_000_000 {
            body += bytes("<p class=\"para\">Lorem ipsum dolor sit amet, ")
            body += [0xE9, 0x80]
        }
        let latin = try #require(text(body, from: "windows-1252"))
        #expect(latin.hasSuffix("amet, é€"))
        // As UTF-8 the same bytes are damaged: E9 80 is a three-byte sequence cut short, so each
        // pair is one maximal subpart and becomes one U+FFFD.
        let repaired = decode(body, from: "UTF-8")
        #expect(repaired == Array(String(decoding: body, as: UTF8.self).utf8))
        let japanese = try #require(text(body.map { $0 == 0xE9 ? 0x93 : $0 == 0x80 ? 0xFA : $0 }, from: "Shift_JIS"))
        #expect(japanese.hasSuffix("amet, 日"))
    }
}

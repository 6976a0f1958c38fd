import Foundation
import Testing
@testable import ParFetch

/// The JSON Lines input's reader: RFC 8259 exactly, values' bytes as given.
@Suite("JSON Lines input")
struct JSONLineTests {
    static func parse(_ text: String) -> Result<JSONLine, JSONLine.Failure> {
        JSONLine.parse(Array(text.utf8)[...])
    }

    @Test func aFullLine() throws {
        let line = try Self.parse(#"{"url":"https://a.test/","method":"PUT","headers":{"X-A":"1","X-Empty":"","Accept":null},"json":{"k": [1, 2]},"meta": {"id" : "é"} }"#).get()
        #expect(line.url == "https://a.test/")
        #expect(line.method == "PUT")
        #expect(line.headers == ["X-A: 1", "X-Empty;", "Accept:"])
        #expect(line.body == Array(#"{"k": [1, 2]}"#.utf8))
        #expect(line.bodyIsJSON)
        #expect(line.meta == Array(#"{"id" : "é"}"#.utf8))
    }

    @Test func stringsAreDecoded() throws {
        let line = try Self.parse(#"{"url":"https://a.test/\u00e9\ud83d\ude00\/\n","body":"a\"b\\c\t"}"#).get()
        #expect(line.url == "https://a.test/é😀/\n")
        #expect(line.body == Array("a\"b\\c\t".utf8))
    }

    @Test(arguments: [
        ("[1]", "not a JSON object"),
        (#"{"url": 1}"#, #""url" must be a string"#),
        (#"{}"#, #"no "url""#),
        (#"{"url": "u", "url": "v"}"#, "key 'url' given twice"),
        (#"{"url": "u", "x": 1}"#, "unknown key 'x'"),
        (#"{"url": "u", "body": "a", "json": 1}"#, "give either body or json, not both"),
        (#"{"url": "u", "method": "HEAD", "body": "a"}"#, "a HEAD request has no body"),
        (#"{"url": "u", "method": "G T"}"#, "is not an HTTP method name"),
        (#"{"url": "u", "headers": {"A B": "1"}}"#, "is not a valid name"),
        (#"{"url": "u", "headers": {"A": 1}}"#, "must have a string value"),
        (#"{"url": "u", "headers": {"A": "x\r\nB: y"}}"#, "line break or NUL"),
        (#"{"url": "u", "headers": []}"#, #""headers" must be an object"#),
        (#"{"url": "u"} x"#, "text after the JSON object"),
        (#"{"url": "u", "meta": 01}"#, "expected ',' or '}'"),
        (#"{"url": "u", "meta": 1.}"#, "expected a digit after '.'"),
        (#"{"url": "u", "meta": [1,]}"#, "expected a value"),
        (#"{"url": "u", "meta": tru}"#, "expected a value"),
        (#"{"url": "u", "meta": "\x"}"#, "invalid escape"),
        (#"{"url": "u", "meta": "abc}"#, "unterminated string"),
        ("{\"url\": \"u\", \"meta\": \"a\tb\"}", "a control character in a string"),
        (#"{"url": "\ud800"}"#, "a lone surrogate escape"),
        (#"{"url": "u\u0000"}"#, "the url contains a NUL"),
        (#"{"url": "u",}"#, "expected a key"),
    ])
    func badLinesSayWhy(text: String, message: String) {
        guard case .failure(let failure) = Self.parse(text) else {
            Issue.record("\(text) was accepted")
            return
        }
        #expect(failure.message.hasPrefix("invalid JSON Lines input: "))
        #expect(failure.message.contains(message), "\(failure.message)")
    }

    /// Fuzzing found a key with an escaped line break making a two-line message.
    @Test(arguments: [#"{"ur\nl": "u"}"#, #"{"url": "u", "method": "A\rB"}"#, #"{"url": "u", "headers": {"A\nB": "1"}}"#])
    func messagesAreOneLineWhateverTheyQuote(text: String) {
        guard case .failure(let failure) = Self.parse(text) else {
            Issue.record("\(text) was accepted")
            return
        }
        #expect(!failure.message.contains("\n") && !failure.message.contains("\r"), "\(failure.message)")
        #expect(failure.message.contains(#"\n"#) || failure.message.contains(#"\r"#))
    }

    @Test func aBadLineKeepsWhatCouldBeRead() {
        guard case .failure(let failure) = Self.parse(#"{"meta": [1, 2], "url": "https://a.test/", "method": 3}"#) else {
            Issue.record("accepted")
            return
        }
        #expect(failure.url == "https://a.test/")
        #expect(failure.meta == Array("[1, 2]".utf8))
    }

    @Test func metaTakesAnyValidJSONAsIs() throws {
        // A lone surrogate is valid JSON grammar: fine in meta, copied as written.
        for meta in [#""\ud800""#, "-0.5e+10", "null", #"[[[]]]"#, #"{"":{}}"#, "12345678901234567890123"] {
            let line = try Self.parse(#"{"url":"u","meta":\#(meta)}"#).get()
            #expect(line.meta == Array(meta.utf8))
        }
    }

    @Test func nestingIsBounded() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        guard case .failure(let failure) = Self.parse(#"{"url":"u","meta":\#(deep)}"#) else {
            Issue.record("accepted")
            return
        }
        #expect(failure.message.contains("nested deeper than 256 levels"))
        let fine = String(repeating: "[", count: 200) + String(repeating: "]", count: 200)
        #expect((try? Self.parse(#"{"url":"u","meta":\#(fine)}"#).get()) != nil)
    }

    /// What JSONSerialization accepts of valid JSON, the scanner accepts too (on a sample).
    @Test func agreesWithFoundationOnValidValues() throws {
        for value in [#"{"a":[1,2,{"b":null}],"c":"\u0041"}"#, "3.25E-2", #""\"""#, "true", "[]"] {
            _ = try JSONSerialization.jsonObject(with: Data(value.utf8), options: [.fragmentsAllowed])
            #expect((try? Self.parse(#"{"url":"u","json":\#(value)}"#).get())?.body == Array(value.utf8))
        }
    }
}

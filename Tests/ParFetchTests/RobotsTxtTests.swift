import Testing
@testable import ParFetch

/// Cases come from RFC 9309 (sections 2.2 and 5) and Google's robots.txt documentation, plus our
/// own choices where those leave room (noted in comments).
@Suite struct RobotsTxtTests {
    private static func rules(_ text: String, agent: String = "parfetch/0.1.0") -> RobotsRules {
        RobotsRules(parsing: Array(text.utf8), userAgent: agent)
    }

    /// Whether `pattern`, as a Disallow rule, matches `path`.
    private static func matches(_ pattern: String, _ path: String) -> Bool {
        !rules("User-agent: *\nDisallow: \(pattern)\n").allows(path: path)
    }

    // MARK: Product token

    @Test(arguments: [
        ("parfetch/0.1.0", "parfetch"),
        ("ParFetch/1.0 (+https://example.com/bot)", "parfetch"),
        ("Googlebot", "googlebot"),
        ("  parfetch  ", "parfetch"),
        ("parfetch 2.0", "parfetch"),
        ("parfetch\t2.0", "parfetch"),
        ("", ""),
    ])
    func productToken(userAgent: String, token: String) {
        #expect(RobotsRules.productToken(of: userAgent) == token)
    }

    // MARK: Group selection

    static let groups = """
        User-agent: *
        Disallow: /private

        User-agent: ParFetch
        Disallow: /ours

        User-agent: otherbot
        Disallow: /
        """

    @Test(arguments: [
        ("parfetch/0.1.0", "/ours", false),
        ("parfetch/0.1.0", "/private", true),
        ("PARFETCH", "/ours", false),
        ("somebot/1.0", "/private", false),
        ("somebot/1.0", "/ours", true),
        ("otherbot", "/anything", false),
        // Our token must equal the group's, not just start it.
        ("parfetch-images/1.0", "/private", false),
        ("parfetch-images/1.0", "/ours", true),
        ("", "/private", false),
    ])
    func groupSelection(agent: String, path: String, allowed: Bool) {
        #expect(Self.rules(Self.groups, agent: agent).allows(path: path) == allowed)
    }

    @Test(arguments: ["parfetch/1.0", "PARFETCH/2.0 (compatible)", "parfetch 1.0", "parfetch"])
    func groupValueIsComparedByItsProductToken(value: String) {
        let robots = "User-agent: *\nDisallow: /\n\nUser-agent: \(value)\nDisallow: /ours\n"
        let rules = Self.rules(robots)
        #expect(rules.allows(path: "/other"))
        #expect(!rules.allows(path: "/ours"))
    }

    /// Google's example: groups for the same agent are merged wherever they are.
    @Test func groupsForOurTokenAreMerged() {
        let rules = Self.rules("""
            user-agent: parfetch
            disallow: /fish

            user-agent: *
            disallow: /carrots

            user-agent: parfetch
            disallow: /shrimp
            """)
        #expect(!rules.allows(path: "/fish"))
        #expect(!rules.allows(path: "/shrimp"))
        #expect(rules.allows(path: "/carrots"))
    }

    @Test func starGroupsAreMergedWhenNoneNamesUs() {
        let rules = Self.rules("""
            User-agent: *
            Disallow: /a

            User-agent: otherbot
            Disallow: /b

            User-agent: *
            Disallow: /c
            """)
        #expect(!rules.allows(path: "/a"))
        #expect(rules.allows(path: "/b"))
        #expect(!rules.allows(path: "/c"))
    }

    @Test func aGroupNamingUsWithoutRulesAllowsEverything() {
        let rules = Self.rules("User-agent: *\nDisallow: /\n\nUser-agent: parfetch\n")
        #expect(rules == .allowAll)
    }

    @Test func noMatchingGroupAllowsEverything() {
        let rules = Self.rules("User-agent: otherbot\nDisallow: /\n")
        #expect(rules == .allowAll)
        #expect(rules.allows(path: "/anything"))
    }

    @Test func consecutiveUserAgentLinesShareOneGroup() {
        let robots = "User-agent: barbot\nUser-agent: parfetch\nUser-agent: bazbot\nDisallow: /x\n"
        #expect(!Self.rules(robots).allows(path: "/x"))
        #expect(!Self.rules(robots, agent: "barbot").allows(path: "/x"))
        #expect(Self.rules(robots, agent: "quxbot").allows(path: "/x"))
    }

    @Test func aUserAgentLineAfterRulesStartsANewGroup() {
        let rules = Self.rules("User-agent: parfetch\nDisallow: /a\nUser-agent: otherbot\nDisallow: /b\n")
        #expect(!rules.allows(path: "/a"))
        #expect(rules.allows(path: "/b"))
    }

    @Test func rulesBeforeAnyUserAgentAreIgnored() {
        let rules = Self.rules("Disallow: /a\nCrawl-delay: 5\n\nUser-agent: *\nDisallow: /b\n")
        #expect(rules.allows(path: "/a"))
        #expect(!rules.allows(path: "/b"))
        #expect(rules.crawlDelay == nil)
    }

    // MARK: RFC 9309 section 5

    static let rfcExample = """
        User-Agent: *
        Disallow: *.gif$
        Disallow: /example/
        Allow: /publications/

        User-Agent: foobot
        Disallow:/
        Allow:/example/page.html
        Allow:/example/allowed.gif

        User-Agent: barbot
        User-Agent: bazbot
        Disallow: /example/page.html

        User-Agent: quxbot

        EOF
        """

    @Test(arguments: [
        ("foobot", "/example/page.html", true),
        ("foobot", "/example/allowed.gif", true),
        ("foobot", "/example/other.html", false),
        ("foobot", "/", false),
        ("barbot", "/example/page.html", false),
        ("barbot", "/example/page.htm", true),
        ("bazbot", "/example/page.html", false),
        ("bazbot", "/publications/x.gif", true),
        ("quxbot", "/example/page.gif", true),
        ("quxbot", "/", true),
        ("parfetch/0.1.0", "/a.gif", false),
        ("parfetch/0.1.0", "/a.gif?size=1", true),
        ("parfetch/0.1.0", "/example/", false),
        ("parfetch/0.1.0", "/publications/report.html", true),
        // "/publications/" (14 octets) outranks "*.gif$" (6).
        ("parfetch/0.1.0", "/publications/image.gif", true),
        ("parfetch/0.1.0", "/", true),
    ])
    func rfcSimpleExample(agent: String, path: String, allowed: Bool) {
        #expect(Self.rules(Self.rfcExample, agent: agent).allows(path: path) == allowed)
    }

    @Test(arguments: [
        ("/example/page/", true),
        ("/example/page/disallowed.gif", false),
        ("/example/page/allowed.gif", true),
        ("/example/", true),
    ])
    func rfcLongestMatchExample(path: String, allowed: Bool) {
        let robots = "User-Agent: foobot\nAllow: /example/page/\nDisallow: /example/page/disallowed.gif\n"
        #expect(Self.rules(robots, agent: "foobot").allows(path: path) == allowed)
    }

    // MARK: Precedence

    /// Google's "order of precedence" table: the longest pattern wins, allow wins ties.
    @Test(arguments: [
        ("allow: /p\ndisallow: /", "/page", true),
        ("allow: /folder\ndisallow: /folder", "/folder/page", true),
        ("disallow: /folder\nallow: /folder", "/folder/page", true),
        ("allow: /page\ndisallow: /*.htm", "/page.htm", false),
        ("allow: /page\ndisallow: /*.ph", "/page.php", true),
        ("allow: /$\ndisallow: /", "/", true),
        ("allow: /$\ndisallow: /", "/page.htm", false),
        ("disallow: /a\nallow: /a/b\ndisallow: /a/b/c", "/a/b/c/d", false),
        ("disallow: /a\nallow: /a/b\ndisallow: /a/b/c", "/a/b/x", true),
        ("disallow: /a\nallow: /a/b\ndisallow: /a/b/c", "/a/x", false),
    ])
    func longestMatchWins(group: String, path: String, allowed: Bool) {
        #expect(Self.rules("user-agent: *\n\(group)\n").allows(path: path) == allowed)
    }

    /// Specificity is the pattern's length as written, before percent-decoding.
    @Test func specificityCountsThePatternAsWritten() {
        #expect(!Self.rules("User-agent: *\nAllow: /a~\nDisallow: /a%7e\n").allows(path: "/a~"))
        #expect(Self.rules("User-agent: *\nAllow: /a%7e\nDisallow: /a~\n").allows(path: "/a~"))
    }

    // MARK: Patterns

    @Test(arguments: [
        // Google's path-matching table.
        ("/fish", "/fish", true),
        ("/fish", "/fish.html", true),
        ("/fish", "/fish/salmon.html", true),
        ("/fish", "/fishheads/yummy.html", true),
        ("/fish", "/fish.php?id=anything", true),
        ("/fish", "/Fish.asp", false),
        ("/fish", "/catfish", false),
        ("/fish", "/?id=fish", false),
        ("/fish", "/desert/fish", false),
        ("/fish*", "/fish", true),
        ("/fish*", "/fishheads", true),
        ("/fish*", "/catfish", false),
        ("/fish/", "/fish/", true),
        ("/fish/", "/fish/?id=anything", true),
        ("/fish/", "/fish/salmon.htm", true),
        ("/fish/", "/fish", false),
        ("/fish/", "/fish.html", false),
        ("/fish/", "/animals/fish/", false),
        ("/fish/", "/Fish/Salmon.asp", false),
        ("/*.php", "/index.php", true),
        ("/*.php", "/folder/filename.php?parameters", true),
        ("/*.php", "/folder/any.php.file.html", true),
        ("/*.php", "/filename.php/", true),
        ("/*.php", "/", false),
        ("/*.php", "/windows.PHP", false),
        ("/*.php$", "/filename.php", true),
        ("/*.php$", "/folder/filename.php", true),
        ("/*.php$", "/filename.php?parameters", false),
        ("/*.php$", "/filename.php/", false),
        ("/*.php$", "/filename.php5", false),
        ("/*.php$", "/windows.PHP", false),
        ("/fish*.php", "/fish.php", true),
        ("/fish*.php", "/fishheads/catfish.php?parameters", true),
        ("/fish*.php", "/Fish.PHP", false),
        ("/", "/anything", true),
        ("/*", "/", true),
        ("*", "/anything?x", true),
        ("/$", "/", true),
        ("/$", "/page", false),
        ("/$", "/?q=1", false),
        // Our own: `*$` anchors nothing, `$` elsewhere is literal, `**` is `*`.
        ("/a*$", "/abc", true),
        ("/a$b", "/a$b", true),
        ("/a$b", "/ab", false),
        ("/a**b", "/a-b", true),
        ("/this/*/exactly", "/this/path/exactly", true),
        ("/this/*/exactly", "/this/path/exactly/not", true),
        ("/this/*/exactly$", "/this/path/exactly/not", false),
        ("/this/*/exactly$", "/this/a/b/exactly", true),
        // Pieces found by the KMP search, including ones that restart mid-match.
        ("/*aab", "/aaab", true),
        ("/*abcabd", "/abcabcabd", true),
        ("/*abcabd", "/abcabcab", false),
        ("/x*a*ab$", "/xaab", true),
        ("/x*aa*ab$", "/xaab", false),
        ("/*a*b*c", "/cbacba", false),
        ("/*a*b*c", "/cbacbac", true),
    ])
    func patternMatching(pattern: String, path: String, matched: Bool) {
        #expect(Self.matches(pattern, path) == matched)
    }

    @Test(arguments: ["Disallow:", "Disallow:   ", "Disallow: # nothing to see", "Allow:"])
    func emptyValuesAreNoRule(line: String) {
        let rules = Self.rules("User-agent: *\n\(line)\n")
        #expect(rules == .allowAll)
        #expect(rules.allows(path: "/anything"))
    }

    @Test func anEmptyAllowDoesNotOverrideADisallow() {
        #expect(!Self.rules("User-agent: *\nAllow:\nDisallow: /\n").allows(path: "/x"))
    }

    @Test(arguments: [
        ("/*?", "/page?x=1", true),
        ("/*?", "/page", false),
        ("/search?q=", "/search?q=fish", true),
        ("/search?q=", "/search", false),
        ("/*?session=", "/a?session=1", true),
        // `?` is literal: a later parameter needs its own rule.
        ("/*?session=", "/a?lang=en&session=1", false),
        ("/*session=", "/a?lang=en&session=1", true),
        ("/*?session=", "/a?lang=en", false),
        ("/*?lang=en$", "/a?lang=en", true),
        ("/*?lang=en$", "/a?lang=en&x=1", false),
    ])
    func queryStrings(pattern: String, path: String, matched: Bool) {
        #expect(Self.matches(pattern, path) == matched)
    }

    // MARK: Percent-encoding

    @Test(arguments: [
        ("/a%7e", "/a~", true),
        ("/a~", "/a%7E", true),
        ("/a%7E", "/a%7e", true),
        ("/a%2f", "/a%2F", true),
        ("/a%2F", "/a%2f", true),
        ("/a%2F", "/a/", false),
        ("/a/", "/a%2F", false),
        // RFC 9309 2.2.2's table.
        ("/foo/bar?baz=quz", "/foo/bar?baz=quz", true),
        ("/foo/bar/ツ", "/foo/bar/%E3%83%84", true),
        ("/foo/bar/%E3%83%84", "/foo/bar/%E3%83%84", true),
        ("/foo/bar/%62%61%7A", "/foo/bar/%62%61%7A", true),
        ("/foo/bar/%62%61%7A", "/foo/bar/baz", true),
        ("/foo/bar/baz", "/foo/bar/%62%61%7a", true),
        // Non-ASCII in the path is escaped the same way; escapes are compared in upper case.
        ("/foo/bar/%E3%83%84", "/foo/bar/ツ", true),
        ("/foo/bar/ツ", "/foo/bar/%e3%83%84", true),
        ("/a b", "/a%20b", true),
        // A `%` without two hex digits is just a character.
        ("/100%", "/100%", true),
        ("/100%z", "/100%zz", true),
        ("/100%25", "/100%", false),
    ])
    func percentEncodingIsNormalised(pattern: String, path: String, matched: Bool) {
        #expect(Self.matches(pattern, path) == matched)
    }

    /// Bytes that aren't UTF-8 (here Latin-1 `é`) are escaped byte for byte, and don't upset the
    /// lines around them.
    @Test func invalidUTF8IsTolerated() {
        let body = Array("User-agent: *\n".utf8) + [0xFF, 0xFE, 0x0A]
            + Array("Disallow: /caf".utf8) + [0xE9, 0x0A] + Array("Disallow: /x\n".utf8)
        let rules = RobotsRules(parsing: body, userAgent: "parfetch")
        #expect(!rules.allows(path: "/caf%E9"))
        #expect(rules.allows(path: "/caf%C3%A9"))
        #expect(!rules.allows(path: "/x"))
    }

    // MARK: robots.txt itself

    @Test(arguments: ["/robots.txt", "/robots.txt?x=1", "/robots%2Etxt"])
    func robotsTxtIsAlwaysAllowed(path: String) {
        #expect(RobotsRules.disallowAll.allows(path: path))
        #expect(Self.rules("User-agent: *\nDisallow: /robots.txt\nDisallow: /\n").allows(path: path))
    }

    @Test func onlyRobotsTxtItselfIsExempt() {
        #expect(RobotsRules.disallowAll.allows(path: CheckedURL.valid("https://example.com/robots.txt").pathAndQuery))
        #expect(!RobotsRules.disallowAll.allows(path: "/robots.txt.bak"))
        #expect(!RobotsRules.disallowAll.allows(path: "/dir/robots.txt"))
    }

    // MARK: Syntax

    @Test func commentsBlankLinesAndOtherKeysAreIgnored() {
        let rules = Self.rules("""
            # Leading comment
            # Disallow: /commented

            User-agent: parfetch # that's us

            # between the user agent and its rules
            Disallow: /secret # trailing comment
            \tAllow:   /secret/open\t\u{20}
            Sitemap: https://example.com/sitemap.xml
            Unknown-key: /unknown
            a line without a colon
            Disalow: /typo
            Disallow: /also
            """)
        #expect(!rules.allows(path: "/secret"))
        #expect(rules.allows(path: "/secret/open"))
        #expect(rules.allows(path: "/commented"))
        #expect(rules.allows(path: "/unknown"))
        #expect(rules.allows(path: "/typo"))
        #expect(!rules.allows(path: "/also"))
    }

    @Test func keysAreCaseInsensitiveAndMayHaveSpaceBeforeTheColon() {
        let rules = Self.rules("USER-AGENT: *\nDisAllow: /a\nALLOW: /a/b\nDisallow : /c\nCRAWL-DELAY: 2\n")
        #expect(!rules.allows(path: "/a"))
        #expect(rules.allows(path: "/a/b"))
        #expect(!rules.allows(path: "/c"))
        #expect(rules.crawlDelay == 2)
    }

    @Test func crlfCrAndBOM() {
        let text = "User-agent: parfetch\r\nDisallow: /a\r\n\r\nUser-agent: otherbot\rDisallow: /b\rCrawl-delay: 3\r\n"
        let rules = RobotsRules(parsing: [0xEF, 0xBB, 0xBF] + Array(text.utf8), userAgent: "parfetch/0.1.0")
        #expect(!rules.allows(path: "/a"))
        #expect(rules.allows(path: "/b"))
        #expect(rules.crawlDelay == nil)
        let other = RobotsRules(parsing: [0xEF, 0xBB, 0xBF] + Array(text.utf8), userAgent: "otherbot")
        #expect(other.allows(path: "/a"))
        #expect(!other.allows(path: "/b"))
        #expect(other.crawlDelay == 3)
    }

    /// The limit falls inside "Disallow: /cutoff"; the cut line is dropped, not read as "/cut".
    @Test func onlyTheFirst500KiBAreParsed() {
        let head = "User-agent: *\nDisallow: /early\n"
        let cutLine = "Disallow: /cutoff\n"
        let fillerLength = RobotsRules.parseLimit - head.utf8.count - 14
        let filler = "#" + String(repeating: "x", count: fillerLength - 2) + "\n"
        let text = head + filler + cutLine + "Disallow: /late\n"
        #expect(RobotsRules.parseLimit == 512_000)
        let rules = Self.rules(text)
        #expect(!rules.allows(path: "/early"))
        #expect(rules.allows(path: "/cut"))
        #expect(rules.allows(path: "/cutoff"))
        #expect(rules.allows(path: "/late"))
    }

    @Test func aLineEndingExactlyAtTheLimitIsKept() {
        let head = "User-agent: *\n"
        let lastLine = "Disallow: /last"
        let filler = "#" + String(repeating: "x", count: RobotsRules.parseLimit - head.utf8.count - lastLine.utf8.count - 2) + "\n"
        let rules = Self.rules(head + filler + lastLine + "\nDisallow: /late\n")
        #expect(!rules.allows(path: "/last"))
        #expect(rules.allows(path: "/late"))
    }

    // MARK: Crawl-delay

    @Test(arguments: [
        ("10", 10.0 as Double?),
        ("0.5", 0.5),
        ("0", 0),
        ("2.25   ", 2.25),
        (".5", 0.5),
        ("5.", 5),
        ("-1", nil),
        ("+3", nil),
        ("1e3", nil),
        ("inf", nil),
        ("nan", nil),
        ("0x10", nil),
        ("10s", nil),
        ("1.2.3", nil),
        ("1,5", nil),
        ("1 5", nil),
        (".", nil),
        ("", nil),
    ])
    func crawlDelayParsing(value: String, seconds: Double?) {
        #expect(Self.rules("User-agent: parfetch\nCrawl-delay: \(value)\n").crawlDelay == seconds)
    }

    @Test func crawlDelayComesFromTheSelectedGroup() {
        let robots = """
            User-agent: *
            Crawl-delay: 7

            User-agent: parfetch
            Disallow: /a

            User-agent: slowbot
            Crawl-delay: 30
            """
        #expect(Self.rules(robots).crawlDelay == nil)
        #expect(Self.rules(robots, agent: "somebot").crawlDelay == 7)
        #expect(Self.rules(robots, agent: "slowbot").crawlDelay == 30)
    }

    @Test func theFirstValidCrawlDelayOfMergedGroupsCounts() {
        let robots = """
            User-agent: parfetch
            Crawl-delay: soon

            User-agent: parfetch
            Crawl-delay: 4

            User-agent: parfetch
            Crawl-delay: 9
            """
        #expect(Self.rules(robots).crawlDelay == 4)
    }

    /// Crawl-delay is a group member like a rule, so a user-agent line after it starts a new group.
    @Test func crawlDelayEndsTheUserAgentLines() {
        let rules = Self.rules("User-agent: parfetch\nCrawl-delay: 1\nUser-agent: otherbot\nDisallow: /\n")
        #expect(rules.allows(path: "/x"))
        #expect(rules.crawlDelay == 1)
    }

    // MARK: Fixed answers

    @Test func allowAllAndDisallowAll() {
        #expect(RobotsRules.allowAll.allows(path: "/"))
        #expect(RobotsRules.allowAll.allows(path: CheckedURL.valid("https://example.com/any?thing").pathAndQuery))
        #expect(RobotsRules.allowAll.crawlDelay == nil)
        #expect(!RobotsRules.disallowAll.allows(path: "/"))
        #expect(!RobotsRules.disallowAll.allows(path: "/x?y=1"))
        #expect(!RobotsRules.disallowAll.allows(path: CheckedURL.valid("http://127.0.0.1:8080").pathAndQuery))
        #expect(RobotsRules.disallowAll.crawlDelay == nil)
        #expect(RobotsRules.allowAll != RobotsRules.disallowAll)
        #expect(Self.rules("") == .allowAll)
        #expect(Self.rules("User-agent: *\nDisallow: /\n", agent: "anybot") == .disallowAll)
    }

    // MARK: URLs

    static let siteRules = """
        User-agent: *
        Allow: /$
        Disallow: /
        Allow: /public
        Disallow: /public/*?session=
        """

    @Test(arguments: [
        ("http://127.0.0.1:8080", true),
        ("http://127.0.0.1:8080/", true),
        ("https://example.com:8443/public/page", true),
        ("https://example.com/other", false),
        ("https://example.com/public/page?session=1", false),
        ("https://example.com/public/page?lang=en", true),
        ("https://example.com/public/page#section", true),
        ("https://example.com/other#/public", false),
        ("https://example.com?x=1", false),
        ("https://example.com#/other", true),
        ("https://user:secret@example.com:8080/public", true),
        ("https://example.com/public/a?next=http://x/other", true),
        ("HTTPS://EXAMPLE.COM/public", true),
        ("https://example.com/%70ublic", true),
    ])
    func allowsURL(url: String, allowed: Bool) {
        #expect(Self.rules(Self.siteRules).allows(path: CheckedURL.valid(url).pathAndQuery) == allowed)
    }

    @Test(arguments: [
        ("/", true),
        ("", true),
        ("/public#x", true),
        ("/other#x", false),
        ("/?x=1", false),
    ])
    func allowsPath(path: String, allowed: Bool) {
        #expect(Self.rules(Self.siteRules).allows(path: path) == allowed)
    }

    // MARK: Pathological patterns

    /// Naive backtracking tries every way to place each `*`: exponential in the number of stars
    /// on a path of `a`s without the final `b`.
    @Test func manyWildcardsOnALongPathStayCorrect() {
        let pattern = "/" + String(repeating: "*a", count: 40) + "*b"
        let rules = Self.rules("User-agent: *\nDisallow: \(pattern)\nDisallow: /*a*a*a*a*c$\n")
        let long = "/" + String(repeating: "a", count: 100_000)
        #expect(rules.allows(path: long))
        #expect(!rules.allows(path: long + "b"))
        #expect(!rules.allows(path: long + "bc"))
        #expect(rules.allows(path: long + "ca"))
        #expect(!rules.allows(path: long + "c"))
        #expect(!rules.allows(path: "/" + String(repeating: "a", count: 40) + "b"))
        #expect(rules.allows(path: "/" + String(repeating: "a", count: 39) + "b"))
    }
}

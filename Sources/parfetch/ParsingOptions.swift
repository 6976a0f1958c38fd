import ArgumentParser
import ParFetch

#if canImport(Glibc)
import Glibc
#endif

struct ParsingOptions: ParsableArguments {
    @Option(name: .customLong("select"), help: ArgumentHelp(
        "Extract with a CSS selector into extract.NAME (::text and ::attr(name) as in parsel). Repeatable.",
        valueName: "NAME=CSS"))
    var selections: [String] = []

    @Option(name: .customLong("xpath"), help: ArgumentHelp(
        "Extract with an XPath 1.0 expression into extract.NAME. Repeatable.", valueName: "NAME=EXPR"))
    var expressions: [String] = []

    @Flag(help: "Do not parse pages: records carry no page fields.")
    var noParse = false

    @Option(parsing: .unconditional, help: ArgumentHelp("Threads that parse pages (default: the number of processors).", valueName: "n"))
    var parseWorkers: Int?

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "Links a record keeps at most; a page with more gets the first ones and links_truncated (0: no limit).",
        valueName: "n"))
    var maxLinks = 10_000

    func validate() throws {
        if noParse && !(selections.isEmpty && expressions.isEmpty) {
            throw ValidationError("--select and --xpath need parsing; drop --no-parse")
        }
        if maxLinks < 0 {
            throw ValidationError.outOfRange("--max-links", mustBe: "0 (no limit) or more", got: maxLinks)
        }
        if let parseWorkers, !(1...1024).contains(parseWorkers) {
            throw ValidationError.outOfRange("--parse-workers", mustBe: "from 1 to 1024", got: parseWorkers)
        }
        let rules = try rules()
        var names = Set<String>()
        for rule in rules where !names.insert(rule.name).inserted {
            throw ValidationError("extraction name '\(rule.name)' is used twice")
        }
    }

    /// The rules, CSS first then XPath, each in the order given. Bad ones are usage errors.
    func rules() throws -> [ExtractionRule] {
        do {
            return try selections.map { try ExtractionRule(assignment: $0, language: .css) }
                + expressions.map { try ExtractionRule(assignment: $0, language: .xpath) }
        } catch let error as ExtractionRuleError {
            throw ValidationError(error.description)
        }
    }

    func apply(to options: inout CrawlOptions) throws {
        options.parse = !noParse
        if let parseWorkers { options.parseWorkers = parseWorkers }
        options.maxLinks = maxLinks == 0 ? nil : maxLinks
        options.rules = try rules()
    }
}

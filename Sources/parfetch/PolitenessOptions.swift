import ArgumentParser
import ParFetch

struct PolitenessOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: ArgumentHelp(
        "Transfers in flight to one host (name and port) at most; halved while the host answers 429 or 503.",
        valueName: "n"))
    var perHost: Int = SchedulingPolicy().perHost

    @Option(parsing: .unconditional, help: ArgumentHelp("New requests per second at most, over all hosts.", valueName: "r"))
    var rate: Double?

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "Seconds between two request starts to one host, on average (varied by ±50% unless --no-jitter; never below a robots.txt Crawl-delay).",
        valueName: "seconds"))
    var delay: Double = 0

    @Flag(help: "Keep --delay exact instead of varying it at random.")
    var noJitter = false

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "Retries of retryable failures (connect errors, timeouts, resets, HTTP 408, 429, 500, 502, 503, 504), with exponential backoff.",
        valueName: "n"))
    var retries: Int = SchedulingPolicy().retries

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "Longest Retry-After honoured, in seconds; a URL asked to wait longer is not retried.",
        valueName: "seconds"))
    var maxRetryWait: Double = SchedulingPolicy().maxRetryWait

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "Consecutive connect or DNS failures after which a host's remaining URLs are not fetched (0: never).",
        valueName: "n"))
    var hostErrors: Int = SchedulingPolicy().hostErrors

    @Flag(help: "Obey each host's robots.txt (fetched once per host), including its Crawl-delay.")
    var robots = false

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "Lines read ahead at most while slots are idle, to find work for them behind a long run of one busy host.",
        valueName: "lines"))
    var lookahead: Int = SchedulingPolicy().lookahead

    func validate() throws {
        guard (1...100_000).contains(perHost) else {
            throw ValidationError.outOfRange("--per-host", mustBe: "from 1 to 100000", got: perHost)
        }
        if let rate, !(rate > 0 && rate <= 1_000_000) {
            throw ValidationError.outOfRange("--rate", mustBe: "more than 0 and at most 1000000 requests per second", got: rate)
        }
        guard delay >= 0, delay <= 86_400 else {
            throw ValidationError.outOfRange("--delay", mustBe: "from 0 to 86400 seconds", got: delay)
        }
        guard (0...100).contains(retries) else {
            throw ValidationError.outOfRange("--retries", mustBe: "from 0 to 100", got: retries)
        }
        guard maxRetryWait >= 0, maxRetryWait <= 86_400 else {
            throw ValidationError.outOfRange("--max-retry-wait", mustBe: "from 0 to 86400 seconds", got: maxRetryWait)
        }
        guard hostErrors >= 0 else {
            throw ValidationError.outOfRange("--host-errors", mustBe: "0 (never) or more", got: hostErrors)
        }
        guard (1...10_000_000).contains(lookahead) else {
            throw ValidationError.outOfRange("--lookahead", mustBe: "from 1 to 10000000 lines", got: lookahead)
        }
    }

    func apply(to policy: inout SchedulingPolicy) {
        policy.perHost = perHost
        policy.rate = rate
        policy.delay = delay
        policy.jitter = !noJitter
        policy.retries = retries
        policy.maxRetryWait = maxRetryWait
        policy.hostErrors = hostErrors
        policy.robots = robots
        policy.lookahead = lookahead
    }
}

import Testing

@testable import ParFetch

/// The scheduler's decisions, driven as a plain value: no network, no clock, seeded randomness.
@Suite struct HostSchedulerTests {
    struct Job: SchedulerJob, Equatable {
        let host: String
        let path: String

        init(_ host: String, _ path: String) {
            self.host = host
            self.path = path
        }

        var url: String { "http://\(host)\(path)" }
        var robotsPath: Substring { Substring(path) }
        var robotsURL: String { "http://\(host)/robots.txt" }
    }

    typealias Scheduler = HostScheduler<Job>
    static let second: Nanoseconds = 1_000_000_000
    static let t0: Nanoseconds = 1_000 * second

    static func policy(_ change: (inout SchedulingPolicy) -> Void = { _ in }) -> SchedulingPolicy {
        var policy = SchedulingPolicy()
        change(&policy)
        return policy
    }

    static func scheduler(limit: Int = 100, _ change: (inout SchedulingPolicy) -> Void = { _ in }) -> Scheduler {
        Scheduler(policy: policy(change), limit: limit, now: t0, seed: 42)
    }

    /// Takes every step that starts something, until the scheduler waits or is blocked.
    static func starts(_ scheduler: inout Scheduler, now: Nanoseconds = t0) -> ([Scheduler.Ticket], Scheduler.Step) {
        var tickets: [Scheduler.Ticket] = []
        while true {
            let step = scheduler.next(now: now)
            guard case .start(let ticket) = step else { return (tickets, step) }
            tickets.append(ticket)
        }
    }

    static func isBlocked(_ step: Scheduler.Step) -> Bool {
        if case .blocked = step { return true }
        return false
    }

    static func waitTime(_ step: Scheduler.Step) -> Nanoseconds? {
        if case .wait(let until) = step { return until }
        return nil
    }

    static let ok = AttemptOutcome.response(status: 200, retryAfter: nil)

    // MARK: limits and fairness

    @Test func perHostLimitHolds() {
        var scheduler = Self.scheduler { $0.perHost = 3 }
        for index in 0..<10 { scheduler.add(Job("a:80", "/\(index)")) }
        var (started, step) = Self.starts(&scheduler)
        #expect(started.map(\.job.url) == ["http://a:80/0", "http://a:80/1", "http://a:80/2"])
        #expect(Self.isBlocked(step))
        #expect(scheduler.inFlight == 3 && scheduler.waiting == 7)
        #expect(scheduler.finished(started[1], Self.ok, now: Self.t0) == .done)
        (started, step) = Self.starts(&scheduler)
        #expect(started.map(\.job.url) == ["http://a:80/3"])
        #expect(Self.isBlocked(step))
    }

    @Test func globalLimitHoldsAcrossHosts() {
        var scheduler = Self.scheduler(limit: 4)
        for host in 0..<10 { scheduler.add(Job("h\(host):80", "/")) }
        let (started, step) = Self.starts(&scheduler)
        #expect(started.map(\.job.host) == ["h0:80", "h1:80", "h2:80", "h3:80"])
        #expect(Self.isBlocked(step))
    }

    @Test func hostsTakeTurns() {
        var scheduler = Self.scheduler()
        for index in 0..<100 { scheduler.add(Job("a:80", "/\(index)")) }
        for index in 0..<3 { scheduler.add(Job("b:80", "/\(index)")) }
        let (started, _) = Self.starts(&scheduler)
        // Round-robin while both have work and room, then A alone up to its limit of 6.
        #expect(started.map(\.job.host) == ["a:80", "b:80", "a:80", "b:80", "a:80", "b:80", "a:80", "a:80", "a:80"])
    }

    /// 10,000 URLs of a slow host listed before 10 of another: the other's all start while
    /// the first host's queue is still nearly full.
    @Test func aLongQueueDoesNotStarveAnotherHost() {
        var scheduler = Self.scheduler(limit: 8) { $0.perHost = 4 }
        for index in 0..<10_000 { scheduler.add(Job("slow:80", "/\(index)")) }
        for index in 0..<10 { scheduler.add(Job("fast:80", "/\(index)")) }
        var now = Self.t0
        var inFlight: [Scheduler.Ticket] = []
        var fastStarted = 0
        var slowStarted = 0
        while fastStarted < 10 {
            let (started, _) = Self.starts(&scheduler, now: now)
            fastStarted += started.filter { $0.job.host == "fast:80" }.count
            slowStarted += started.filter { $0.job.host == "slow:80" }.count
            inFlight += started
            // The oldest transfer ends.
            let ticket = inFlight.removeFirst()
            #expect(scheduler.finished(ticket, Self.ok, now: now) == .done)
            now += Self.second / 100
        }
        #expect(slowStarted <= 20)
    }

    // MARK: feedback

    @Test func throttlingHalvesTheWindowOncePerRoundTripAndSuccessGrowsIt() {
        var scheduler = Self.scheduler { $0.retries = 0 }
        for index in 0..<20 { scheduler.add(Job("a:80", "/\(index)")) }
        let first = Self.starts(&scheduler).0
        #expect(first.count == 6)
        #expect(scheduler.finished(first[0], .response(status: 429, retryAfter: nil), now: Self.t0) == .done)
        // Window 3. Answers to requests sent before the cut neither grow it back nor cut again.
        #expect(scheduler.finished(first[1], .response(status: 503, retryAfter: nil), now: Self.t0) == .done)
        for ticket in first[2...] {
            #expect(scheduler.finished(ticket, Self.ok, now: Self.t0) == .done)
        }
        let second = Self.starts(&scheduler).0
        #expect(second.count == 3)
        // A success on the new window grows it by one.
        #expect(scheduler.finished(second[0], Self.ok, now: Self.t0) == .done)
        let third = Self.starts(&scheduler).0
        #expect(third.count == 2)
        // Two 429s of one round trip: one cut, 4 → 2.
        _ = scheduler.finished(second[1], .response(status: 429, retryAfter: nil), now: Self.t0)
        _ = scheduler.finished(second[2], .response(status: 429, retryAfter: nil), now: Self.t0)
        #expect(Self.starts(&scheduler).0.isEmpty)
        _ = scheduler.finished(third[0], Self.ok, now: Self.t0)
        #expect(Self.starts(&scheduler).0.count == 1)
    }

    @Test func windowNeverDropsBelowOne() {
        var scheduler = Self.scheduler { $0.retries = 0 }
        for index in 0..<20 { scheduler.add(Job("a:80", "/\(index)")) }
        var rounds: [Int] = []
        for _ in 0..<5 {
            let (started, _) = Self.starts(&scheduler)
            rounds.append(started.count)
            for ticket in started {
                _ = scheduler.finished(ticket, .response(status: 503, retryAfter: nil), now: Self.t0)
            }
        }
        #expect(rounds == [6, 3, 1, 1, 1])
    }

    @Test func retryAfterPausesTheWholeHostAndRetriesFirst() {
        var scheduler = Self.scheduler()
        scheduler.add(Job("a:80", "/flaky"))
        scheduler.add(Job("a:80", "/next"))
        scheduler.add(Job("b:80", "/other"))
        let first = scheduler.next(now: Self.t0)
        guard case .start(let flaky) = first else { Issue.record("expected a start"); return }
        let verdict = scheduler.finished(flaky, .response(status: 503, retryAfter: 2), now: Self.t0)
        #expect(verdict == .retry(at: Self.t0 + 2 * Self.second))
        // B goes on; A (both its URLs) waits out the pause.
        let (started, step) = Self.starts(&scheduler, now: Self.t0 + Self.second)
        #expect(started.map(\.job.url) == ["http://b:80/other"])
        #expect(Self.waitTime(step) == Self.t0 + 2 * Self.second)
        let (later, _) = Self.starts(&scheduler, now: Self.t0 + 2 * Self.second)
        #expect(later.map(\.job.url) == ["http://a:80/flaky", "http://a:80/next"])
        #expect(later.map(\.attempt) == [2, 1])
    }

    @Test func retryAfterLongerThanAllowedIsNotRetried() {
        var scheduler = Self.scheduler { $0.maxRetryWait = 5 }
        scheduler.add(Job("a:80", "/x"))
        scheduler.add(Job("a:80", "/y"))
        guard case .start(let ticket) = scheduler.next(now: Self.t0) else { Issue.record("expected a start"); return }
        #expect(scheduler.finished(ticket, .response(status: 429, retryAfter: 3600), now: Self.t0)
            == .notRetried(retryAfter: 3600))
        // The host is paused for the longest wait allowed, not an hour.
        let (_, step) = Self.starts(&scheduler)
        #expect(Self.waitTime(step) == Self.t0 + 5 * Self.second)
    }

    @Test(arguments: [
        (AttemptOutcome.response(status: 500, retryAfter: nil), true),
        (.response(status: 502, retryAfter: nil), true),
        (.response(status: 504, retryAfter: nil), true),
        (.response(status: 408, retryAfter: nil), true),
        (.response(status: 404, retryAfter: nil), false),
        (.response(status: 501, retryAfter: nil), false),
        (.response(status: 200, retryAfter: nil), false),
        (.failure(.connect), true),
        (.failure(.timeout), true),
        (.failure(.reset), true),
        (.failure(.dns), false),
        (.failure(.tls), false),
        (.failure(.tooLarge), false),
    ])
    func retryableOutcomes(outcome: AttemptOutcome, retried: Bool) {
        var scheduler = Self.scheduler()
        scheduler.add(Job("a:80", "/"))
        guard case .start(let ticket) = scheduler.next(now: Self.t0) else { Issue.record("expected a start"); return }
        let verdict = scheduler.finished(ticket, outcome, now: Self.t0)
        #expect((verdict != .done) == retried)
    }

    @Test func retriesStopAfterTheLimit() {
        var scheduler = Self.scheduler { $0.retries = 2 }
        scheduler.add(Job("a:80", "/"))
        var now = Self.t0
        var attempts: [Int] = []
        for _ in 0..<10 {
            let (started, step) = Self.starts(&scheduler, now: now)
            if let ticket = started.first {
                attempts.append(ticket.attempt)
                if case .retry(let at) = scheduler.finished(ticket, .failure(.reset), now: now) {
                    // Backoff for attempt n: at most 0.5 s × 2^(n-1).
                    #expect(at - now <= (Self.second / 2) << (ticket.attempt - 1))
                }
            } else if let until = Self.waitTime(step) {
                now = until
            } else {
                break
            }
        }
        #expect(attempts == [1, 2, 3])
        #expect(scheduler.isEmpty)
    }

    /// Full jitter: every wait is within [0, min(cap, base × 2^(n-1))], and they spread.
    @Test func backoffIsBoundedAndJittered() {
        var waits: [Int: [Double]] = [:]
        for seed in 0..<200 as Range<UInt64> {
            var scheduler = Scheduler(policy: Self.policy { $0.retries = 8; $0.hostErrors = 0 }, limit: 10, now: Self.t0, seed: seed)
            scheduler.add(Job("a:80", "/"))
            var now = Self.t0
            for _ in 0..<20 {
                let (started, step) = Self.starts(&scheduler, now: now)
                if let ticket = started.first {
                    if case .retry(let at) = scheduler.finished(ticket, .failure(.connect), now: now) {
                        waits[ticket.attempt, default: []].append(Double(at - now) / 1e9)
                    }
                } else if let until = Self.waitTime(step) {
                    now = until
                } else {
                    break
                }
            }
        }
        for (attempt, values) in waits {
            let ceiling = min(30, 0.5 * Double(1 << (attempt - 1)))
            #expect(values.allSatisfy { $0 >= 0 && $0 <= ceiling + 1e-9 }, "attempt \(attempt)")
            #expect(values.max()! > ceiling * 0.8 && values.min()! < ceiling * 0.2, "attempt \(attempt) spreads")
        }
        #expect(waits.keys.sorted() == Array(1...8))
    }

    @Test(arguments: [FetchError.Kind.connect, .dns])
    func hostIsGivenUpAfterConsecutiveFailures(kind: FetchError.Kind) {
        var scheduler = Self.scheduler { $0.hostErrors = 3; $0.retries = 0; $0.perHost = 1 }
        for index in 0..<10 { scheduler.add(Job("down:80", "/\(index)")) }
        scheduler.add(Job("up:80", "/"))
        var skipped: [(Job, FetchError)] = []
        var fetched = 0
        for _ in 0..<30 {
            switch scheduler.next(now: Self.t0) {
            case .start(let ticket):
                if ticket.job.host == "down:80" {
                    fetched += 1
                    _ = scheduler.finished(ticket, .failure(kind), now: Self.t0)
                } else {
                    _ = scheduler.finished(ticket, Self.ok, now: Self.t0)
                }
            case .skip(let job, let attempts, let error):
                #expect(attempts == 0)
                skipped.append((job, error))
            default:
                break
            }
        }
        #expect(fetched == 3)
        #expect(skipped.map(\.0.url) == (3..<10).map { "http://down:80/\($0)" })
        #expect(skipped.allSatisfy { $0.1.kind == kind && $0.1.message.contains("given up after 3 consecutive") })
        #expect(scheduler.isEmpty)
    }

    @Test func timeoutsWhileConnectingCountTowardsGivingUp() {
        var scheduler = Self.scheduler { $0.hostErrors = 2; $0.retries = 0; $0.perHost = 1 }
        for index in 0..<5 { scheduler.add(Job("a:80", "/\(index)")) }
        let outcomes: [AttemptOutcome] = [.failure(.timeout), .failure(.timeout, connecting: true), .failure(.timeout, connecting: true)]
        var skipped = 0
        var index = 0
        for _ in 0..<10 {
            switch scheduler.next(now: Self.t0) {
            case .start(let ticket):
                _ = scheduler.finished(ticket, outcomes[index], now: Self.t0)
                index += 1
            case .skip(_, _, let error):
                #expect(error.kind == .connect)
                skipped += 1
            default:
                break
            }
        }
        // A timeout after connecting does not count; two while connecting give the host up.
        #expect(index == 3 && skipped == 2)
    }

    @Test func aResponseResetsTheFailureCount() {
        var scheduler = Self.scheduler { $0.hostErrors = 2; $0.retries = 0; $0.perHost = 1 }
        for index in 0..<6 { scheduler.add(Job("a:80", "/\(index)")) }
        let outcomes: [AttemptOutcome] = [.failure(.connect), Self.ok, .failure(.connect), .response(status: 500, retryAfter: nil), .failure(.connect), Self.ok]
        var index = 0
        while case .start(let ticket) = scheduler.next(now: Self.t0) {
            _ = scheduler.finished(ticket, outcomes[index], now: Self.t0)
            index += 1
        }
        #expect(index == 6)
    }

    // MARK: pacing

    @Test func rateSpacesStartsEvenly() {
        var scheduler = Self.scheduler { $0.rate = 10 }
        for host in 0..<50 { scheduler.add(Job("h\(host):80", "/")) }
        var now = Self.t0
        var startTimes: [Nanoseconds] = []
        while startTimes.count < 21 {
            let (started, step) = Self.starts(&scheduler, now: now)
            startTimes += started.map { _ in now }
            guard let until = Self.waitTime(step) else { Issue.record("expected a wait"); return }
            #expect(until > now)
            now = until
        }
        // One token in the bucket at 10/s: 21 starts take 2 s.
        #expect(startTimes.last! - startTimes.first! >= 2 * Self.second - 1_000)
        #expect(startTimes.last! - startTimes.first! <= 2 * Self.second + 1_000_000)
    }

    @Test func delaySpacesStartsToOneHost() {
        var scheduler = Self.scheduler { $0.delay = 1; $0.jitter = false }
        for index in 0..<3 { scheduler.add(Job("a:80", "/\(index)")) }
        scheduler.add(Job("b:80", "/"))
        var (started, step) = Self.starts(&scheduler)
        #expect(started.map(\.job.host) == ["a:80", "b:80"])
        #expect(Self.waitTime(step) == Self.t0 + Self.second)
        (started, step) = Self.starts(&scheduler, now: Self.t0 + Self.second)
        #expect(started.map(\.job.url) == ["http://a:80/1"])
        #expect(Self.waitTime(step) == Self.t0 + 2 * Self.second)
    }

    @Test func delayJitterStaysWithinHalfEitherWay() {
        var gaps: [Double] = []
        var scheduler = Self.scheduler { $0.delay = 2 }
        for index in 0..<200 { scheduler.add(Job("a:80", "/\(index)")) }
        var now = Self.t0
        var last: Nanoseconds?
        for _ in 0..<400 {
            let (started, step) = Self.starts(&scheduler, now: now)
            for ticket in started {
                if let last { gaps.append(Double(now - last) / 1e9) }
                last = now
                _ = scheduler.finished(ticket, Self.ok, now: now)
            }
            guard let until = Self.waitTime(step) else { break }
            now = until
        }
        #expect(gaps.count == 199)
        #expect(gaps.allSatisfy { $0 >= 1 && $0 <= 3 + 1e-6 })
        #expect(gaps.min()! < 1.2 && gaps.max()! > 2.8)
    }

    // MARK: robots.txt

    @Test func robotsIsFetchedOnceAndApplied() {
        var scheduler = Self.scheduler { $0.robots = true }
        for path in ["/a", "/private/b", "/c"] { scheduler.add(Job("a:80", path)) }
        guard case .fetchRobots(let robots) = scheduler.next(now: Self.t0) else {
            Issue.record("expected the robots.txt fetch first")
            return
        }
        #expect(robots.url == "http://a:80/robots.txt")
        // Nothing else of the host starts meanwhile.
        #expect(Self.isBlocked(scheduler.next(now: Self.t0)))
        let rules = RobotsRules(parsing: Array("User-agent: *\nDisallow: /private\nCrawl-delay: 1\n".utf8),
                                userAgent: "parfetch/0.1.0")
        scheduler.robotsFinished(robots, rules: rules, disallowed: FetchError(.robots, "disallowed"), now: Self.t0)
        var events: [String] = []
        var now = Self.t0
        var lastStart = now
        for _ in 0..<10 {
            switch scheduler.next(now: now) {
            case .start(let ticket):
                events.append("start \(ticket.job.url)")
                lastStart = now
                _ = scheduler.finished(ticket, Self.ok, now: now)
            case .skip(let job, _, let error):
                events.append("skip \(job.url) \(error.kind)")
            case .wait(let until):
                now = until
            case .fetchRobots:
                events.append("robots again")
            case .blocked:
                break
            }
        }
        #expect(events == ["start http://a:80/a", "skip http://a:80/private/b robots", "start http://a:80/c"])
        // Crawl-delay 1 s is a minimum: jitter only lengthens it (up to +50 %).
        #expect(lastStart >= Self.t0 + Self.second && lastStart <= Self.t0 + 3 * Self.second / 2)
    }

    // MARK: look-ahead and stopping

    @Test func dueRetriesNotYetRestartedAreHandedBackOnStop() {
        var scheduler = Self.scheduler(limit: 1)
        scheduler.add(Job("a:80", "/x"))
        scheduler.add(Job("b:80", "/y"))
        guard case .start(let first) = scheduler.next(now: Self.t0) else { Issue.record("expected a start"); return }
        guard case .retry(let at) = scheduler.finished(first, .failure(.reset), now: Self.t0) else {
            Issue.record("expected a retry")
            return
        }
        // The other host takes the only slot; the retry comes due and waits at the head of its queue.
        guard case .start = scheduler.next(now: Self.t0) else { Issue.record("expected a start"); return }
        #expect(Self.isBlocked(scheduler.next(now: at)))
        let taken = scheduler.takeRetries()
        #expect(taken.map(\.job.url) == ["http://a:80/x"] && taken.map(\.attempts) == [1])
        #expect(scheduler.waiting == 0)
    }

    @Test func retriesWaitingAreHandedBackOnStop() {
        var scheduler = Self.scheduler()
        scheduler.add(Job("a:80", "/x"))
        guard case .start(let ticket) = scheduler.next(now: Self.t0) else { Issue.record("expected a start"); return }
        _ = scheduler.finished(ticket, .response(status: 503, retryAfter: 30), now: Self.t0)
        #expect(scheduler.waiting == 1 && !scheduler.isEmpty)
        let taken = scheduler.takeRetries()
        #expect(taken.map(\.job.url) == ["http://a:80/x"] && taken.map(\.attempts) == [1])
        #expect(scheduler.isEmpty)
    }
}

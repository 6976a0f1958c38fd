import Testing
@testable import ParFetch

/// Admission's decisions driven as a plain value: no loop, no network, no clock.
@Suite struct AdmissionStateMachineTests {
    typealias Machine = AdmissionStateMachine
    typealias Ticket = Machine.Scheduler.Ticket
    static let second: Nanoseconds = 1_000_000_000
    static let t0: Nanoseconds = 1_000 * second

    /// Performs the machine's actions as `Admission` does, against an in-memory intake.
    struct Driver {
        var machine: Machine
        /// Lines the intake holds; `readerFinished`: no more will come after them.
        var lines: [ListItem]
        var readerFinished = true
        var started: [Ticket] = []
        var robots: [Machine.Scheduler.RobotsTicket] = []
        var written: [Record] = []
        /// How each turn asked for lines: whether it asked the intake for a wake-up.
        var takes: [Bool] = []
        /// What `perHostLimitHolds` said.
        var heldHosts: [Int] = []
        var notices: [Machine.Notice] = []

        init(_ urls: [String], _ change: (inout CrawlOptions) -> Void = { _ in }) {
            var options = CrawlOptions()
            options.concurrency = 10
            options.grace = 5
            options.scheduling.jitter = false
            change(&options)
            machine = Machine(options: options, now: AdmissionStateMachineTests.t0, seed: 7)
            lines = urls.enumerated().map { index, url in
                ListItem(line: index + 1, text: url, target: .success(CheckedURL.valid(url)))
            }
        }

        /// One turn of the loop: performs actions until the machine waits; returns how it ended.
        mutating func turn(at now: Nanoseconds = t0, backedUp: Bool = false) -> Machine.Action {
            machine.beginTurn()
            for _ in 0..<10_000 {
                let action = machine.next(now: now, backedUp: backedUp)
                switch action {
                case .take(let limit, let askingForWake):
                    takes.append(askingForWake)
                    let batch = lines.prefix(limit)
                    lines.removeFirst(batch.count)
                    machine.linesTaken(batch, drained: readerFinished && lines.isEmpty)
                case .start(let ticket):
                    started.append(ticket)
                case .fetchRobots(let ticket):
                    robots.append(ticket)
                case .write(let record):
                    written.append(record)
                case .notice(.perHostLimitHolds(let hosts)):
                    heldHosts.append(hosts)
                case .notice(let notice):
                    notices.append(notice)
                case .wait, .idle, .finish:
                    return action
                }
            }
            Issue.record("the turn did not end")
            return .idle
        }

        /// Ends the started attempt of line `line` with `response`; returns where it goes.
        mutating func finish(line: Int, _ response: Response, at now: Nanoseconds = t0) -> String {
            guard let index = started.firstIndex(where: { $0.job.item.line == line }) else {
                Issue.record("line \(line) was not started")
                return "?"
            }
            let ticket = started.remove(at: index)
            switch machine.transferFinished(ticket, response, now: now) {
            case .parse(let item, _, let attempts): return "parse \(item.line) after \(attempts)"
            case .write(let record):
                written.append(record)
                return "write \(record.line) after \(record.attempts)"
            case .retry: return "retry"
            }
        }
    }

    static func page(_ status: Int, body: String = "") -> Response {
        Response(url: "", status: status, contentType: "text/html", bytes: body.utf8.count, body: Array(body.utf8))
    }

    static func description(_ action: Machine.Action) -> String {
        switch action {
        case .wait(let until): "wait \(Double(until - t0) / Double(second))"
        case .idle: "idle"
        case .finish(let completed, let cancelling):
            "finish \(completed ? "complete" : "stopped")\(cancelling.map { " cancelling: \($0.message)" } ?? "")"
        default: "other"
        }
    }

    // MARK: the ordinary run

    @Test func everyLineIsStartedRoutedAndTheRunCompletes() {
        var driver = Driver(["http://a.test/1", "http://a.test/2", "http://b.test/3"])
        #expect(Self.description(driver.turn()) == "idle")
        #expect(driver.started.map(\.job.item.line) == [1, 3, 2])  // round-robin over hosts
        #expect(driver.finish(line: 1, Self.page(200, body: "<title>x</title>")) == "parse 1 after 1")
        #expect(driver.finish(line: 2, Self.page(404)) == "write 2 after 1")
        #expect(Self.description(driver.turn()) == "idle")
        #expect(driver.finish(line: 3, Self.page(200)) == "write 3 after 1")
        #expect(Self.description(driver.turn()) == "finish complete")
        #expect(driver.machine.isFinished)
        #expect(driver.machine.lineTransfers == 0)
    }

    @Test func fetchOnlyWritesEvenHTMLBodies() {
        var driver = Driver(["http://a.test/1"]) { $0.parse = false }
        _ = driver.turn()
        #expect(driver.finish(line: 1, Self.page(200, body: "<title>x</title>")) == "write 1 after 1")
    }

    @Test func savingSendsEveryOKBodyToThePool() throws {
        let scratch = try ScratchDirectory()
        var driver = Driver(["http://a.test/1", "http://a.test/2"]) {
            $0.parse = false
            $0.bodyStore = try? BodyStore(directory: scratch.path)
        }
        _ = driver.turn()
        #expect(driver.finish(line: 1, Self.page(200)) == "parse 1 after 1")
        #expect(driver.finish(line: 2, Self.page(500)) != "parse 2 after 1")
    }

    @Test func theConcurrencyLimitHoldsAcrossTurns() {
        var driver = Driver((1...5).map { "http://h\($0).test/" }) { $0.concurrency = 2 }
        _ = driver.turn()
        #expect(driver.started.count == 2)
        _ = driver.finish(line: 1, Self.page(204))
        _ = driver.turn()
        #expect(driver.started.map(\.job.item.line) == [2, 3])
    }

    @Test func nothingStartsWhileTheOutputIsBackedUp() {
        var driver = Driver(["http://a.test/1"])
        #expect(Self.description(driver.turn(backedUp: true)) == "idle")
        #expect(driver.started.isEmpty)
        _ = driver.turn()
        #expect(driver.started.count == 1)
    }

    @Test func idleSlotsLookFurtherAheadAndAskToBeWoken() {
        var driver = Driver(["http://a.test/1"])
        driver.readerFinished = false
        #expect(Self.description(driver.turn()) == "idle")
        // The reserve first; then, with slots idle and nothing more ready, a wake-up is asked for.
        #expect(driver.takes == [false, true])
        driver.lines = [ListItem(line: 2, text: "http://a.test/2", target: .success(CheckedURL.valid("http://a.test/2")))]
        driver.readerFinished = true
        _ = driver.turn()
        #expect(driver.started.map(\.job.item.line) == [1, 2])
    }

    @Test func idleSlotsHeldByThePerHostLimitAreReportedOnce() {
        var driver = Driver((1...40).map { "http://a.test/\($0)" }) {
            $0.concurrency = 10
            $0.scheduling.perHost = 3
        }
        _ = driver.turn()
        #expect(driver.started.count == 3)
        #expect(driver.heldHosts == [1])
        _ = driver.finish(line: 1, Self.page(204))
        _ = driver.turn(at: Self.t0 + 5 * Self.second)
        #expect(driver.heldHosts == [1])
    }

    /// Lines still arriving: turns with too little waiting to tell do not use up the check
    /// (found under Thread Sanitizer, where the intake is slower than the first transfers).
    @Test func aSlowIntakeStillGetsItsNotice() {
        var driver = Driver((1...8).map { "http://a.test/\($0)" }) {
            $0.concurrency = 10
            $0.scheduling.perHost = 3
        }
        driver.readerFinished = false
        _ = driver.turn()
        #expect(driver.started.count == 3)
        #expect(driver.heldHosts.isEmpty)
        driver.lines = (9...48).map { ListItem(line: $0, text: "http://a.test/\($0)", target: .success(CheckedURL.valid("http://a.test/\($0)"))) }
        _ = driver.turn(at: Self.t0 + Self.second / 10)
        #expect(driver.heldHosts == [1])
    }

    @Test func theTailOfAListOrEnoughHostsIsNoCauseForANotice() {
        // Fewer URLs waiting than idle slots: the end of a list.
        var tail = Driver((1...8).map { "http://a.test/\($0)" }) { $0.scheduling.perHost = 3 }
        _ = tail.turn()
        // Every slot busy.
        var busy = Driver((1...40).map { "http://h\($0 % 4).test/\($0)" }) {
            $0.concurrency = 10
            $0.scheduling.perHost = 3
        }
        _ = busy.turn()
        #expect(tail.heldHosts.isEmpty)
        #expect(busy.heldHosts.isEmpty)
        #expect(busy.started.count == 10)
    }

    // MARK: retries

    @Test func aRetryIsDecidedOnceAndItsRecordKeepsTheLastAttempt() {
        var driver = Driver(["http://a.test/1"]) { $0.scheduling.retries = 1 }
        _ = driver.turn()
        #expect(driver.finish(line: 1, Self.page(503, body: "busy")) == "retry")
        guard case .wait(let until) = driver.turn() else {
            Issue.record("no retry is waited for")
            return
        }
        _ = driver.turn(at: until)
        #expect(driver.started.map(\.attempt) == [2])
        #expect(driver.finish(line: 1, Self.page(503), at: until) == "write 1 after 2")
        #expect(driver.written.first?.status == 503)
        #expect(Self.description(driver.turn(at: until)) == "finish complete")
    }

    @Test func aRetryAfterOverTheLimitIsNotRetriedAndSaysSo() {
        var driver = Driver(["http://a.test/1", "http://b.test/2"]) { $0.scheduling.maxRetryWait = 60 }
        _ = driver.turn()
        var tooLong = Self.page(429)
        tooLong.retryAfter = 120
        var exhausted = Self.page(503)
        exhausted.retryAfter = 30
        #expect(driver.finish(line: 1, tooLong) == "write 1 after 1")
        #expect(driver.written.last?.retryAfter == 120)
        #expect(driver.finish(line: 2, exhausted) == "retry")
        _ = driver.turn()
        #expect(driver.notices == [.retryAfterTooLong(seconds: 120)])
    }

    // MARK: stopping

    @Test func aStopLetsTransfersFinishWithinTheGraceThenCutsTheRestShort() {
        var driver = Driver(["http://a.test/1", "http://b.test/2", "http://c.test/3"]) { $0.concurrency = 2 }
        _ = driver.turn()
        #expect(driver.machine.stop(.requested(hurried: false), now: Self.t0).isEmpty)
        #expect(Self.description(driver.turn()) == "wait 5.0")
        #expect(driver.finish(line: 1, Self.page(204)) == "write 1 after 1")
        #expect(Self.description(driver.turn(at: Self.t0 + Self.second)) == "wait 5.0")
        #expect(Self.description(driver.turn(at: Self.t0 + 5 * Self.second))
            == "finish stopped cancelling: the run was interrupted")
        // Line 3 never started: it gets no record (--resume fetches it).
        #expect(driver.written.map(\.line) == [1])
    }

    @Test func theRunEndsAsSoonAsTheLastTransferFinishes() {
        var driver = Driver(["http://a.test/1"])
        _ = driver.turn()
        _ = driver.machine.stop(.requested(hurried: false), now: Self.t0)
        _ = driver.finish(line: 1, Self.page(204))
        #expect(Self.description(driver.turn()) == "finish stopped cancelling: the run was interrupted")
    }

    @Test(arguments: [
        (Machine.StopCause.requested(hurried: true), "the run was interrupted"),
        (Machine.StopCause.outputFailed, "output closed"),
    ])
    func aHurriedStopOrAFailedOutputGivesNoGrace(cause: Machine.StopCause, message: String) {
        var driver = Driver(["http://a.test/1"])
        _ = driver.turn()
        _ = driver.machine.stop(cause, now: Self.t0)
        #expect(Self.description(driver.turn()) == "finish stopped cancelling: \(message)")
    }

    @Test func aSecondStopRequestEndsTheGrace() {
        var driver = Driver(["http://a.test/1"])
        _ = driver.turn()
        _ = driver.machine.stop(.requested(hurried: false), now: Self.t0)
        #expect(Self.description(driver.turn()) == "wait 5.0")
        _ = driver.machine.stop(.requested(hurried: true), now: Self.t0)
        #expect(Self.description(driver.turn()) == "finish stopped cancelling: the run was interrupted")
    }

    @Test func jobsWaitingForARetryAtAStopAreOwedInterruptedRecords() {
        var driver = Driver(["http://a.test/1", "http://b.test/2"]) { $0.scheduling.retries = 3 }
        _ = driver.turn()
        #expect(driver.finish(line: 1, Self.page(503)) == "retry")
        let owed = driver.machine.stop(.requested(hurried: false), now: Self.t0)
        #expect(owed.map(\.line) == [1])
        #expect(owed.first?.status == 503)
        #expect(owed.first?.error?.kind == .interrupted)
        // A retry decided during the stop is not made either.
        #expect(driver.finish(line: 2, Self.page(503)) == "write 2 after 1")
        #expect(driver.written.last?.error?.message == "the run was interrupted before a retry")
        #expect(Self.description(driver.turn()) == "finish stopped cancelling: the run was interrupted")
    }

    // MARK: robots.txt

    static let robots = Array("User-agent: *\nDisallow: /private\n".utf8)

    @Test func robotsTxtIsFetchedFirstAndItsBodyParsedOffTheMachine() {
        var driver = Driver(["http://a.test/public", "http://a.test/private"]) { $0.scheduling.robots = true }
        _ = driver.turn()
        #expect(driver.started.isEmpty)
        #expect(driver.robots.map(\.url) == ["http://a.test/robots.txt"])
        let body = driver.machine.robotsFetched(driver.robots[0], Self.page(200, body: String(decoding: Self.robots, as: UTF8.self)),
                                                now: Self.t0)
        #expect(body == Self.robots)
        // Until the rules are back, nothing of the host starts.
        _ = driver.turn()
        #expect(driver.started.isEmpty)
        driver.machine.robotsParsed(driver.robots[0], RobotsRules(parsing: Self.robots, userAgent: "parfetch"), now: Self.t0)
        _ = driver.turn()
        #expect(driver.started.map(\.job.item.line) == [1])
        #expect(driver.written.map(\.line) == [2])
        #expect(driver.written.first?.error == FetchError(.robots, "disallowed by http://a.test/robots.txt"))
    }

    @Test(arguments: [
        (503, "robots.txt answered 503; every URL of the host is treated as disallowed"),
        (404, nil),
    ])
    func aRobotsStatusDecidesWithoutParsing(status: Int, error: String?) {
        var driver = Driver(["http://a.test/x"]) { $0.scheduling.robots = true }
        _ = driver.turn()
        #expect(driver.machine.robotsFetched(driver.robots[0], Self.page(status, body: "x"), now: Self.t0) == nil)
        _ = driver.turn()
        #expect(driver.written.first?.error?.message == error)
        #expect(driver.started.count == (error == nil ? 1 : 0))
    }

    @Test func robotsAnswersAreIgnoredOnceStopping() {
        var driver = Driver(["http://a.test/x"]) { $0.scheduling.robots = true }
        _ = driver.turn()
        _ = driver.machine.stop(.requested(hurried: false), now: Self.t0)
        #expect(driver.machine.robotsFetched(driver.robots[0], Self.page(200, body: "User-agent: *"), now: Self.t0) == nil)
        // robots.txt fetches are not waited for.
        #expect(Self.description(driver.turn()) == "finish stopped cancelling: the run was interrupted")
    }
}

import ArgumentParser
import ParFetch

#if canImport(Glibc)
import Glibc
#endif

/// `parfetch [options] [FILE|URL ...]`: translates flags into `CrawlOptions`, runs the crawl and maps
/// the outcome to an exit status. Everything else lives in the ParFetch library.
@main
struct ParFetchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parfetch",
        abstract: "Fetch a list of URLs concurrently, or crawl from them, and write one JSON line per URL.",
        discussion: """
            Each FILE holds one URL per line (http or https); blank lines and lines starting \
            with # are skipped. An argument starting http:// or https:// is a URL to fetch, - is \
            standard input, anything else a FILE; several may be given, in any mix, and the \
            records' line numbers count on across them (a URL is one line). Without arguments \
            the list is read from standard input. Every line that is not blank or a comment \
            yields exactly one record on standard output (or --output), whatever \
            happens to it (an interrupted run leaves the lines it never started without one: \
            --resume finishes them); messages go to standard error.

            With --crawl the inputs are seeds: the links of every HTML page fetched are \
            followed, breadth-first to --depth within --scope, and every URL fetched gets one \
            record, with its depth and parent.

            parfetch merge FILE... merges the --ordered outputs of a list's shards (--shard) \
            into one, in line order; see parfetch merge --help.

            Exit status: 0 when every line has its record (whatever the outcomes), or when the \
            reader of the output went away (parfetch … | head: the run stops quietly and \
            --stats-json counts the records written); 2 for bad usage, an unreadable list or a \
            file --resume refuses, 130 when interrupted, 1 for any other failure (e.g. output not \
            writable).
            """,
        version: ParFetchVersion.string
    )

    @Argument(help: ArgumentHelp("URL lists, URLs (http:// or https://), or - for standard input.",
                                 valueName: "FILE|URL"))
    var inputs: [String] = []

    @OptionGroup(title: "Input")
    var input: InputOptions

    @OptionGroup(title: "Concurrency and pacing")
    var concurrency: ConcurrencyOptions

    @OptionGroup(title: "Concurrency and pacing")
    var politeness: PolitenessOptions

    @OptionGroup(title: "Requests")
    var requests: RequestOptions

    @OptionGroup(title: "Requests")
    var methods: MethodOptions

    @OptionGroup(title: "Cookies and credentials")
    var credentials: CredentialOptions

    @OptionGroup(title: "Connections")
    var connections: ConnectionOptions

    @OptionGroup(title: "Parsing")
    var parsing: ParsingOptions

    @OptionGroup(title: "Crawling")
    var crawling: CrawlingOptions

    @OptionGroup(title: "Output")
    var output: OutputOptions

    @OptionGroup(title: "Output")
    var reporting: ReportingOptions

    @OptionGroup(title: "Archiving (WARC)")
    var archiving: WARCOptions

    func validate() throws {
        if archiving.warc != nil, connections.http2 || connections.http2PriorKnowledge {
            throw ValidationError("--warc keeps HTTP/1.1 exchanges (WARC tools read no other): --\(connections.http2 ? "http2" : "http2-prior-knowledge") can't be used with it")
        }
        try output.validate(ruleNames: parsing.rules().map(\.name), resuming: input.resuming)
        if crawling.crawls && input.shard != nil {
            throw ValidationError("--shard splits a list by host; a crawl's pages are found as it goes: give each run its own seeds instead")
        }
        if methods.readsStandardInput && (inputs.isEmpty || inputs.contains("-")) {
            throw ValidationError("@- reads the body from standard input, which is the URL list here: give the list as a FILE")
        }
        if inputs.isEmpty && crawling.sitemap.isEmpty && isatty(STDIN_FILENO) == 1 {
            throw ValidationError("no URL list: give URLs or a FILE, pipe URLs to standard input, or give - to type them")
        }
    }

    func run() throws {
        let started = ContinuousClock.now
        // A closed pipe must be an error we can handle, not a signal that kills the process.
        signal(SIGPIPE, SIG_IGN)
        let openFiles = Terminal.raiseOpenFileLimit()
        let stop = CrawlStop()
        stop.requestOnInterrupt()

        // A sitemap read as the list needs no other.
        let list = inputs.isEmpty && !crawling.sitemap.isEmpty
            ? ListInputs.none() : try ListInputs(arguments: inputs, format: input.inputFormat)
        if inputs.contains("-") && isatty(STDIN_FILENO) == 1 {
            Terminal.warn("reading URLs from the terminal, one a line; end with Ctrl-D")
        }
        // Opened before the run, so that a path that can't be written fails at once.
        let statsFile = try openStatsFile()
        let bodyStore = try output.openBodyStore()
        let format = try output.recordFormat(ruleNames: parsing.rules().map(\.name), dedupe: input.dedupe,
                                             crawling: crawling.crawls, archiving: archiving.warc != nil)
        // Read before the output is opened: it may be the same file, which a run without
        // --resume starts anew.
        let since = try input.since.map { path in
            do {
                return try SinceRecords.load(path: path)
            } catch let error as SinceRecordsError {
                throw ValidationError("--since: \(error)")
            }
        }
        try credentials.checkJarWritable()
        let archive = try archiving.openWriter(
            resuming: input.resuming,
            info: WARCOptions.info(arguments: CommandLine.arguments, userAgent: requests.userAgent, robots: politeness.robots))
        let (writer, completed) = try openOutput(format: format, archive: archive)
        var options = try crawlOptions(openFiles: openFiles, bodyStore: bodyStore, completed: completed)
        options.since = since
        var run = crawl(list, writer: writer, options: options, stop: stop)
        let outputFailure = writer.close()
        run.archive = archive
        if let failure = run.failure as? FrontierError { throw failure }
        if let failure = run.failure { throw RunFailure(error: failure) }
        run.readerGone = outputFailure?.isBrokenPipe == true
        let statsFailure = statsFile.flatMap { writeStats($0, writer: writer, run: run, started: started) }
        try report(run, writer: writer, outputFailure: outputFailure, statsFailure: statsFailure, started: started)
    }

    /// The file for --stats-json, if asked for.
    private func openStatsFile() throws(OptionFileError) -> UnsafeMutablePointer<FILE>? {
        guard let path = reporting.statsJSON else { return nil }
        guard let file = fopen(path, "w") else {
            throw OptionFileError(option: "--stats-json", error: .cannotOpen(path, errno: errno))
        }
        return file
    }

    /// The record writer, on --output's file or standard output, and with --resume the lines
    /// that file already has.
    private func openOutput(format: RecordFormat, archive: WARCWriter?) throws -> (RecordWriter, CompletedLines) {
        guard let path = output.output, path != "-" else {
            return (RecordWriter(fileDescriptor: STDOUT_FILENO, format: format, archive: archive), CompletedLines())
        }
        var listInfo = stat()
        var outputInfo = stat()
        for list in inputs where list != "-" && !ListInputs.isURL(list) {
            if stat(list, &listInfo) == 0, stat(path, &outputInfo) == 0,
               listInfo.st_dev == outputInfo.st_dev, listInfo.st_ino == outputInfo.st_ino {
                throw ValidationError("\(path) is the URL list itself: records would overwrite it")
            }
        }
        let resuming = input.resuming
        if resuming, stat(path, &outputInfo) == 0, (outputInfo.st_mode & S_IFMT) != S_IFREG {
            throw OutputError.notRegularFile(path)
        }
        // The writer locks the file first: nothing reads or cuts it while another run writes.
        let writer = try RecordWriter(path: path, append: resuming, format: format, archive: archive)
        guard resuming else { return (writer, CompletedLines()) }
        // The records are compared with the list, read again from the start; standard input
        // can't be read twice, so a list from it is not compared.
        let list = inputs.isEmpty || inputs.contains("-") ? nil : try ListInputs(arguments: inputs, format: input.inputFormat)
        // A crawl's records are compared with its seeds, then with the URLs of its frontier.
        let frontier = crawling.crawls ? CrawlSettings.frontierPath(besideOutput: path) : nil
        let frontierExists = frontier.map { access($0, F_OK) == 0 } ?? false
        var lines = list.map { list in { try list.nextText() } }
        if let list, let frontier {
            // Without its frontier a crawl's output is refused below, whatever its records.
            lines = frontierExists ? try CrawlSettings.recordedLines(seeds: list, frontierPath: frontier) : nil
        }
        let completed = try CompletedLines.load(path: path, retryErrors: input.resumeFailed, list: lines)
        if let frontier, !frontierExists, completed.lastLine > 0 {
            throw FrontierError.missing(frontier)
        }
        Terminal.warn("resuming \(path): \(Format.count(completed.count, "line")) done"
            + (completed.droppedBytes > 0 ? "; dropped a record cut short (\(completed.droppedBytes) bytes)" : ""))
        return (writer, completed)
    }

    /// The option groups, translated into the library's options.
    private func crawlOptions(openFiles: Int, bodyStore: BodyStore?, completed: CompletedLines) throws -> CrawlOptions {
        var options = CrawlOptions()
        options.concurrency = concurrency.concurrency
        // Each transfer holds a socket, and as many idle connections are kept for reuse; a
        // few dozen descriptors go to the list, the output, the loop and libraries.
        // DNS lookups and a second connect attempt (happy eyeballs) take descriptors too.
        let affordable = max(1, (openFiles - 64) / 3)
        if options.concurrency > affordable {
            Terminal.warn("-j \(options.concurrency) needs more open files than the limit of \(openFiles) allows; using -j \(affordable)")
            options.concurrency = affordable
        }
        options.ordered = output.ordered
        options.bodyStore = bodyStore
        options.grace = concurrency.grace
        options.dedupe = input.dedupe
        options.shard = try input.parsedShard()
        options.completed = completed
        politeness.apply(to: &options.scheduling)
        requests.apply(to: &options.fetch)
        credentials.apply(to: &options.fetch)
        connections.apply(to: &options.fetch)
        options.fetch.tracedTransfers = reporting.verbose ? ReportingOptions.tracedTransfers : 0
        options.fetch.headerFields = reporting.headerNames
        options.request = try methods.lineRequest(headers: requests.header)
        try parsing.apply(to: &options)
        let path = output.output.flatMap { $0 == "-" ? nil : $0 }
        options.crawl = try crawling.settings(output: path, resuming: input.resuming) {
            // The seeds are read once more for their hosts; those from standard input can't be.
            guard !inputs.contains("-") else {
                throw ValidationError("--sitemaps reads the seeds' hosts first: give the seeds as URLs or files, not on standard input")
            }
            return try ListInputs.hosts(arguments: inputs, format: input.inputFormat, limit: 1_000)
        }
        return options
    }

    /// How a run ended: its outcome, and the list's read error if it stopped the reading.
    private struct Run {
        var outcome = CrawlOutcome.completed
        var readError: ListReaderError?
        /// Anything else that ended the run: no summary, exit 1.
        var failure: (any Error)?
        /// The reader of the output went away (`parfetch … | head`): the writer stopped the
        /// run, and that is neither a failure nor an interruption.
        var readerGone = false

        /// `CrawlMonitor.crawlReport`, and the crawl's depth limit.
        var crawlReport: CrawlMonitor.CrawlReport?
        var crawlDepth: Int?
        /// `CrawlMonitor.hostsHeldByPerHostLimit`.
        var hostsHeldByPerHostLimit: Int?
        /// `CrawlMonitor.retriesRefusedForRetryAfter`.
        var refusedRetries: CrawlMonitor.RefusedRetries?
        /// The WARC output, closed.
        var archive: WARCWriter?

        var interrupted: Bool { outcome == .stopped && !readerGone }
    }

    /// Runs the crawl with the progress line, if shown. A failure other than reading the list
    /// closes the output and ends the command.
    private func crawl(_ list: ListInputs, writer: RecordWriter, options: CrawlOptions, stop: CrawlStop) -> Run {
        let monitor = CrawlMonitor()
        let progress = reporting.showsProgress
            ? ProgressLine(writer: writer, monitor: monitor, inputs: inputs, counted: options.shard == nil && options.crawl == nil,
                           color: Terminal.allowsColor && isatty(STDERR_FILENO) == 1)
            : nil
        progress?.start()
        defer { progress?.stop() }
        var run: Run
        do {
            run = Run(outcome: try Crawl.run(inputs: list, writer: writer, options: options, stop: stop, monitor: monitor))
        } catch let error as ListReaderError {
            run = Run(readError: error)
        } catch {
            run = Run(outcome: .stopped, failure: error)
        }
        run.crawlReport = monitor.crawlReport
        run.crawlDepth = options.crawl?.depth
        run.hostsHeldByPerHostLimit = monitor.hostsHeldByPerHostLimit
        run.refusedRetries = monitor.retriesRefusedForRetryAfter
        return run
    }

    /// The crawl itself failed (not the list, not the output): exit 1 with its message.
    private struct RunFailure: Error, CustomStringConvertible {
        var error: any Error
        var description: String { "\(error)" }
    }

    /// Writes --stats-json's summary; returns the failure, if any.
    private func writeStats(_ file: UnsafeMutablePointer<FILE>, writer: RecordWriter, run: Run,
                            started: ContinuousClock.Instant) -> OutputError? {
        var json = writer.withSummary { $0.json(wallSeconds: Self.seconds(since: started), interrupted: run.interrupted,
                                                      crawl: run.crawlReport) }
        let written = json.withUnsafeMutableBytes { fwrite($0.baseAddress, 1, $0.count, file) }
        let closed = fclose(file) == 0
        guard written != json.count || !closed, let path = reporting.statsJSON else { return nil }
        return .cannotWrite(path, errno: errno)
    }

    /// Prints the summary and what went wrong, then throws what decides the exit status: the
    /// output's failure first (a reader gone away is none), then the list's, then an
    /// interruption, then --stats-json's.
    private func report(_ run: Run, writer: RecordWriter, outputFailure: OutputError?, statsFailure: OutputError?,
                        started: ContinuousClock.Instant) throws {
        // A reader that went away (`parfetch … | head`) wants neither a message nor a summary.
        if !reporting.quiet && !run.readerGone {
            let seconds = Self.seconds(since: started)
            Terminal.print(writer.withSummary { SummaryText.render($0, wallSeconds: seconds) })
            if let report = run.crawlReport, let depth = run.crawlDepth {
                Terminal.print(SummaryText.render(report, depth: depth))
            }
            if let archive = run.archive {
                Terminal.print(SummaryText.render(archive))
            }
        }
        if !reporting.quiet && !run.readerGone {
            if let hosts = run.hostsHeldByPerHostLimit {
                Terminal.warn(Self.perHostNotice(hosts: hosts, concurrency: concurrency.concurrency,
                                                 perHost: politeness.perHost))
            }
            if let refused = run.refusedRetries {
                Terminal.warn(Self.retryAfterNotice(refused, maxRetryWait: politeness.maxRetryWait))
            }
        }
        if let statsFailure {
            Terminal.warn("\(OptionFileError(option: "--stats-json", error: statsFailure))")
        }
        if let outputFailure, !run.readerGone {
            throw outputFailure
        }
        if let readError = run.readError {
            throw readError
        }
        if run.interrupted {
            Terminal.warn("interrupted: \(Format.count(writer.count, "record")) written; lines never started have none"
                + (output.output.map { $0 == "-" ? "" : " (--resume -o \($0) finishes them)" } ?? ""))
            throw ExitCode(130)
        }
        if statsFailure != nil {
            throw ExitCode.failure
        }
        if reporting.failExit && writer.withSummary({ $0.failures }) > 0 {
            throw ExitCode(22)
        }
    }

    /// Why -j did not fill: every host with work was at --per-host.
    static func perHostNotice(hosts: Int, concurrency: Int, perHost: Int) -> String {
        let who = hosts == 1 ? "the one host with URLs waiting" : "each of the \(hosts) hosts with URLs waiting"
        return "-j \(concurrency) was not reached: transfer slots sat idle while \(who) had --per-host \(perHost) "
            + "in flight (raise --per-host to use them, if the server allows)"
    }

    /// Why URLs with retries left were not retried.
    static func retryAfterNotice(_ refused: CrawlMonitor.RefusedRetries, maxRetryWait: Double) -> String {
        let urls = refused.count == 1 ? "1 URL was" : "\(refused.count) URLs were"
        let seconds = { (value: Double) in Format.decimal(value, places: 0) + " s" }
        return "\(urls) not retried: the server asked to wait up to \(seconds(refused.longestSeconds)) "
            + "(Retry-After), more than --max-retry-wait \(seconds(maxRetryWait)); see retry_after in the records"
    }

    private static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = (ContinuousClock.now - start).components
        return Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
    }

    /// Parses and runs, with the exit statuses of the documented contract: usage errors
    /// exit 2 (ArgumentParser's default is 64).
    static func main() {
        // `parfetch merge …`: its own command (a list file named merge is `./merge`).
        if CommandLine.arguments.dropFirst().first == "merge" {
            MergeCommand.main(arguments: Array(CommandLine.arguments.dropFirst(2)))
        }
        let command: ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            if exitCode(for: error) == .validationFailure {
                Terminal.fail(message(for: error) + "\n" + "Usage: \(usageString())\nSee 'parfetch --help'.", status: 2)
            }
            exit(withError: error)
        }
        do {
            var command = command
            try command.run()
        } catch {
            exit(afterRunFailed: error)
        }
    }

    /// The one place a failed run's exit status is decided (DESIGN's contract): 2 for bad
    /// usage, an unreadable list or a file --resume refuses, 130 when interrupted, 1 for any
    /// other failure.
    private static func exit(afterRunFailed error: any Error) -> Never {
        switch error {
        case let error as ListReaderError:
            Terminal.fail("\(error)", status: 2)
        // Found only once the files are looked at (the output is the list itself).
        case let error as ValidationError:
            Terminal.fail(error.message, status: 2)
        // A file --resume refuses was named by mistake: usage, like a list that can't be read.
        case let error as OutputError:
            Terminal.fail("\(error)", status: error.refusesResume ? 2 : 1)
        case let error as FrontierError:
            Terminal.fail("\(error)", status: error.refusesResume ? 2 : 1)
        case let error as OptionFileError:
            Terminal.fail("\(error)", status: 1)
        // Saving failures go into records: a store that fails to open is --save-dir's.
        case let error as BodyStoreError:
            Terminal.fail("--save-dir: \(error)", status: 1)
        case let error as RunFailure:
            Terminal.fail("\(error)", status: 1)
        case let code as ExitCode:
            Terminal.exit(code.rawValue)
        // ArgumentParser's own (--help is a command that throws to be shown).
        default:
            exit(withError: error)
        }
    }
}

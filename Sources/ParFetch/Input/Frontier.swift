import Synchronization

/// A crawl's intake source: the seeds (the run's inputs) first, as depth 0, then the URLs
/// found on the pages, read back from the `FrontierFile` in the order found, breadth-first:
/// the URLs of depth d + 1 are handed out only once every URL of depth d has its record, so
/// the links of every page of depth d are known by then and each URL is first found at its
/// shortest distance from a seed, whatever order transfers finish in.
///
/// The pages' links come in through `finished(_:)`, which the record writer calls for every
/// record (on the thread that submits it, before it is queued): new URLs (by the seen-set,
/// 64-bit hashes, `SeenSet`) are appended to the file before the page's record is written,
/// so after a crash a page with a record has its links on disk.
///
/// A found URL's record `line` counts on after the seeds' lines: the n-th URL of the file is
/// line `seedLines + n`, the same in a resumed run, which reads the same file.
///
/// `next` and `passed` run on the intake thread only (their state is its own); `finished`
/// on any thread, under the locks of the state it shares.
final class Frontier: IntakeSource, @unchecked Sendable {
    private let seeds: ListInputs
    private let scope: CrawlScope
    private let settings: CrawlSettings
    private let file: FrontierFile

    // The intake thread's.
    private var readingSeeds = true
    private var seedLines = 0
    private var cursor: FrontierCursor
    /// The depth being handed out.
    private var depth = 0
    /// Found URLs read from the file so far: the last one's number.
    private var foundEntries = 0
    private var handedOut = 0
    private var perHost: [String: Int] = [:]
    private let check = URLCheck()
    /// Reads the sitemaps at the first `next`, unless an earlier run read them all.
    private var sitemaps: SitemapSeeds?

    private struct Level {
        /// URLs of `depth` handed out whose record has not come.
        var outstanding = 0
        /// The intake waits for `outstanding` to reach 0 or the file to grow.
        var waiting = false
        var cancelled = false
    }

    private let level = ConditionLock(Level())
    private struct Seen {
        var urls = SeenSet()
        /// URLs fetched as the end of a redirect, or as a seed read after a link to it was
        /// found: not fetched again from the frontier.
        var fetchedAlready = SeenSet(capacity: 16)
    }

    private let seen = Mutex(Seen())
    private let unfetched = Mutex(CrawlMonitor.Unfetched())
    /// Why appending to the file failed: the crawl can't go on.
    private let failure = Mutex<FrontierError?>(nil)

    /// A crawl from `seeds`, whose frontier is `file` (loaded again, when resumed).
    /// `fetch` fetches sitemaps (and robots.txt files for them), several at once.
    init(seeds: ListInputs, settings: CrawlSettings, file: FrontierFile,
         fetch: @escaping ([String]) -> [Response] = { _ in [] }) throws(FrontierError) {
        self.seeds = seeds
        scope = settings.scope
        self.settings = settings
        self.file = file
        cursor = FrontierCursor(file: file)
        sitemaps = settings.sitemaps.isEmpty ? nil : SitemapSeeds(sources: settings.sitemaps, fetch: fetch)
        guard settings.resuming else { return }
        var state = Seen()
        var sitemapsRead = false
        try file.load { entry in
            switch entry {
            case .sitemapsRead:
                sitemapsRead = true
            case .found(_, let url, _):
                _ = state.urls.insert(SeenSet.hash(url.utf8))
            case .fetched(let url):
                _ = state.urls.insert(SeenSet.hash(url.utf8))
                _ = state.fetchedAlready.insert(SeenSet.hash(url.utf8))
            }
        }
        seen.withLock { $0 = state }
        // Read again when a crash cut them short: the seen-set keeps out what was appended.
        if sitemapsRead { sitemaps = nil }
    }

    /// What the sitemaps gave; nil when there were none to read. Locked: the run reads it
    /// at its end, when a stopped intake thread may still be reading them.
    var sitemapReport: SitemapReport? { sitemapsRead.withLock { $0 } }
    private let sitemapsRead = Mutex<SitemapReport?>(nil)

    /// What was found and not fetched, so far.
    var unfetchedCounts: CrawlMonitor.Unfetched { unfetched.withLock { $0 } }

    /// Distinct URLs seen.
    var seenCount: Int { seen.withLock { $0.urls.count } }

    // MARK: the intake thread

    func next() throws -> ListItem? {
        if let sitemaps {
            // Before any page is fetched: the seeds they list come first in the file.
            self.sitemaps = nil
            for case .sitemap(let url) in sitemaps.sources { scope.add(seed: url) }
            let report = try sitemaps.read(into: file) { hash in seen.withLock { $0.urls.insert(hash) } }
            sitemapsRead.withLock { $0 = report }
            var line: [UInt8] = []
            FrontierFile.appendSitemapsRead(to: &line)
            try file.append(line)
        }
        while true {
            if let error = failure.withLock({ $0 }) { throw error }
            if readingSeeds {
                if var item = try seeds.next() {
                    item.crawl = CrawlPlace(depth: 0)
                    if let url = item.url {
                        scope.add(seed: url)
                        // Seeds are read as pages are fetched: one a page linked already is
                        // in the frontier, deeper, and is not fetched again from there.
                        let hash = SeenSet.hash(url.withoutFragment.utf8)
                        seen.withLock { seen in
                            if !seen.urls.insert(hash) { _ = seen.fetchedAlready.insert(hash) }
                        }
                    }
                    if let item = handOut(item) { return item }
                    continue
                }
                readingSeeds = false
                seedLines = seeds.linesRead
            }
            guard let line = try nextLine() else { return nil }
            guard let entry = FrontierFile.parse(line) else {
                throw FrontierError.notAFrontier(file.path, line: cursor.lines)
            }
            guard case .found(let entryDepth, let url, let parent) = entry else { continue }
            foundEntries += 1
            if entryDepth > depth {
                // Every page of this depth must have its record first (and its links here).
                guard waitForLevel() else { return nil }
                depth = entryDepth
            }
            let hash = SeenSet.hash(url.utf8)
            if seen.withLock({ $0.fetchedAlready.contains(hash) }) {
                unfetched.withLock { $0.fetchedAlready += 1 }
                continue
            }
            let text = String(url)
            var item = ListItem(line: seedLines + foundEntries, text: text, target: check.check(text))
            item.crawl = CrawlPlace(depth: entryDepth, parent: String(parent))
            // A link libcurl can't fetch still gets its record: it is a broken link.
            if let checked = item.url, let exclusion = scope.exclusion(of: checked) {
                unfetched.withLock {
                    if exclusion == .outOfScope { $0.outOfScope += 1 } else { $0.excluded += 1 }
                }
                continue
            }
            if let item = handOut(item) { return item }
        }
    }

    func passed(_ item: ListItem) {
        if item.crawl != nil { recordCame() }
    }

    /// `item`, counted as handed out, if the budgets allow it.
    private func handOut(_ item: ListItem) -> ListItem? {
        if let pages = settings.maxPages, handedOut >= pages {
            unfetched.withLock { $0.overBudget += 1 }
            return nil
        }
        if let perHostLimit = settings.maxPagesPerHost, let host = item.url?.hostKey {
            let count = perHost[host, default: 0]
            guard count < perHostLimit else {
                unfetched.withLock { $0.overBudget += 1 }
                return nil
            }
            perHost[host] = count + 1
        }
        handedOut += 1
        level.withLock { $0.outstanding += 1 }
        return item
    }

    /// The next whole line of the file; waits while the pages of this depth may still add
    /// some. nil when the crawl is over (or cancelled).
    private func nextLine() throws -> Substring? {
        while true {
            if let line = try cursor.nextLine() { return line }
            let offset = cursor.offset
            let (over, cancelled) = level.withLock(when: { level in
                level.waiting = level.outstanding > 0 && file.committed == offset && !level.cancelled
                return !level.waiting
            }, timeout: .seconds(1)) { level in
                // Nothing is handed out and nothing left to read: no page can add more.
                (level.outstanding == 0 && file.committed == offset, level.cancelled)
            }
            if cancelled || over { return nil }
        }
    }

    /// Waits until every URL handed out has its record; false when cancelled.
    private func waitForLevel() -> Bool {
        while true {
            let (done, cancelled) = level.withLock(when: { level in
                level.waiting = level.outstanding > 0 && !level.cancelled
                return !level.waiting
            }, timeout: .seconds(1)) { level in (level.outstanding == 0, level.cancelled) }
            if cancelled { return false }
            if done { return true }
        }
    }

    /// The run is over: the intake thread stops waiting.
    func cancel() {
        level.withLock { $0.cancelled = true }
        level.broadcast()
    }

    // MARK: records, from any thread

    /// `record` is being submitted: its page's new links go into the frontier (when below
    /// the depth limit), its redirect's end into the seen-set, and its depth has one record
    /// fewer to wait for.
    func finished(_ record: Record) {
        guard let depth = record.depth else { return }
        var lines: [UInt8] = []
        if record.ok, let links = record.page?.links, !links.isEmpty {
            let hashes = links.map { SeenSet.hash($0.utf8) }
            var fresh: [Int] = []
            seen.withLock { seen in
                for (index, hash) in hashes.enumerated() where seen.urls.insert(hash) { fresh.append(index) }
            }
            if depth < settings.depth {
                let parent = record.finalURL ?? record.url
                for index in fresh where FrontierFile.canHold(links[index]) {
                    FrontierFile.append(found: links[index], depth: depth + 1, parent: parent, to: &lines)
                }
            } else if !fresh.isEmpty {
                unfetched.withLock { $0.overDepth += fresh.count }
            }
        }
        if let redirects = record.redirects, redirects > 0, let end = record.finalURL, FrontierFile.canHold(end) {
            let hash = SeenSet.hash(end.utf8)
            let added = seen.withLock { seen in
                _ = seen.urls.insert(hash)
                return seen.fetchedAlready.insert(hash)
            }
            if added { FrontierFile.append(fetched: end, to: &lines) }
        }
        do {
            try file.append(lines)
        } catch {
            failure.withLock { $0 = $0 ?? error }
        }
        recordCame()
    }

    /// A URL handed out has its record (or passed without one).
    private func recordCame() {
        let wake = level.withLock { level in
            level.outstanding -= 1
            defer { level.waiting = false }
            return level.waiting
        }
        if wake { level.broadcast() }
    }
}

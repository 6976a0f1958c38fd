import NIOCore

/// What the connections of one server share: its counters, caches and the settings it was
/// started with. Each part is Sendable on its own (locks inside), so this is a plain value.
struct ServerState: Sendable {
    let stats: StatsCounter
    let pages: PageStore
    let flaky: FlakyCounters
    let requestLog: RequestLog
    let robots: FixtureRobots
    let gzipBombs: GzipBombCache
    let versions: PageVersions
    /// Paths no route knows answer 200 instead of 404 (``FixtureServer/start(host:port:pagesDirectory:robots:answerAnyPath:)``).
    let answerAnyPath: Bool

    /// What `/stats/reset` and ``FixtureServer/resetStats()`` clear: the stats (see
    /// ``StatsCounter/reset()``), the `/flaky` counts and the request log, so a test starts
    /// from a clean server without starting a new one.
    @discardableResult
    func resetStats() -> FixtureStats {
        self.flaky.reset()
        self.requestLog.reset()
        return self.stats.reset()
    }
}

import ParFetch

/// The run summary printed on standard error at the end (unless --quiet).
enum SummaryText {
    /// A few lines, each ending in a newline.
    static func render(_ summary: RunSummary, wallSeconds: Double) -> String {
        let outcomes = summary.outcomes.map { "\(Format.count($0.records)) \($0.outcome)" }
        var text = "\(Format.count(summary.records, "record")) in \(Format.decimal(wallSeconds, places: 2)) s"
            + (outcomes.isEmpty ? "" : ": " + outcomes.joined(separator: ", ")) + "\n"
        let perSecond = wallSeconds > 0 ? Double(summary.requests) / wallSeconds : 0
        text += "\(Format.count(summary.requests, "request")) (\(Format.count(Int(perSecond.rounded())))/s), "
            + "\(Format.bytes(summary.bytes)) received\n"
        if let p50 = summary.latency(percentile: 50), let p90 = summary.latency(percentile: 90),
           let p99 = summary.latency(percentile: 99), let max = summary.latency(percentile: 100) {
            text += "time.total p50 \(Format.seconds(p50)), p90 \(Format.seconds(p90)), "
                + "p99 \(Format.seconds(p99)), max \(Format.seconds(max))\n"
        }
        if let slowest = summary.slowestHost {
            text += "slowest host: \(slowest.host) (mean \(Format.seconds(slowest.meanSeconds)) over "
                + "\(Format.count(slowest.records, "record")))\n"
        }
        return text
    }

    /// What a crawl found and did not fetch, by reason: one line.
    static func render(_ report: CrawlMonitor.CrawlReport, depth: Int) -> String {
        let unfetched = report.unfetched
        let reasons = [(unfetched.outOfScope, "out of scope"), (unfetched.excluded, "excluded by --include/--exclude"),
                       (unfetched.overDepth, "beyond --depth \(depth)"), (unfetched.overBudget, "over --max-pages"),
                       (unfetched.fetchedAlready, "fetched already, as a seed or through a redirect")]
            .filter { $0.0 > 0 }.map { "\(Format.count($0.0)) \($0.1)" }
        var text = "crawl: \(Format.count(report.seen, "distinct URL")) seen"
            + (reasons.isEmpty ? "" : "; not fetched: " + reasons.joined(separator: ", ")) + "\n"
        if let sitemaps = report.sitemaps {
            text += "sitemaps: \(Format.count(sitemaps.files, "file")) read, \(Format.count(sitemaps.urls, "new URL")) listed"
                + (sitemaps.failures.isEmpty ? "" : "; not read: " + sitemaps.failures.joined(separator: "; ")) + "\n"
        }
        return text
    }

    /// `warc: 120 captures, 1.2 MB in site.warc.gz` (with rotation, the first and last file).
    static func render(_ archive: WARCWriter) -> String {
        let files = archive.paths.count == 1
            ? archive.paths[0] : "\(archive.paths.count) files, \(archive.paths.first!) … \(archive.paths.last!)"
        return "warc: \(Format.count(archive.captures, "capture")), \(Format.bytes(Int(archive.bytesWritten))) in \(files)\n"
    }
}

import Histogram

/// What a run's records add up to: counts by outcome, requests, bytes, the distribution of
/// `time.total` and the slowest host. Fed every record (the `RecordWriter` does it), in
/// constant memory: latencies go to an HDR histogram (3 significant digits, so a percentile
/// is within 0.1 % of the exact value), and hosts are tracked up to `trackedHosts`.
public struct RunSummary: Sendable {
    /// Per-host totals kept at most; hosts first seen after that are left out of
    /// `slowestHost` (a list of a million one-URL hosts would otherwise keep them all).
    public static let trackedHosts = 100_000

    /// The outcome a record is counted under: `2xx`…`5xx` for a response without error,
    /// the `error.kind` otherwise, `duplicate` for a `--dedupe` duplicate. Named only when
    /// reported: counting runs for every record.
    private enum Outcome: Hashable {
        case status(Int)
        case error(FetchError.Kind)
        case duplicate
        case other

        init(_ record: Record) {
            if let error = record.error {
                self = .error(error.kind)
            } else if record.duplicateOf != nil {
                self = .duplicate
            } else if let status = record.status, (100..<600).contains(status) {
                self = .status(status / 100)
            } else {
                self = .other
            }
        }

        var name: String {
            switch self {
            case .status(let hundreds): "\(hundreds)xx"
            case .error(let kind): kind.description
            case .duplicate: "duplicate"
            case .other: "other"
            }
        }
    }

    /// Records counted.
    public private(set) var records = 0
    /// Requests made (a record's `attempts` added up).
    public private(set) var requests = 0
    /// Records with an error.
    public private(set) var errors = 0
    /// Records with an error or an HTTP status of 400 or more (`--fail-exit`).
    public private(set) var failures = 0
    /// Body bytes received (the records' `bytes`).
    public private(set) var bytes = 0
    private var counts: [Outcome: Int] = [:]
    /// `time.total` in microseconds; sized as values come.
    private var latency = Histogram<UInt64>(numberOfSignificantValueDigits: .three)
    private var hosts: [String: HostTotals] = [:]

    private struct HostTotals {
        var records = 0
        var microseconds: Int64 = 0
    }

    public init() {}

    public mutating func add(_ record: Record) {
        records += 1
        requests += record.attempts
        if record.error != nil { errors += 1 }
        if record.error != nil || (record.status ?? 0) >= 400 { failures += 1 }
        bytes += record.bytes ?? 0
        counts[Outcome(record), default: 0] += 1
        guard let timing = record.timing, record.attempts > 0 else { return }
        let microseconds = max(0, timing.totalMicroseconds)
        _ = latency.record(UInt64(microseconds))
        guard !record.host.isEmpty, hosts[record.host] != nil || hosts.count < Self.trackedHosts else { return }
        hosts[record.host, default: HostTotals()].records += 1
        hosts[record.host]!.microseconds += microseconds
    }

    /// Records by outcome: status classes first, then error kinds in the contract's order,
    /// then duplicates; outcomes with no record are left out.
    public var outcomes: [(outcome: String, records: Int)] {
        let order = (1...5).map(Outcome.status) + FetchError.Kind.all.map(Outcome.error) + [.duplicate, .other]
        return order.compactMap { outcome in
            counts[outcome].map { (outcome.name, $0) }
        }
    }

    /// Records with a `time.total`.
    public var timedRecords: Int { Int(latency.totalCount) }

    /// The `time.total` (seconds) that `percentile` % of timed records do not exceed
    /// (nearest rank); nil without timed records.
    public func latency(percentile: Double) -> Double? {
        guard latency.totalCount > 0 else { return nil }
        return Double(latency.valueAtPercentile(percentile)) / 1_000_000
    }

    /// The host whose records took longest on average (`time.total`), with that mean.
    public var slowestHost: (host: String, meanSeconds: Double, records: Int)? {
        let slowest = hosts.max { a, b in
            let (meanA, meanB) = (Double(a.value.microseconds) / Double(a.value.records),
                                  Double(b.value.microseconds) / Double(b.value.records))
            return meanA != meanB ? meanA < meanB : a.key > b.key
        }
        return slowest.map { ($0.key, Double($0.value.microseconds) / Double($0.value.records) / 1_000_000, $0.value.records) }
    }

    /// The summary as one JSON object (`--stats-json`), for a run that took `wallSeconds`.
    /// `crawl`: a crawl's report, written as `crawl` (what was seen and not fetched, by reason).
    public func json(wallSeconds: Double, interrupted: Bool, crawl: CrawlMonitor.CrawlReport? = nil) -> [UInt8] {
        var out: [UInt8] = []
        var object = JSONObjectWriter(&out)
        object.field("records", records, &out)
        object.field("requests", requests, &out)
        object.field("errors", errors, &out)
        object.field("bytes", bytes, &out)
        object.seconds("wall_seconds", Int64((wallSeconds * 1_000_000).rounded()), &out)
        object.key("requests_per_second", &out)
        JSONLineEncoder.appendDecimal(wallSeconds > 0 ? Double(requests) / wallSeconds : 0, to: &out)
        object.field("interrupted", interrupted, &out)
        object.key("outcomes", &out)
        var outcomeObject = JSONObjectWriter(&out)
        for (name, count) in outcomes {
            outcomeObject.key(name, &out)
            JSONLineEncoder.appendInteger(count, to: &out)
        }
        outcomeObject.close(&out)
        object.key("latency", &out)
        var latencyObject = JSONObjectWriter(&out)
        latencyObject.field("records", timedRecords, &out)
        if latency.totalCount > 0 {
            for (name, percentile) in [("p50", 50.0), ("p90", 90.0), ("p99", 99.0), ("max", 100.0)] {
                latencyObject.key(name, &out)
                JSONLineEncoder.appendDecimal(latency(percentile: percentile)!, to: &out)
            }
        }
        latencyObject.close(&out)
        if let slowest = slowestHost {
            object.key("slowest_host", &out)
            var host = JSONObjectWriter(&out)
            host.field("host", slowest.host, &out)
            host.key("mean", &out)
            JSONLineEncoder.appendDecimal(slowest.meanSeconds, to: &out)
            host.field("records", slowest.records, &out)
            host.close(&out)
        }
        if let crawl {
            object.key("crawl", &out)
            var crawlObject = JSONObjectWriter(&out)
            crawlObject.field("seen", crawl.seen, &out)
            crawlObject.key("not_fetched", &out)
            var unfetched = JSONObjectWriter(&out)
            let counts = crawl.unfetched
            let fields: [(StaticString, Int)] = [("out_of_scope", counts.outOfScope), ("excluded", counts.excluded),
                                  ("over_depth", counts.overDepth), ("over_budget", counts.overBudget),
                                  ("fetched_already", counts.fetchedAlready)]
            for (name, count) in fields {
                unfetched.field(name, count, &out)
            }
            unfetched.close(&out)
            if let sitemaps = crawl.sitemaps {
                crawlObject.key("sitemaps", &out)
                var sitemapObject = JSONObjectWriter(&out)
                sitemapObject.field("files", sitemaps.files, &out)
                sitemapObject.field("urls", sitemaps.urls, &out)
                sitemapObject.field("failures", sitemaps.failures.count, &out)
                sitemapObject.close(&out)
            }
            crawlObject.close(&out)
        }
        object.close(&out)
        out.append(UInt8(ascii: "\n"))
        return out
    }
}

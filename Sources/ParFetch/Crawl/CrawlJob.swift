/// A line on its way through the scheduler. Up to `--lookahead` of them wait at once, so it
/// is kept small.
struct CrawlJob: SchedulerJob {
    let item: ListItem
    /// The last attempt's response (without its body), kept while the job waits for a retry;
    /// boxed, as few jobs ever have one.
    var last: LastAttempt?

    /// `item` must hold a checked URL: only fetchable lines are scheduled.
    init(item: ListItem) {
        precondition(item.url != nil, "only fetchable lines are scheduled")
        self.item = item
    }

    var url: CheckedURL { item.url! }

    var host: String { url.hostKey }
    var robotsPath: Substring { url.pathAndQuery }
    var robotsURL: String { url.robotsURL }
}

final class LastAttempt {
    let response: Response

    init(_ response: Response) { self.response = response }
}

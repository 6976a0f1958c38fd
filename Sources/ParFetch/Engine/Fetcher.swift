import Synchronization

/// Fetches URLs concurrently on one event-loop thread that drives a libcurl multi handle.
///
/// ```swift
/// let fetcher = try Fetcher()
/// let response = await fetcher.fetch(Request(url: "https://example.com/"))
/// for await response in fetcher.responses(for: requests, concurrency: 50) { … }
/// ```
/// Transport failures are values (`Response.error`), never thrown. Cancelling the task that
/// awaits a fetch removes its transfer from the loop and returns an `interrupted` error.
public final class Fetcher: Sendable {
    let loop: EventLoop
    private let nextID = Atomic<Int>(0)

    public init(configuration: FetchConfiguration = FetchConfiguration()) throws {
        loop = try EventLoop(configuration: configuration)
    }

    deinit {
        loop.shutdown()
    }

    /// Fetches one URL; suspends until the transfer ends.
    public func fetch(_ request: Request) async -> Response {
        let id = makeID()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Response, Never>) in
                let accepted = loop.execute { multi in
                    multi.start(request, id: id) { continuation.resume(returning: $0) }
                }
                if !accepted {
                    continuation.resume(returning: Response(
                        url: request.url, error: FetchError(.interrupted, "the fetcher was shut down")))
                }
            }
        } onCancel: {
            // Ordered after the start above, or remembered by the loop if it comes first.
            loop.execute { multi in multi.cancel(id: id) }
        }
    }

    /// Fetches every request of `requests`, at most `concurrency` at once, and yields each
    /// response as it finishes (completion order). Requests are pulled from the sequence
    /// only as slots free up. Ending iteration early cancels the transfers in flight.
    public func responses<Requests: AsyncSequence & Sendable>(
        for requests: Requests, concurrency: Int
    ) -> AsyncStream<Response> where Requests.Element == Request {
        let limit = max(1, concurrency)
        return AsyncStream { continuation in
            let task = Task {
                await withTaskGroup(of: Response.self) { group in
                    var iterator = requests.makeAsyncIterator()
                    var running = 0
                    func next() async -> Request? {
                        guard !Task.isCancelled else { return nil }
                        return try? await iterator.next()
                    }
                    while running < limit, let request = await next() {
                        group.addTask { await self.fetch(request) }
                        running += 1
                    }
                    while let response = await group.next() {
                        continuation.yield(response)
                        if let request = await next() {
                            group.addTask { await self.fetch(request) }
                        }
                    }
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// Ends every transfer in flight (as `interrupted`) and stops the loop thread. Later
    /// fetches return `interrupted` at once. Called on deinit too.
    public func shutdown() {
        loop.shutdown()
    }

    func makeID() -> Int {
        nextID.add(1, ordering: .relaxed).newValue
    }
}

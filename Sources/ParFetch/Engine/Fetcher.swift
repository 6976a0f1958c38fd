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
        let phase = FetchPhase()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Response, Never>) in
                let accepted = loop.execute { multi in
                    guard phase.start() else {
                        return continuation.resume(returning: Response(
                            url: request.url, error: FetchError(.interrupted, "cancelled")))
                    }
                    multi.start(request, id: id) { response in
                        phase.finish()
                        continuation.resume(returning: response)
                    }
                }
                if !accepted {
                    continuation.resume(returning: Response(
                        url: request.url, error: FetchError(.interrupted, "the fetcher was shut down")))
                }
            }
        } onCancel: {
            if phase.cancel() {
                loop.execute { multi in multi.cancel(id: id) }
            }
        }
    }

    /// Fetches every request of `requests`, at most `concurrency` at once, and yields each
    /// response as it finishes (completion order). Requests are pulled from the sequence only
    /// as the consumer takes responses, so a slow consumer holds back fetching instead of
    /// piling up responses. Ending iteration early cancels the transfers in flight.
    public func responses<Requests: AsyncSequence & Sendable>(
        for requests: Requests, concurrency: Int
    ) -> ResponseSequence where Requests.Element == Request, Requests.Failure == Never {
        let limit = max(1, concurrency)
        let (credits, grant) = AsyncStream.makeStream(of: Void.self)
        let stream = AsyncStream<Response> { continuation in
            let task = Task {
                await withTaskGroup(of: Response.self) { group in
                    var iterator = requests.makeAsyncIterator()
                    var credit = credits.makeAsyncIterator()
                    var running = 0
                    while running < limit, let request = await iterator.next(isolation: nil) {
                        group.addTask { await self.fetch(request) }
                        running += 1
                    }
                    while let response = await group.next() {
                        running -= 1
                        continuation.yield(response)
                        // Start the next one once the consumer has taken a response.
                        guard await credit.next() != nil, !Task.isCancelled else { continue }
                        if let request = await iterator.next(isolation: nil) {
                            group.addTask { await self.fetch(request) }
                            running += 1
                        }
                    }
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in
                task.cancel()
                grant.finish()
            }
        }
        return ResponseSequence(stream: stream, grant: grant)
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

/// Where one `fetch` stands, shared by the task that awaits it and the loop, so that a
/// cancellation reaches the transfer whether it comes before, during or after it runs.
private final class FetchPhase: Sendable {
    private enum Phase { case waiting, running, finished, cancelled }
    private let phase = Mutex(Phase.waiting)

    /// On the loop, before starting: false if the fetch was cancelled first.
    func start() -> Bool {
        phase.withLock { phase in
            guard phase == .waiting else { return false }
            phase = .running
            return true
        }
    }

    func finish() {
        phase.withLock { $0 = .finished }
    }

    /// Returns whether the transfer is running and must be removed from the loop.
    func cancel() -> Bool {
        phase.withLock { phase in
            defer { if phase == .waiting { phase = .cancelled } }
            return phase == .running
        }
    }
}

/// The responses of `Fetcher.responses(for:concurrency:)`, in completion order.
public struct ResponseSequence: AsyncSequence, Sendable {
    public typealias Element = Response
    let stream: AsyncStream<Response>
    let grant: AsyncStream<Void>.Continuation

    public struct AsyncIterator: AsyncIteratorProtocol {
        var iterator: AsyncStream<Response>.AsyncIterator
        let grant: AsyncStream<Void>.Continuation

        public mutating func next() async -> Response? {
            let response = await iterator.next()
            if response != nil { grant.yield(()) }
            return response
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(iterator: stream.makeAsyncIterator(), grant: grant)
    }
}

/// The bounded hand-over from the list reader thread to the loop: URLs read and checked,
/// waiting to be admitted. The reader blocks when it is full, which is what keeps a
/// 10-million-line list out of memory; the loop never blocks on it.
final class ReadyQueue: Sendable {
    private struct State {
        var items: [ListItem] = []
        var head = 0
        /// The reader has no more items.
        var finished = false
        /// The run is stopping: the reader should stop reading.
        var cancelled = false
        /// The loop found the queue empty and wants a wake-up when items arrive.
        var hungry = false
        /// The reader waits for room. It is woken only once the queue is half empty, so that
        /// it refills in bursts: each wake-up of a thread on another core is costly.
        var readerWaiting = false
        var count: Int { items.count - head }
    }

    private let state = ConditionLock(State())
    let capacity: Int

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Reader side: adds an item, waiting while the queue is full. Returns whether the loop
    /// asked to be woken, or nil if the run was cancelled (drop the item and stop).
    func push(_ item: ListItem) -> Bool? {
        state.withLock(when: { state in
            state.readerWaiting = !(state.count < capacity || state.cancelled)
            return !state.readerWaiting
        }) { state in
            guard !state.cancelled else { return nil }
            state.items.append(item)
            defer { state.hungry = false }
            return state.hungry
        }
    }

    /// Reader side: no more items will come. Returns whether the loop asked to be woken.
    func finish() -> Bool {
        state.withLock { state in
            state.finished = true
            defer { state.hungry = false }
            return state.hungry
        }
    }

    /// Loop side: takes up to `limit` items. `drained` is true when the reader has finished
    /// and nothing is left.
    func take(upTo limit: Int) -> (items: ArraySlice<ListItem>, drained: Bool) {
        let (items, drained, wakeReader) = state.withLock { state -> (ArraySlice<ListItem>, Bool, Bool) in
            let taken = state.items[state.head..<min(state.items.count, state.head + limit)]
            state.head += taken.count
            if state.head == state.items.count {
                state.items.removeAll(keepingCapacity: true)
                state.head = 0
            } else if state.head >= capacity {
                state.items.removeFirst(state.head)
                state.head = 0
            }
            let wakeReader = state.readerWaiting && state.count <= capacity / 2
            if wakeReader { state.readerWaiting = false }
            return (taken, state.finished && state.count == 0, wakeReader)
        }
        if wakeReader { state.broadcast() }
        return (items, drained)
    }

    /// Loop side, for a loop with room for more work: returns true if there is something to
    /// take now (items, or the end of the list); otherwise the loop is marked hungry and the
    /// reader wakes it when it adds the next item. A loop with every slot busy does not ask:
    /// it comes back on its own when a transfer ends, and a wake-up per line would cost a
    /// cross-core round trip each.
    func hasItemsOrAskForWake() -> Bool {
        state.withLock { state in
            if state.count > 0 || state.finished { return true }
            state.hungry = true
            return false
        }
    }

    /// The run is stopping: the reader should read no further.
    var isCancelled: Bool { state.withLock { $0.cancelled } }

    /// Loop side: stop the reader; it drops what it holds.
    func cancel() {
        state.withLock { $0.cancelled = true }
        state.broadcast()
    }
}

#if canImport(Glibc)
import Glibc
#endif

/// A joinable OS thread running one closure. The engine's loop, the list reader and the
/// writer each need a dedicated thread that blocks in system calls, which must not happen on
/// Swift's cooperative pool.
///
/// `@unchecked Sendable`: `handle` is written once, in `init`, before the object is shared;
/// afterwards it is only read, and `join` is called by one owner.
final class NativeThread: @unchecked Sendable {
    private var handle = pthread_t()

    init(_ body: @escaping @Sendable () -> Void) {
        let box = Unmanaged.passRetained(Box(body: body)).toOpaque()
        let result = pthread_create(&handle, nil, { raw in
            let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
            box.body()
            return nil
        }, box)
        precondition(result == 0, "pthread_create failed: \(result)")
    }

    /// Lets the thread end on its own, never joined.
    func detach() {
        pthread_detach(handle)
    }

    /// Waits for the closure to return.
    func join() {
        pthread_join(handle, nil)
    }

    private final class Box {
        let body: @Sendable () -> Void
        init(body: @escaping @Sendable () -> Void) {
            self.body = body
        }
    }
}

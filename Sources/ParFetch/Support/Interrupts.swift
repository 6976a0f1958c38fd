#if canImport(Glibc)
import Glibc
#endif

extension CrawlStop {
    /// Requests a stop on the first SIGINT or SIGTERM, skips the grace period on the second,
    /// and exits the process at once with status 130 on a third. Call it before any other
    /// thread starts: threads inherit the blocked signals, so only the waiting thread
    /// receives them and no handler runs in signal context.
    public func requestOnInterrupt() {
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGINT)
        sigaddset(&signals, SIGTERM)
        pthread_sigmask(SIG_BLOCK, &signals, nil)
        let blocked = UncheckedBox(signals)
        NativeThread { [self] in
            var signals = blocked.value
            var received: Int32 = 0
            for _ in 0..<2 {
                guard sigwait(&signals, &received) == 0 else { return }
                request()
            }
            _ = sigwait(&signals, &received)
            _exit(130)
        }.detach()
    }
}

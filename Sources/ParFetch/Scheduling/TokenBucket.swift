/// The `--rate` limiter: tokens accrue at `rate` per second up to `capacity`, and each request
/// takes one. A small capacity keeps the pace smooth; it is at least one token so that a loop
/// turn late by a millisecond does not lose throughput.
struct TokenBucket: Equatable {
    let rate: Double
    let capacity: Double
    private var tokens: Double
    private var updated: UInt64

    /// Starts full. The capacity is a tenth of a second's worth of tokens (at least one).
    init(rate: Double, now: UInt64) {
        self.rate = rate
        capacity = max(1, rate / 10)
        tokens = capacity
        updated = now
    }

    private mutating func refill(_ now: UInt64) {
        guard now > updated else { return }
        tokens = min(capacity, tokens + Double(now - updated) / 1e9 * rate)
        updated = now
    }

    /// Takes a token if one is there; otherwise returns when the next one will be.
    mutating func take(now: UInt64) -> UInt64? {
        refill(now)
        if tokens >= 1 {
            tokens -= 1
            return nil
        }
        return now + Nanoseconds(seconds: (1 - tokens) / rate)
    }
}

/// Monotonic nanoseconds, the scheduler's clock.
typealias Nanoseconds = UInt64

extension Nanoseconds {
    /// Rounded up: a wait that ends early only spins.
    init(seconds: Double) {
        self = seconds <= 0 ? 0 : UInt64(Swift.min((seconds * 1e9).rounded(.up), 1e18))
    }
}

/// Where the time of one transfer went, as libcurl measures it: each phase is the time from
/// the start of the transfer to the end of that phase, in microseconds; nil for a phase the
/// transfer did not reach.
public struct Timing: Sendable, Hashable {
    public var totalMicroseconds: Int64
    public var dnsMicroseconds: Int64?
    public var connectMicroseconds: Int64?
    /// Also nil for plain HTTP.
    public var tlsMicroseconds: Int64?
    public var firstByteMicroseconds: Int64?

    public init(total: Int64, dns: Int64?, connect: Int64?, tls: Int64?, firstByte: Int64?) {
        totalMicroseconds = total
        dnsMicroseconds = dns
        connectMicroseconds = connect
        tlsMicroseconds = tls
        firstByteMicroseconds = firstByte
    }

    /// From libcurl's figures, where 0 means "not reached".
    init(curlTotal total: Int64, dns: Int64, connect: Int64, tls: Int64, firstByte: Int64) {
        func reached(_ value: Int64) -> Int64? { value > 0 ? value : nil }
        self.init(total: total, dns: reached(dns), connect: reached(connect), tls: reached(tls),
                  firstByte: reached(firstByte))
    }

    /// The whole transfer in seconds.
    public var total: Double { Double(totalMicroseconds) / 1_000_000 }
}

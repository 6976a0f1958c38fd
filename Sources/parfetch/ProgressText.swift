/// The text of the progress line, from the figures of one moment; pure, so it is the same
/// whatever draws it.
enum ProgressText {
    struct Figures {
        var done: Int
        /// Lines in the list; nil when unknown (standard input, or not counted yet).
        var total: Int?
        /// Lines done per second lately; nil until measured.
        var perSecond: Double?
        var inFlight: Int
        /// Lines waiting to be tried again.
        var retrying = 0
        /// Records with an `error` (a failure, not an HTTP status).
        var errors: Int
        var bytes: Int
        /// Seconds since the run started.
        var elapsed: Double
        /// A stop was asked for: the transfers in flight are finishing.
        var stopping = false
    }

    /// Colors, unless the user or the terminal says no (`NO_COLOR`, `TERM=dumb`).
    struct Style {
        var color: Bool
    }

    /// The bar's widest and narrowest: narrower than that, it is left out.
    private static let barWidths = 8...24

    /// One line of at most `width - 1` columns (the last column is left free: writing there
    /// makes some terminals wrap). The bar takes the room the figures leave.
    static func render(_ figures: Figures, width: Int, style: Style) -> String {
        // Segments of (text, ANSI color code), most wanted first: a narrow line is cut at its
        // end, before colors are added.
        var tail: [(String, String?)] = []
        if figures.stopping {
            tail.append(("  stopping: \(Format.count(figures.inFlight)) in flight finishing (Ctrl-C again to cut them)",
                         "33"))
        } else if let total = figures.total, let rate = figures.perSecond, rate > 0, figures.done < total {
            tail.append(("  ETA \(Format.duration(Double(total - figures.done) / rate))", nil))
        } else {
            tail.append(("  elapsed \(Format.duration(figures.elapsed))", nil))
        }
        tail.append(("  " + (figures.perSecond.map { "\(Format.count(Int($0.rounded())))/s" } ?? "-/s"), nil))
        if !figures.stopping {
            tail.append(("  \(Format.count(figures.inFlight)) in flight", nil))
        }
        if figures.retrying > 0 {
            tail.append(("  \(Format.count(figures.retrying)) retrying", nil))
        }
        tail.append(("  ", nil))
        tail.append((Format.count(figures.errors, "error"), figures.errors > 0 ? "31" : nil))
        tail.append(("  \(Format.bytes(figures.bytes))", nil))
        var segments: [(String, String?)] = []
        if let total = figures.total, total > 0 {
            let fraction = min(1, Double(figures.done) / Double(total))
            let counts = " \(Format.count(figures.done))/\(Format.count(total))"
            segments.append((pad(String(Int(fraction * 100)), to: 3) + "%", nil))
            let room = width - 1 - 4 - counts.count - tail.reduce(0) { $0 + $1.0.count } - 3
            if room >= barWidths.lowerBound {
                let barWidth = min(room, barWidths.upperBound)
                let filled = Int(fraction * Double(barWidth))
                let bar = String(repeating: "=", count: filled) + (filled < barWidth ? ">" : "")
                    + String(repeating: " ", count: max(0, barWidth - filled - 1))
                segments += [(" [", nil), (bar, "32"), ("]", nil)]
            }
            segments.append((counts, nil))
        } else {
            segments.append(("\(Format.count(figures.done)) done", nil))
        }
        segments += tail
        var room = max(0, width - 1)
        var line = ""
        for (text, color) in segments where room > 0 {
            let shown = String(text.prefix(room))
            room -= shown.count
            if style.color, let color {
                line += "\u{1B}[\(color)m\(shown)\u{1B}[0m"
            } else {
                line += shown
            }
        }
        return line
    }

    private static func pad(_ text: String, to width: Int) -> String {
        String(repeating: " ", count: max(0, width - text.count)) + text
    }
}

/// Numbers for people: thousands separated, sizes and durations in short units.
enum Format {
    /// `1 record`, `2 records`: the count and the noun, plural but for one.
    static func count(_ value: Int, _ noun: String) -> String {
        "\(count(value)) \(noun)\(value == 1 ? "" : "s")"
    }

    static func count(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return value < 0 ? "-" + out : out
    }

    /// Decimal units, as network tools count: 1 MB = 1,000,000 bytes.
    static func bytes(_ value: Int) -> String {
        let units = ["B", "kB", "MB", "GB", "TB", "PB"]
        var amount = Double(value)
        var unit = 0
        while amount >= 1000 && unit < units.count - 1 {
            amount /= 1000
            unit += 1
        }
        return unit == 0 ? "\(value) B" : "\(decimal(amount, places: amount < 10 ? 2 : 1)) \(units[unit])"
    }

    /// `1:05:09`, `5:09`, or `0:09` for seconds.
    static func duration(_ seconds: Double) -> String {
        let whole = Int(min(seconds.rounded(), 359_999_999))
        let (hours, minutes, secs) = (whole / 3600, whole / 60 % 60, whole % 60)
        let two = { (value: Int) in value < 10 ? "0\(value)" : "\(value)" }
        return hours > 0 ? "\(hours):\(two(minutes)):\(two(secs))" : "\(minutes):\(two(secs))"
    }

    /// Seconds with three decimals: `0.112 s`.
    static func seconds(_ value: Double) -> String {
        "\(decimal(value, places: 3)) s"
    }

    /// `value` with exactly `places` decimals.
    static func decimal(_ value: Double, places: Int) -> String {
        var scale = 1
        for _ in 0..<places { scale *= 10 }
        let scaled = Int((value * Double(scale)).rounded())
        let fraction = String(scaled % scale)
        return places == 0 ? "\(scaled)"
            : "\(scaled / scale)." + String(repeating: "0", count: places - fraction.count) + fraction
    }
}

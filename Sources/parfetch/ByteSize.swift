import ArgumentParser

/// A byte count with an optional binary suffix: `500`, `64K`, `1.5M`, `2G`. Zero and negative
/// counts parse, so that the option's check can say what it takes.
struct ByteSize: ExpressibleByArgument, CustomStringConvertible {
    var bytes: Int64

    init(bytes: Int64) {
        self.bytes = bytes
    }

    init?(argument: String) {
        var text = Substring(argument.trimmingCharacters(in: " "))
        var multiplier: Double = 1
        if let last = text.last?.uppercased(), let shift = ["K": 10, "M": 20, "G": 30][last] {
            multiplier = Double(Int64(1) << shift)
            text = text.dropLast()
            if text.last == "i" || text.last == "I" { return nil }
        } else if text.last == "B" || text.last == "b" {
            text = text.dropLast()
        }
        guard let number = Double(text), number.isFinite,
              abs(number * multiplier) < Double(Int64.max) else { return nil }
        bytes = Int64((number * multiplier).rounded())
    }

    var description: String {
        guard bytes != 0 else { return "0" }
        for (suffix, shift) in [("G", 30), ("M", 20), ("K", 10)] where bytes % (Int64(1) << shift) == 0 {
            return "\(bytes >> shift)\(suffix)"
        }
        return "\(bytes)"
    }

    var defaultValueDescription: String { description }
}

private extension String {
    func trimmingCharacters(in character: Character) -> String {
        String(drop { $0 == character }.reversed().drop { $0 == character }.reversed())
    }
}

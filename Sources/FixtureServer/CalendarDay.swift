/// A day of the proleptic Gregorian calendar, `YYYY-MM-DD` with a four-digit year: the
/// pages of ``CrawlSite``'s calendar trap, each linking the next day.
struct CalendarDay: Equatable, CustomStringConvertible {
    let year: Int
    let month: Int
    let day: Int

    /// Only the canonical spelling of a real day (`2026-02-29` and `2026-1-01` are nil), so
    /// each day has one URL.
    init?(_ text: Substring) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let year = Route.number(parts[0], in: 1000...9999),
              let month = Route.number(parts[1], in: 1...12),
              let day = Route.number(parts[2], in: 1...Self.days(inMonth: month, of: year))
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    private init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// The day after; nil after 9999-12-31.
    var next: CalendarDay? {
        if self.day < Self.days(inMonth: self.month, of: self.year) {
            return CalendarDay(year: self.year, month: self.month, day: self.day + 1)
        }
        if self.month < 12 {
            return CalendarDay(year: self.year, month: self.month + 1, day: 1)
        }
        return self.year < 9999 ? CalendarDay(year: self.year + 1, month: 1, day: 1) : nil
    }

    var description: String {
        func pad(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(self.year, 4))-\(pad(self.month, 2))-\(pad(self.day, 2))"
    }

    private static func days(inMonth month: Int, of year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}

/// HTTP-dates in the IMF-fixdate form (RFC 9110 §5.6.7), the only form a server may send:
/// `Sun, 06 Nov 1994 08:49:37 GMT`.
///
/// Computed by hand rather than with strftime or a date formatter: the result must not depend
/// on the process's locale, and FoundationEssentials has no formatter for this form.
enum HTTPDate {
    private static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// The date `seconds` after 1970-01-01 00:00:00 UTC (leap seconds ignored, as POSIX time does).
    static func imfFixdate(secondsSince1970 seconds: Int) -> String {
        let days = Self.floorDivide(seconds, 86_400)
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = Self.civilDate(daysSince1970: days)
        let weekday = Self.weekdays[(days % 7 + 7 + 4) % 7]  // 1970-01-01 was a Thursday
        let time = [secondOfDay / 3600, secondOfDay / 60 % 60, secondOfDay % 60].map { Self.pad($0, 2) }
        let date = "\(Self.pad(day, 2)) \(Self.months[month - 1]) \(Self.pad(year, 4))"
        return "\(weekday), \(date) \(time.joined(separator: ":")) GMT"
    }

    /// Year, month (1–12) and day (1–31) of a day count, in the proleptic Gregorian calendar.
    /// Howard Hinnant's `civil_from_days`: eras of 400 years, years starting in March so that
    /// the leap day comes last.
    private static func civilDate(daysSince1970 days: Int) -> (year: Int, month: Int, day: Int) {
        let shifted = days + 719_468  // days since 0000-03-01
        let era = Self.floorDivide(shifted, 146_097)
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthFromMarch = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthFromMarch + 2) / 5 + 1
        let month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    private static func floorDivide(_ value: Int, _ divisor: Int) -> Int {
        let quotient = value / divisor
        return value % divisor < 0 ? quotient - 1 : quotient
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}

import ArgumentParser

extension ValidationError {
    /// A number outside what its option takes, with the value written back as given:
    /// `--grace must be from 0 to 86400 seconds (got -1)`.
    static func outOfRange(_ option: String, mustBe range: String, got value: Double) -> ValidationError {
        let given = value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
        return outOfRange(option, mustBe: range, given: given)
    }

    static func outOfRange(_ option: String, mustBe range: String, got value: Int) -> ValidationError {
        outOfRange(option, mustBe: range, given: String(value))
    }

    static func outOfRange(_ option: String, mustBe range: String, given: String) -> ValidationError {
        ValidationError("\(option) must be \(range) (got \(given))")
    }
}

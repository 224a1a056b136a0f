/// Formats dates, times and timestamps as ISO 8601 in the proleptic Gregorian calendar (days from
/// civil dates after Howard Hinnant's `civil_from_days`), without Foundation: "2024-02-29",
/// "13:45:00.250", "2024-02-29T13:45:00.250000Z". Fractions always have the unit's digits (3, 6, 9);
/// years outside 0...9999 keep their digits with a sign (e.g. "-0001", "12000").
enum CivilTime {
    static let secondsPerDay: Int64 = 86_400

    /// Year, month, day of `days` since 1970-01-01.
    static func civil(days: Int64) -> (year: Int64, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = Int(doy - (153 * mp + 2) / 5 + 1)
        let month = Int(mp < 10 ? mp + 3 : mp - 9)
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    static func date(days: Int64) -> String {
        let (y, m, d) = civil(days: days)
        return year(y) + "-" + pad(Int64(m), 2) + "-" + pad(Int64(d), 2)
    }

    /// `value` units since midnight.
    static func time(_ value: Int64, unit: ParquetTimeUnit) -> String {
        let (seconds, fraction) = split(value, unit)
        return clock(seconds) + "." + pad(fraction, unit.fractionDigits)
    }

    static func timestamp(_ value: Int64, unit: ParquetTimeUnit, utc: Bool) -> String {
        let (seconds, fraction) = split(value, unit)
        let days = floorDivide(seconds, secondsPerDay)
        return date(days: days) + "T" + clock(seconds - days * secondsPerDay) + "." + pad(fraction, unit.fractionDigits) + (utc ? "Z" : "")
    }

    /// Whole seconds (floored) and the fraction in units (0 ≤ fraction < perSecond).
    private static func split(_ value: Int64, _ unit: ParquetTimeUnit) -> (Int64, Int64) {
        let seconds = floorDivide(value, unit.perSecond)
        return (seconds, value - seconds * unit.perSecond)
    }

    private static func clock(_ secondOfDay: Int64) -> String {
        pad(secondOfDay / 3_600, 2) + ":" + pad(secondOfDay / 60 % 60, 2) + ":" + pad(secondOfDay % 60, 2)
    }

    private static func floorDivide(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    private static func year(_ y: Int64) -> String {
        y < 0 ? "-" + pad(-y, 4) : pad(y, 4)
    }

    private static func pad(_ v: Int64, _ width: Int) -> String {
        let digits = String(v)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}

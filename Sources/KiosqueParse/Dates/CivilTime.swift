// Calendar arithmetic without Calendar: proleptic Gregorian days from/to 1970-01-01, in UTC.
internal import Foundation
internal import KiosqueModel

/// A broken-down UTC-or-offset time as read from a feed, before validation.
struct DateFields {
    var year: Int?
    var month: Int?
    var day: Int?
    var hour = 0, minute = 0, second = 0
    /// Offset east of UTC, in seconds.
    var offset = 0

    /// Why these fields cannot be a real date, or nil when they can.
    var impossibility: String? {
        guard let year, let month, let day else { return "incomplete" }
        if !(1900...2200).contains(year) { return "year \(year) out of range" }
        if !(1...12).contains(month) { return "month \(month) does not exist" }
        if day < 1 || day > CivilTime.daysIn(month: month, year: year) { return "day \(day) does not exist in month \(month)" }
        // 24:00:00 is ISO 8601's end of the day: midnight of the next one.
        if (hour > 23 && (hour, minute, second) != (24, 0, 0)) || minute > 59 || second > 60 {
            return "time \(hour):\(minute):\(second) does not exist"
        }
        if abs(offset) > 18 * 3600 { return "zone offset out of range" }
        return nil
    }

    /// The instant these fields name (call only when `impossibility` is nil).
    var date: Date {
        let days = CivilTime.days(year: year ?? 1970, month: month ?? 1, day: day ?? 1)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + min(second, 59) - offset
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }
}

/// Conversions between civil dates and day numbers (Howard Hinnant's algorithms).
enum CivilTime {
    static func isLeap(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a civil date.
    static func days(year: Int, month: Int, day: Int) -> Int {
        CivilCalendar.days(year: year, month: month, day: day)
    }

    /// The civil date of a day number.
    static func civil(days: Int) -> (year: Int, month: Int, day: Int) {
        CivilCalendar.civil(days: days)
    }

    /// `2025-01-31T08:00:00Z`: whole seconds, UTC.
    static func iso8601(_ date: Date) -> String {
        CivilCalendar.iso8601(date)
    }
}

import Foundation
import KiosqueModel
import Synchronization

/// Dates as agents read them: in the town's time zone and language.
struct DateDisplay: Sendable {
    let timeZone: TimeZone
    /// UTC offsets by hour: asking TimeZone for each of a page's hundreds of dates cost milliseconds.
    private let offsets = OffsetCache()

    init(timeZone: TimeZone = TimeZone(identifier: "Europe/Paris") ?? .current) {
        self.timeZone = timeZone
    }

    /// "12 novembre 2026 à 08:02" / "12 November 2026 at 08:02", in the portal's time zone.
    /// Computed by hand: list pages show hundreds of dates and ICU formatting dominated their cost.
    func format(_ date: Date, language: String) -> String {
        let utc = Int(date.timeIntervalSince1970.rounded(.down))
        let seconds = utc + offsets.offset(forHour: utc / 3_600, in: timeZone)
        let days = Int((Double(seconds) / 86_400).rounded(.down))
        let (year, month, day) = CivilCalendar.civil(days: days)
        let minuteOfDay = (seconds - days * 86_400) / 60
        let hour = minuteOfDay / 60, minute = minuteOfDay % 60  // by hand: String(format:) showed in list pages' profiles
        let time = (hour < 10 ? "0" : "") + String(hour) + (minute < 10 ? ":0" : ":") + String(minute)
        if language == "en" { return "\(day) \(Self.englishMonths[month - 1]) \(year) at \(time)" }
        return "\(day == 1 ? "1er" : String(day)) \(Self.frenchMonths[month - 1]) \(year) à \(time)"
    }

    /// ISO 8601 in UTC, e.g. `2026-11-12T07:02:00Z` (for `<time datetime>`).
    func iso(_ date: Date) -> String {
        CivilCalendar.iso8601(date)
    }

    /// `2025-03` → "mars 2025" / "March 2025".
    func month(_ key: String, language: String) -> String {
        let parts = key.split(separator: "-")
        guard parts.count == 2, let year = Int(parts[0]), let month = Int(parts[1]), (1...12).contains(month) else { return key }
        let names = language == "en" ? Self.englishMonths : Self.frenchMonths
        return "\(names[month - 1]) \(year)"
    }

    private static let frenchMonths = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
                                       "octobre", "novembre", "décembre"]
    private static let englishMonths = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                                        "October", "November", "December"]
}

/// The time zone's offset for each hour already asked about.
final class OffsetCache: Sendable {
    private let offsets = Mutex<[Int: Int]>([:])

    func offset(forHour hour: Int, in timeZone: TimeZone) -> Int {
        if let known = offsets.withLock({ $0[hour] }) { return known }
        let offset = timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(hour * 3_600)))
        offsets.withLock { cache in
            if cache.count > 100_000 { cache.removeAll() }  // bounded: years of hours
            cache[hour] = offset
        }
        return offset
    }
}

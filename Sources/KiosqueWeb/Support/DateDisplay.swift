import Foundation

/// Dates as agents read them: in the town's time zone and language.
struct DateDisplay: Sendable {
    let timeZone: TimeZone

    init(timeZone: TimeZone = TimeZone(identifier: "Europe/Paris") ?? .current) {
        self.timeZone = timeZone
    }

    func format(_ date: Date, language: String) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: language == "en" ? "en_GB" : "fr_FR")
        formatter.timeZone = timeZone
        formatter.dateStyle = .long
        formatter.timeStyle = .short
        return formatter.string(from: date)
    }

    func iso(_ date: Date) -> String {
        date.formatted(.iso8601)
    }

    /// `2025-03` → "mars 2025" / "March 2025".
    func month(_ key: String, language: String) -> String {
        let parts = key.split(separator: "-")
        guard parts.count == 2, let year = Int(parts[0]), let month = Int(parts[1]), (1...12).contains(month) else { return key }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: language == "en" ? "en_GB" : "fr_FR")
        let names = formatter.standaloneMonthSymbols ?? []
        return names.count == 12 ? "\(names[month - 1]) \(year)" : key
    }
}

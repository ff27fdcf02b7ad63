// Small normalizations shared by the readers: authors, lengths, refresh hints.
internal import Foundation

/// Normalizers for single field values.
enum FieldValues {
    /// `jane@example.com (Jane Doe)`, `Jane Doe (jane@example.com)`, `"Jane Doe" <jane@example.com>`
    /// → `Jane Doe`; `<jane@example.com>` → `jane@example.com`.
    static func author(_ raw: String) -> String? {
        // Neither form can match without a `(` or `<` byte: skip the Character-level searches.
        guard raw.utf8.contains(where: { $0 == 0x28 || $0 == 0x3C }) else { return PlainText.fromHTML(raw) }
        // `<jane@example.com>` is an address, not a tag for the HTML stripping to drop.
        if let open = raw.lastIndex(of: "<"), let close = raw[open...].firstIndex(of: ">"),
           raw[close...].dropFirst().allSatisfy(\.isWhitespace) {
            let address = raw[raw.index(after: open)..<close]
            if address.contains("@") && !address.contains(where: \.isWhitespace) {
                return unquoted(PlainText.fromHTML(String(raw[..<open]))) ?? String(address)
            }
        }
        guard let text = PlainText.fromHTML(raw) else { return nil }
        if let open = text.firstIndex(of: "("), text.hasSuffix(")") {
            let inside = text[text.index(after: open)..<text.index(before: text.endIndex)]
            let outside = text[..<open]
            if outside.contains("@"), let clean = PlainText.fromText(String(inside)) { return clean }
            if inside.contains("@"), !outside.contains("@"), let clean = PlainText.fromText(String(outside)) { return clean }
        }
        return text
    }

    /// A display name without the quotes of `"Jane Doe" <jane@example.com>`.
    private static func unquoted(_ name: String?) -> String? {
        guard let name, name.count > 1, name.first == "\"", name.last == "\"" else { return name }
        return PlainText.fromText(String(name.dropFirst().dropLast()))
    }

    /// A byte length: digits only, non-negative, else nil.
    static func length(_ raw: String?) -> Int64? {
        guard let raw, let value = URLResolver.trim(raw).flatMap({ Int64($0) }), value >= 0 else { return nil }
        return value
    }

    /// RSS `ttl` (minutes) in seconds.
    static func ttl(_ raw: String) -> TimeInterval? {
        guard let minutes = Int(raw.trimmingCharacters(in: .whitespacesAndNewlines)), minutes > 0, minutes < 525_600 else { return nil }
        return TimeInterval(minutes * 60)
    }

    /// `sy:updatePeriod` / `sy:updateFrequency` in seconds between updates.
    static func syndication(period: String?, frequency: String?) -> TimeInterval? {
        guard let period = period?.trimmingCharacters(in: .whitespacesAndNewlines).lowercased() else { return nil }
        let seconds: Double
        switch period {
        case "hourly": seconds = 3600
        case "daily": seconds = 86_400
        case "weekly": seconds = 604_800
        case "monthly": seconds = 2_592_000
        case "yearly": seconds = 31_536_000
        default: return nil
        }
        let times = frequency.flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? 1
        return seconds / Double(max(1, times))
    }

    /// The larger of two optional intervals (both are "do not poll more often than").
    static func longer(_ a: TimeInterval?, _ b: TimeInterval?) -> TimeInterval? {
        switch (a, b) {
        case let (x?, y?): return max(x, y)
        default: return a ?? b
        }
    }
}

public import Foundation

/// HTTP-date parsing (RFC 9110 §5.6.7): IMF-fixdate, and the obsolete RFC 850 and asctime forms.
public enum HTTPDate {
    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    /// The instant an HTTP-date names, or nil when the text is not one.
    public static func parse(_ text: String) -> Date? {
        // Commas and dashes only separate fields in these formats; splitting on them unifies the three.
        var tokens = text.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "-" || $0 == "\t" }).map(String.init)
        if let first = tokens.first, first.allSatisfy(\.isLetter), months.firstIndex(of: first.lowercased()) == nil {
            tokens.removeFirst() // the weekday: carries no information we need
        }
        let day: Int?, month: Int?, year: Int?, time: String
        if tokens.count >= 4, Int(tokens[0]) != nil {
            // IMF-fixdate "06 Nov 1994 08:49:37 GMT" or RFC 850 "06 Nov 94 08:49:37 GMT".
            guard tokens.count == 5, tokens[4].uppercased() == "GMT" else { return nil }
            day = Int(tokens[0]); month = monthNumber(tokens[1]); year = fullYear(tokens[2]); time = tokens[3]
        } else if tokens.count == 4 {
            // asctime "Nov  6 08:49:37 1994".
            month = monthNumber(tokens[0]); day = Int(tokens[1]); time = tokens[2]; year = fullYear(tokens[3])
        } else {
            return nil
        }
        let clock = time.split(separator: ":").map { Int($0) }
        guard let day, let month, let year, clock.count == 3,
              let hour = clock[0], let minute = clock[1], let second = clock[2],
              (1...31).contains(day), (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second)
        else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "GMT")!
        let components = DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        guard let date = calendar.date(from: components),
              calendar.component(.day, from: date) == day else { return nil } // rejects "31 Feb"
        return date
    }

    private static func monthNumber(_ token: String) -> Int? {
        months.firstIndex(of: token.lowercased()).map { $0 + 1 }
    }

    /// Four-digit years as is; RFC 850's two digits read as 1970–2069.
    private static func fullYear(_ token: String) -> Int? {
        guard let value = Int(token), value >= 0 else { return nil }
        switch token.count {
        case 2: return value < 70 ? 2000 + value : 1900 + value
        case 4: return value
        default: return nil
        }
    }
}

/// The Retry-After header (RFC 9110 §10.2.3): delay-seconds or an HTTP-date.
public enum RetryAfter {
    /// Seconds to wait from `now`, or nil when the value is neither form. A date in the past means 0.
    public static func parse(_ value: String, now: Date) -> TimeInterval? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if !trimmed.isEmpty, trimmed.allSatisfy(\.isASCII), trimmed.allSatisfy(\.isNumber) {
            // Absurdly long digit strings overflow Int: treat them as "a very long time".
            return TimeInterval(Int(trimmed) ?? Int.max)
        }
        guard let date = HTTPDate.parse(trimmed) else { return nil }
        return max(0, date.timeIntervalSince(now))
    }
}

// Feed dates: ISO 8601 / RFC 3339 and RFC 822 with its real-world dialects, normalized to UTC.
public import Foundation

/// Parses the date formats found in feeds; usable anywhere a feed-ish date string shows up.
public enum FeedDates {
    /// The outcome of reading a date string.
    enum Reading: Equatable {
        case date(Date)
        /// The string has the shape of a date but names a day or time that does not exist.
        case impossible(String)
        case unrecognized
    }

    /// The instant `s` names, or nil when it is not a date or is an impossible one.
    public static func parse(_ s: String) -> Date? {
        if case .date(let date) = read(s) { return date }
        return nil
    }

    /// `date` as ISO 8601 in UTC with whole seconds, e.g. `2025-01-31T08:00:00Z`.
    public static func iso8601(_ date: Date) -> String { CivilTime.iso8601(date) }

    /// Reads `s`, telling an impossible date from an unrecognized one (for warnings).
    static func read(_ s: String) -> Reading {
        var s = s
        return s.withUTF8 { read($0) }
    }

    /// Reads the UTF-8 bytes of a date string.
    static func read(_ raw: UnsafeBufferPointer<UInt8>) -> Reading {
        var start = 0, end = raw.count
        while start < end, isSpace(raw[start]) { start += 1 }
        while end > start, isSpace(raw[end - 1]) { end -= 1 }
        let b = UnsafeBufferPointer(rebasing: raw[start..<end])
        guard !b.isEmpty, b.count < 100 else { return .unrecognized }
        let fields = looksISO(b) ? ISO8601Reader.read(b) : RFC822Reader.read(b)
        guard let fields else { return .unrecognized }
        if let why = fields.impossibility { return .impossible(why) }
        return .date(fields.date)
    }

    static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }

    /// `YYYY-` or `YYYYMMDDT`: the ISO family.
    private static func looksISO(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard b.count >= 8 else { return false }
        for k in 0..<4 where !isDigit(b[k]) { return false }
        return b[4] == 0x2D || (isDigit(b[4]) && b.count >= 9 && (b[8] | 0x20) == 0x74)
    }

    static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
}

/// ISO 8601 / RFC 3339: `2025-01-31`, `2025-01-31T08:00`, `2025-01-31 08:00:00.123+01:00`, `20250131T080000Z`.
enum ISO8601Reader {
    static func read(_ b: UnsafeBufferPointer<UInt8>) -> DateFields? {
        var i = 0
        func number(_ width: Int) -> Int? {
            guard i + width <= b.count else { return nil }
            var v = 0
            for k in 0..<width {
                guard FeedDates.isDigit(b[i + k]) else { return nil }
                v = v * 10 + Int(b[i + k] - 0x30)
            }
            i += width
            return v
        }
        func skip(_ c: UInt8) -> Bool {
            if i < b.count, b[i] == c { i += 1; return true }
            return false
        }
        var f = DateFields()
        /// One or two digits, as the extended form is sometimes written ("2025-1-3").
        func shortNumber() -> Int? {
            i + 1 < b.count && FeedDates.isDigit(b[i + 1]) ? number(2) : number(1)
        }
        guard let year = number(4) else { return nil }
        let extended = skip(0x2D)
        guard let month = extended ? shortNumber() : number(2) else { return nil }
        if extended { guard skip(0x2D) else { return nil } }
        guard let day = extended ? shortNumber() : number(2) else { return nil }
        (f.year, f.month, f.day) = (year, month, day)
        guard i < b.count else { return f }
        guard (b[i] | 0x20) == 0x74 || b[i] == 0x20 else { return nil }
        i += 1
        guard let hour = number(2) else { return nil }
        f.hour = hour
        guard i < b.count else { return f } // "2025-01-31T08"
        _ = skip(0x3A)
        guard let minute = number(2) else { return nil }
        f.minute = minute
        if skip(0x3A) || (i < b.count && FeedDates.isDigit(b[i])) {
            guard let second = number(2) else { return nil }
            f.second = second
            if skip(0x2E) || skip(0x2C) { while i < b.count, FeedDates.isDigit(b[i]) { i += 1 } }
        }
        while i < b.count, b[i] == 0x20 { i += 1 }
        guard i < b.count else { return f } // no zone: read as UTC
        if (b[i] | 0x20) == 0x7A { return i + 1 == b.count ? f : nil }
        if b[i] == 0x2B || b[i] == 0x2D {
            let sign = b[i] == 0x2D ? -1 : 1
            i += 1
            guard let oh = number(2) else { return nil }
            _ = skip(0x3A)
            let om = i < b.count ? (number(2) ?? -1) : 0
            guard om >= 0, om < 60, i == b.count else { return nil }
            f.offset = sign * (oh * 3600 + om * 60)
            return f
        }
        let name = String(decoding: UnsafeBufferPointer(rebasing: b[i...]), as: UTF8.self)
        if name.contains("/") { return RFC822Reader.applyZone(named: name, to: &f) ? f : nil }
        guard let zone = RFC822Reader.zones[name.lowercased()] else { return nil }
        f.offset = zone
        return f
    }
}

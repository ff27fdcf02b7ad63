// RFC 822/1123 dates as feeds really write them: any order of day, month and year, English or
// French names (with or without accents and dots), two-digit years, missing seconds, named zones.
internal import Foundation

/// Reads RFC 822-like dates by tokens rather than by one rigid pattern.
enum RFC822Reader {
    /// Month names and abbreviations, English and French, accents folded.
    static let months: [String: Int] = {
        let names: [[String]] = [
            ["jan", "january", "janv", "janvier"], ["feb", "february", "fev", "fevr", "fevrier"],
            ["mar", "march", "mars"], ["apr", "april", "avr", "avril"], ["may", "mai"],
            ["jun", "june", "juin"], ["jul", "july", "juil", "juillet"], ["aug", "august", "aou", "aout"],
            ["sep", "sept", "september", "septembre"], ["oct", "october", "octobre"],
            ["nov", "november", "novembre"], ["dec", "december", "decembre"],
        ]
        var table: [String: Int] = [:]
        for (index, list) in names.enumerated() { for name in list { table[name] = index + 1 } }
        return table
    }()

    /// Day names, English and French, full and abbreviated: skipped.
    static let dayNames: Set<String> = [
        "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun", "monday", "tuesday",
        "wednesday", "thursday", "friday", "saturday", "sunday", "lun", "mer", "jeu", "ven", "sam", "dim",
        "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
    ]

    /// Named zones, as seconds east of UTC (RFC 822 names plus the European ones French feeds use;
    /// feedparser reads CEST, BST, EET… as UTC, hours off).
    static let zones: [String: Int] = {
        let hours: [String: Double] = [
            "gmt": 0, "ut": 0, "utc": 0, "z": 0, "wet": 0, "west": 1, "bst": 1, "cet": 1, "cest": 2,
            "met": 1, "mest": 2, "eet": 2, "eest": 3, "msk": 3, "ist": 5.5, "sgt": 8, "hkt": 8, "jst": 9,
            "kst": 9, "aest": 10, "aedt": 11, "nzst": 12, "nzdt": 13, "est": -5, "edt": -4, "cst": -6,
            "cdt": -5, "mst": -7, "mdt": -6, "pst": -8, "pdt": -7, "akst": -9, "akdt": -8, "hst": -10,
        ]
        return hours.mapValues { Int($0 * 3600) }
    }()

    static func read(_ b: UnsafeBufferPointer<UInt8>) -> DateFields? {
        var f = DateFields()
        var sawTime = false, sawNumber = false, sawZone = false
        var ambiguousMar = false, pm: Bool?
        var zoneName: String?
        var i = 0
        while i < b.count {
            let c = b[i]
            if FeedDates.isDigit(c) {
                if !sawNumber, f.month == nil, let (year, month, day, next) = numericDate(b, from: i) {
                    (f.year, f.month, f.day) = (year, month, day)
                    sawNumber = true
                    i = next
                    continue
                }
                let (value, width, next) = digits(b, from: i)
                sawNumber = true
                if next < b.count, b[next] == 0x3A, !sawTime {
                    guard let after = readTime(b, from: i, into: &f) else { return nil }
                    sawTime = true
                    i = after
                    continue
                }
                if width >= 3 {
                    guard f.year == nil else { return nil }
                    f.year = width == 3 ? 1900 + value : value
                } else if f.day == nil {
                    f.day = value
                } else if f.year == nil {
                    f.year = value < 50 ? 2000 + value : 1900 + value
                } else {
                    return nil
                }
                i = next
            } else if (c == 0x2B || c == 0x2D) && sawTime && i + 1 < b.count && FeedDates.isDigit(b[i + 1]) {
                guard let (offset, next) = readOffset(b, from: i) else { return nil }
                if !sawZone { f.offset += offset } // a repeated zone ("+0000 +0000") changes nothing
                sawZone = true
                i = next
            } else if c == 0x28 {
                // An RFC 822 comment, as in JavaScript's "GMT+0100 (Central European Standard Time)".
                while i < b.count, b[i] != 0x29 { i += 1 }
                i += 1
            } else if isLetterStart(c) {
                let (word, next) = foldedWord(b, from: i)
                if sawTime, zoneName == nil, next < b.count, b[next] == 0x2F, let (name, end) = ianaZone(b, from: i) {
                    zoneName = name // "Europe/Paris": its offset depends on the date, applied below
                    sawZone = true
                    i = end
                    continue
                }
                i = next
                if let zone = zones[word], sawTime || f.year != nil {
                    // "GMT" may prefix an offset ("GMT+0100"); a name after an offset ("+0100 GMT") adds nothing.
                    if !sawZone { f.offset = zone }
                    sawZone = zone == 0 ? sawZone : true
                } else if word == "am" || word == "pm" {
                    pm = word == "pm"
                } else if word == "mar" && !sawNumber && f.month == nil {
                    ambiguousMar = true // "Mar," may be mardi (French Tuesday) or March
                } else if dayNames.contains(word) {
                    continue
                } else if let month = months[word] {
                    guard f.month == nil else { return nil }
                    f.month = month
                } else if word.count == 1 && sawTime {
                    continue // military zone letter: RFC 1123 says treat as unknown, i.e. UTC (feedparser applies them)
                } else if word == "t" || word == "at" || word == "h" || word == "le" || word == "à" {
                    continue
                } else {
                    return nil
                }
            } else {
                i += 1 // separators: space, comma, dot, slash, dash before the time
            }
        }
        if f.month == nil && ambiguousMar { f.month = 3 }
        if let pm {
            guard (1...12).contains(f.hour) else { return nil }
            f.hour = f.hour % 12 + (pm ? 12 : 0)
        }
        guard f.month != nil, f.day != nil, f.year != nil else { return nil }
        if let zoneName, !applyZone(named: zoneName, to: &f) { return nil }
        return f
    }

    /// Sets the offset of the IANA zone `name` (`Europe/Paris`) at the wall-clock time in `f`;
    /// false when there is no such zone.
    static func applyZone(named name: String, to f: inout DateFields) -> Bool {
        guard let zone = TimeZone(identifier: name) else { return false }
        guard f.impossibility == nil else { return true }
        f.offset = 0
        // The zone's offset at that wall-clock time (refined once across a DST change).
        let guess = f.date
        f.offset = zone.secondsFromGMT(for: guess.addingTimeInterval(-TimeInterval(zone.secondsFromGMT(for: guess))))
        return true
    }

    /// An IANA zone name such as `Europe/Paris` or `America/New_York` and the index after it.
    private static func ianaZone(_ b: UnsafeBufferPointer<UInt8>, from i: Int) -> (String, Int)? {
        var j = i
        while j < b.count {
            let c = b[j], l = c | 0x20
            guard (l >= 0x61 && l <= 0x7A) || c == 0x2F || c == 0x5F || c == 0x2D else { break }
            j += 1
        }
        guard j - i < 40 else { return nil }
        return (String(decoding: UnsafeBufferPointer(rebasing: b[i..<j]), as: UTF8.self), j)
    }

    /// An all-numeric date at `i`: `2025/01/31` or `2025.01.31` (year first), `31.01.2025` (day
    /// first, the European dotted form), or `1/31/2025` / `31/1/2025` only when one part is above 12.
    /// A slashed date that could be either way round is no date: never a guess.
    private static func numericDate(_ b: UnsafeBufferPointer<UInt8>, from i: Int) -> (Int, Int, Int, Int)? {
        let (n1, w1, j1) = digits(b, from: i)
        guard j1 < b.count, b[j1] == 0x2F || b[j1] == 0x2E || b[j1] == 0x2D else { return nil }
        let separator = b[j1]
        guard j1 + 1 < b.count, FeedDates.isDigit(b[j1 + 1]) else { return nil }
        let (n2, w2, j2) = digits(b, from: j1 + 1)
        guard w2 <= 2, j2 < b.count, b[j2] == separator, j2 + 1 < b.count, FeedDates.isDigit(b[j2 + 1]) else { return nil }
        let (n3, w3, j3) = digits(b, from: j2 + 1)
        if w1 == 4 && w3 <= 2 { return (n1, n2, n3, j3) }
        guard w1 <= 2, w3 == 4 else { return nil }
        if separator == 0x2E || separator == 0x2D || n1 > 12 { return (n3, n2, n1, j3) }
        if n2 > 12 { return (n3, n1, n2, j3) }
        return nil
    }

    private static func digits(_ b: UnsafeBufferPointer<UInt8>, from i: Int) -> (Int, Int, Int) {
        var j = i, value = 0
        while j < b.count, FeedDates.isDigit(b[j]), j - i < 9 {
            value = value * 10 + Int(b[j] - 0x30)
            j += 1
        }
        return (value, j - i, j)
    }

    /// `hh:mm[:ss[.fff]]`; returns the index after it.
    private static func readTime(_ b: UnsafeBufferPointer<UInt8>, from i: Int, into f: inout DateFields) -> Int? {
        var (hour, width, j) = digits(b, from: i)
        guard width <= 2, j < b.count, b[j] == 0x3A else { return nil }
        let (minute, mw, k) = digits(b, from: j + 1)
        guard mw == 2 else { return nil }
        (f.hour, f.minute) = (hour, minute)
        j = k
        if j < b.count, b[j] == 0x3A {
            let (second, sw, n) = digits(b, from: j + 1)
            guard sw == 2 else { return nil }
            f.second = second
            j = n
            if j < b.count, b[j] == 0x2E || b[j] == 0x2C { (hour, width, j) = digits(b, from: j + 1) }
        }
        return j
    }

    /// `+0100`, `-05:00`, `+1`: seconds east of UTC and the index after it.
    private static func readOffset(_ b: UnsafeBufferPointer<UInt8>, from i: Int) -> (Int, Int)? {
        let sign = b[i] == 0x2D ? -1 : 1
        let (value, width, j) = digits(b, from: i + 1)
        switch width {
        case 1, 2:
            if j + 2 < b.count, b[j] == 0x3A {
                let (minutes, mw, k) = digits(b, from: j + 1)
                guard mw == 2, minutes < 60 else { return nil }
                return (sign * (value * 3600 + minutes * 60), k)
            }
            return (sign * value * 3600, j)
        case 4:
            guard value % 100 < 60 else { return nil }
            return (sign * (value / 100 * 3600 + value % 100 * 60), j)
        default:
            return nil
        }
    }

    private static func isLetterStart(_ c: UInt8) -> Bool {
        let l = c | 0x20
        return (l >= 0x61 && l <= 0x7A) || c >= 0xC0
    }

    /// A lowercased word with French accents folded (é→e, û→u, ô→o, è→e, ç→c) and the index after it.
    private static func foldedWord(_ b: UnsafeBufferPointer<UInt8>, from i: Int) -> (String, Int) {
        var j = i
        var out: [UInt8] = []
        while j < b.count {
            let c = b[j]
            let l = c | 0x20
            if l >= 0x61 && l <= 0x7A {
                out.append(l)
                j += 1
            } else if c == 0xC3, j + 1 < b.count {
                switch b[j + 1] | 0x20 {
                case 0xA8, 0xA9, 0xAA, 0xAB: out.append(0x65)
                case 0xBB, 0xB9, 0xBC: out.append(0x75)
                case 0xB4, 0xB6: out.append(0x6F)
                case 0xA0, 0xA2: out.append(0x61)
                case 0xA7: out.append(0x63)
                case 0xAE, 0xAF: out.append(0x69)
                default: out.append(0x3F)
                }
                j += 2
            } else {
                break
            }
        }
        if j == i { j += 1 }
        return (String(decoding: out, as: UTF8.self), j)
    }
}

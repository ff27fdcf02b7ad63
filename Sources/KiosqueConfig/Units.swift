public import Foundation

/// Parses the human units IT writes in channels.yml: durations (`90s`, `15m`, `2h`, `1d`, `1h30m`)
/// and sizes (`512KB`, `5MB`, `1GB`, bytes as a bare number).
public enum ConfigUnits {
    /// Seconds for a duration such as `15m` or `1h30m`; nil when malformed or zero-length text.
    public static func duration(_ text: String) -> TimeInterval? {
        let s = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard !s.isEmpty else { return nil }
        if let plain = Double(s), plain >= 0 { return plain }  // bare number: seconds
        var total: TimeInterval = 0
        var number = ""
        var sawUnit = false
        var i = s.startIndex
        while i < s.endIndex {
            let c = s[i]
            if c.isNumber || c == "." {
                number.append(c)
                i = s.index(after: i)
                continue
            }
            var unit = ""
            while i < s.endIndex, s[i].isLetter {
                unit.append(s[i])
                i = s.index(after: i)
            }
            guard let value = Double(number), let factor = durationFactors[unit] else { return nil }
            total += value * factor
            number = ""
            sawUnit = true
            if i < s.endIndex, s[i] == " " { i = s.index(after: i) }
        }
        guard number.isEmpty, sawUnit else { return nil }
        return total
    }

    /// Bytes for a size such as `5MB` (units are binary: 1 KB = 1024 bytes); nil when malformed.
    public static func size(_ text: String) -> Int64? {
        let s = text.trimmingCharacters(in: .whitespaces).uppercased().replacingOccurrences(of: " ", with: "")
        guard let firstLetter = s.firstIndex(where: { $0.isLetter }) else {
            return Int64(s).flatMap { $0 >= 0 ? $0 : nil }
        }
        let numberPart = String(s[..<firstLetter])
        let unit = String(s[firstLetter...])
        guard let value = Double(numberPart), value >= 0, let factor = sizeFactors[unit] else { return nil }
        let bytes = value * Double(factor)
        guard bytes < Double(Int64.max) else { return nil }
        return Int64(bytes)
    }

    /// A short human form of a duration, for messages and the admin pages (`15m`, `2h`, `1d`).
    public static func format(duration seconds: TimeInterval) -> String {
        let s = Int(seconds)
        if s % 86_400 == 0, s > 0 { return "\(s / 86_400)d" }
        if s % 3_600 == 0, s > 0 { return "\(s / 3_600)h" }
        if s % 60 == 0, s > 0 { return "\(s / 60)m" }
        return "\(s)s"
    }

    private static let durationFactors: [String: TimeInterval] = [
        "ms": 0.001, "s": 1, "sec": 1, "m": 60, "min": 60, "h": 3_600, "d": 86_400, "j": 86_400, "w": 604_800,
    ]
    private static let sizeFactors: [String: Int64] = [
        "B": 1, "O": 1, "K": 1_024, "KB": 1_024, "KIB": 1_024, "KO": 1_024,
        "M": 1_048_576, "MB": 1_048_576, "MIB": 1_048_576, "MO": 1_048_576,
        "G": 1_073_741_824, "GB": 1_073_741_824, "GIB": 1_073_741_824, "GO": 1_073_741_824,
    ]
}

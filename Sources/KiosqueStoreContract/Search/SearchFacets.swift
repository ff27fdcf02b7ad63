import Foundation

/// Facets computed the same way by every backend.
public enum SearchFacets {
    /// Results per month ("2025-03", Paris time), newest first, from the results' sort times (Unix seconds).
    public static func months(_ sortTimes: [Int64]) -> [FacetCount] {
        guard let first = sortTimes.min(), let last = sortTimes.max() else { return [] }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Europe/Paris") ?? .current
        // Month starts (local time) covering the hits, then a binary search per hit: Calendar
        // calls are slow and a window holds thousands of hits over a few months.
        var cursor = calendar.date(from: calendar.dateComponents([.year, .month], from: Date(timeIntervalSince1970: TimeInterval(first))))
        var starts: [(at: Int64, key: String)] = []
        while let start = cursor, Int64(start.timeIntervalSince1970) <= last {
            let parts = calendar.dateComponents([.year, .month], from: start)
            let month = parts.month ?? 1
            starts.append((Int64(start.timeIntervalSince1970), "\(parts.year ?? 0)-" + (month < 10 ? "0" : "") + "\(month)"))
            cursor = calendar.date(byAdding: .month, value: 1, to: start)
        }
        var counts = [Int](repeating: 0, count: starts.count)
        for sortAt in sortTimes {
            var lo = 0, hi = starts.count - 1
            while lo < hi { let mid = (lo + hi + 1) / 2; if starts[mid].at <= sortAt { lo = mid } else { hi = mid - 1 } }
            counts[lo] += 1
        }
        return zip(starts, counts).filter { $0.1 > 0 }.reversed().map { FacetCount(key: $0.0.key, label: $0.0.key, count: $0.1) }
    }
}

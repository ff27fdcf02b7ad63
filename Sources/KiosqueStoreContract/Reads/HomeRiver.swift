/// The merge of Ma page's river from each subscribed channel's newest keys, the same for every
/// backend: channels are read one after the other, and once `limit` distinct items are known,
/// `floor` tells how old a later channel's rows may be and still enter the river.
public struct HomeRiver: Sendable {
    /// How many items the river shows.
    public let limit: Int
    private var keys: [(sortAt: Int64, itemID: Int64, channel: Int)] = []
    /// The limit-th newest key so far: older rows cannot enter the river (nil until `limit` are known).
    public private(set) var floor: PageCursor?

    /// An empty river of `limit` items.
    public init(limit: Int) { self.limit = limit }

    /// Adds the keys read from the channel at index `channel` of the subscribed list.
    public mutating func add(_ page: [PageCursor], channel: Int) {
        keys += page.map { ($0.sortAt, $0.itemID, channel) }
        guard keys.count >= limit else { return }
        // Keep the newest `limit` distinct items (one item may come through two channels).
        keys.sort { ($0.sortAt, $0.itemID) > ($1.sortAt, $1.itemID) }
        var distinct = Set<Int64>()
        keys = keys.filter { distinct.insert($0.itemID).inserted }
        if keys.count >= limit {
            keys.removeSubrange(limit...)
            floor = keys.last.map { PageCursor(sortAt: $0.sortAt, itemID: $0.itemID) }
        }
    }

    /// The river, newest first: each item once, with the index of the channel it came through.
    public func items() -> [(itemID: Int64, channel: Int)] {
        var seen = Set<Int64>(), river: [(itemID: Int64, channel: Int)] = []
        for key in keys.sorted(by: { ($0.sortAt, $0.itemID) > ($1.sortAt, $1.itemID) })
            where river.count < limit && seen.insert(key.itemID).inserted {
            river.append((key.itemID, key.channel))
        }
        return river
    }
}

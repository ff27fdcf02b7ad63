public import Foundation
import GRDB
import Synchronization

extension AppDatabase {
    /// Subscribes the agent to a channel (no-op if already).
    public func subscribe(userID: Int64, channelID: String, at date: Date = Date()) async throws(StoreError) {
        try await write("subscribing to \(channelID)", changes: .agent(userID)) { db in
            let channel = try ItemRows.channel(db, key: channelID)
            try db.execute(sql: "INSERT OR IGNORE INTO subscriptions (user_id, channel_id, created_at) VALUES (?, ?, ?)",
                           arguments: [userID, channel.id, date.unixSeconds])
        }
    }

    /// Unsubscribes the agent from a channel (no-op if not subscribed).
    public func unsubscribe(userID: Int64, channelID: String) async throws(StoreError) {
        try await write("unsubscribing from \(channelID)", changes: .agent(userID)) { db in
            try db.execute(sql: "DELETE FROM subscriptions WHERE user_id = ? AND channel_id = (SELECT id FROM channels WHERE key = ?)",
                           arguments: [userID, channelID])
        }
    }

    /// Subscribes the agent to every live channel of a bouquet; returns how many were added.
    @discardableResult
    public func subscribe(userID: Int64, bouquetID: String, at date: Date = Date()) async throws(StoreError) -> Int {
        try await write("subscribing to bouquet \(bouquetID)", changes: .agent(userID)) { db in
            guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM bouquets WHERE key = ? AND retired_at IS NULL",
                                              arguments: [bouquetID]) else {
                throw StoreError.notFound(what: "bouquet", id: bouquetID)
            }
            return try Subscriptions.addBouquets(db, userID: userID, bouquetRowIDs: [id], at: date.unixSeconds)
        }
    }

    /// Unsubscribes the agent from every channel of a bouquet.
    public func unsubscribe(userID: Int64, bouquetID: String) async throws(StoreError) {
        try await write("unsubscribing from bouquet \(bouquetID)", changes: .agent(userID)) { db in
            try db.execute(sql: """
                DELETE FROM subscriptions WHERE user_id = ? AND channel_id IN
                  (SELECT bc.channel_id FROM bouquet_channels bc JOIN bouquets b ON b.id = bc.bouquet_id WHERE b.key = ?)
                """, arguments: [userID, bouquetID])
        }
    }

    /// Subscribes a new agent to the default bouquets and to those whose `groups` meet `groups`
    /// (directory groups from single sign-on or the directory, by DN or CN: see GroupMatch); returns channels added.
    @discardableResult
    public func subscribeDefaults(userID: Int64, groups: [String] = [], at date: Date = Date()) async throws(StoreError) -> Int {
        let wanted = GroupMatch(groups)
        return try await write("subscribing to default bouquets", changes: .agent(userID)) { db in
            let bouquets = try Row.fetchAll(db, sql: "SELECT id, is_default, groups FROM bouquets WHERE retired_at IS NULL")
                .filter { row in (row["is_default"] as Bool) || wanted.meets(JSONList.decode(row["groups"])) }
                .map { $0["id"] as Int64 }
            return try Subscriptions.addBouquets(db, userID: userID, bouquetRowIDs: bouquets, at: date.unixSeconds)
        }
    }

    /// The channels.yml identifiers of the agent's live subscriptions, in catalogue order.
    public func subscriptions(userID: Int64) async throws(StoreError) -> [ChannelRef] {
        try await read("listing subscriptions") { db in
            try Row.fetchAll(db, sql: """
                SELECT c.key, c.title FROM subscriptions s JOIN channels c ON c.id = s.channel_id
                WHERE s.user_id = ? AND c.retired_at IS NULL ORDER BY c.position
                """, arguments: [userID]).map { ChannelRef(id: $0["key"], title: $0["title"]) }
        }
    }

    /// The catalogue: bouquets → channels with description, sources, trust, last update, subscribed flag.
    /// The shared part is read once per change of shared content (it costs tens of milliseconds with
    /// thousands of sources); the agent's flags come from their subscriptions.
    public func catalogue(userID: Int64?) async throws(StoreError) -> CatalogueListing {
        let stamp = changes.stamp(userID: userID ?? 0).shared  // before reading: a later write makes the copy stale, never wrong
        let shared: CatalogueListing
        if let cached = catalogueCache.listing(stamp: stamp) {
            shared = cached
        } else {
            shared = try await sharedCatalogue()
            catalogueCache.keep(shared, stamp: stamp)
        }
        guard let userID else { return shared }
        let followed = Set(try await read("reading subscriptions") { db in
            try String.fetchAll(db, sql: """
                SELECT c.key FROM subscriptions s JOIN channels c ON c.id = s.channel_id WHERE s.user_id = ?
                """, arguments: [userID])
        })
        func flagged(_ channels: [ChannelListing]) -> [ChannelListing] {
            channels.map { var c = $0; c.subscribed = followed.contains(c.channel.id); return c }
        }
        var listing = shared
        listing.bouquets = listing.bouquets.map { var b = $0; b.channels = flagged(b.channels); return b }
        listing.otherChannels = flagged(listing.otherChannels)
        return listing
    }

    /// The catalogue without any agent's flags.
    private func sharedCatalogue() async throws(StoreError) -> CatalogueListing {
        try await read("reading the catalogue") { db in
            var sources: [Int64: [SourceListing]] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT cs.channel_id, s.key, s.title, s.url, s.trusted FROM channel_sources cs JOIN sources s ON s.id = cs.source_id
                WHERE s.retired_at IS NULL ORDER BY s.title
                """) {
                sources[row["channel_id"], default: []].append(
                    SourceListing(id: row["key"], title: row["title"], url: row["url"], trusted: row["trusted"]))
            }
            var channels: [Int64: ChannelListing] = [:]
            var order: [Int64] = []
            // A channel's newest item walking its index down, not max(): with the audience test, max()
            // reads every item of every channel.
            for row in try Row.fetchAll(db, sql: """
                SELECT c.id, c.key, c.title, c.description, c.kind, c.item_count - \(ItemAudience.targetedCount(channel: "c.id")) AS item_count,
                  (SELECT ci.sort_at FROM channel_items ci WHERE ci.channel_id = c.id AND NOT \(ItemAudience.targeted(item: "ci.item_id"))
                   ORDER BY ci.sort_at DESC LIMIT 1) AS last
                FROM channels c WHERE c.retired_at IS NULL ORDER BY c.position, c.id
                """) {
                let id: Int64 = row["id"], last: Int64? = row["last"]
                order.append(id)
                channels[id] = ChannelListing(
                    channel: ChannelRef(id: row["key"], title: row["title"]), description: row["description"],
                    sources: sources[id] ?? [], lastUpdate: last.map(Date.init(unixSeconds:)), itemCount: row["item_count"],
                    subscribed: false, kind: row["kind"])
            }
            var placed = Set<Int64>()
            var bouquets: [BouquetListing] = []
            for row in try Row.fetchAll(db, sql: """
                SELECT id, key, title, description, is_default FROM bouquets WHERE retired_at IS NULL ORDER BY position, id
                """) {
                let members = try Int64.fetchAll(db, sql: "SELECT channel_id FROM bouquet_channels WHERE bouquet_id = ? ORDER BY position",
                                                 arguments: [row["id"] as Int64])
                placed.formUnion(members)
                bouquets.append(BouquetListing(id: row["key"], title: row["title"], description: row["description"],
                                               isDefault: row["is_default"], channels: members.compactMap { channels[$0] }))
            }
            return CatalogueListing(bouquets: bouquets, otherChannels: order.filter { !placed.contains($0) }.compactMap { channels[$0] })
        }
    }
}

enum Subscriptions {
    static func addBouquets(_ db: Database, userID: Int64, bouquetRowIDs: [Int64], at: Int64) throws -> Int {
        var added = 0
        for id in bouquetRowIDs {
            try db.execute(sql: """
                INSERT OR IGNORE INTO subscriptions (user_id, channel_id, created_at)
                SELECT ?, bc.channel_id, ? FROM bouquet_channels bc JOIN channels c ON c.id = bc.channel_id
                WHERE bc.bouquet_id = ? AND c.retired_at IS NULL
                """, arguments: [userID, at, id])
            added += db.changesCount
        }
        return added
    }
}

/// The last shared catalogue, kept while shared content has not changed (and a minute at most,
/// for writes of other processes that the change stamp does not see).
final class CatalogueCache: Sendable {
    private let state = Mutex<(stamp: UInt64, at: ContinuousClock.Instant, listing: CatalogueListing)?>(nil)

    func listing(stamp: UInt64, now: ContinuousClock.Instant = .now) -> CatalogueListing? {
        state.withLock { kept in
            guard let kept, kept.stamp == stamp, kept.at.duration(to: now) < .seconds(60) else { return nil }
            return kept.listing
        }
    }

    func keep(_ listing: CatalogueListing, stamp: UInt64, now: ContinuousClock.Instant = .now) {
        state.withLock { $0 = (stamp, now, listing) }
    }
}

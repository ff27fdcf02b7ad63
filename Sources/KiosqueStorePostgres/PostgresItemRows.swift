import Foundation
import KiosqueModel
import KiosqueStoreContract
import Logging
import PostgresNIO

/// Item rows as the contract's summaries, with the agent's read and star marks.
enum PostgresItemRows {
    /// Summaries of `ids` in that order (missing ids and items hidden from the agent are skipped), each with its channel from `channels`.
    static func summaries(_ connection: PostgresConnection, ids: [Int64], userID: Int64, channels: [Int64: ChannelRef] = [:],
                          logger: Logger) async throws -> [ItemSummary] {
        guard !ids.isEmpty else { return [] }
        var byID: [Int64: ItemSummary] = [:]
        for try await columns in try await connection.execute(PostgresHotStatements.ItemSummaries(userID: userID, ids: ids), logger: logger) {
            let id = columns.0
            byID[id] = ItemSummary(
                id: id, title: columns.1, link: columns.2, author: columns.3, summary: columns.4, sourceID: columns.8,
                sourceTitle: columns.9, channel: nil, published: columns.5.map { Date(timeIntervalSince1970: TimeInterval($0)) },
                sortDate: Date(timeIntervalSince1970: TimeInterval(columns.6)), isUpdated: columns.7, isRead: columns.10,
                isStarred: columns.11, picture: columns.12.map { ItemPicture(url: $0, alt: columns.13 ?? "") })
        }
        return ids.compactMap { id in
            guard var item = byID[id] else { return nil }
            item.channel = channels[id]
            return item
        }
    }
}

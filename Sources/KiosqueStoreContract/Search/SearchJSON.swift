public import Foundation

extension SearchResults {
    /// The `kiosque search --json` document: {"total", "items": [{"id", "title", "link", "channel",
    /// "source", "published", "snippet"}]}; the snippet is plain text, dates are ISO 8601.
    public func jsonData() throws -> Data {
        struct Item: Encodable {
            var id: Int64
            var title: String?
            var link: String?
            var channel: String?
            var source: String
            var published: Date?
            var snippet: String
        }
        struct Document: Encodable {
            var total: Int
            var items: [Item]
        }
        let document = Document(total: total, items: items.map { hit in
            Item(id: hit.item.id, title: hit.item.title, link: hit.item.link, channel: hit.item.channel?.id,
                 source: hit.item.sourceID, published: hit.item.published,
                 snippet: hit.snippet.map(\.text).joined())
        })
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(document)
    }
}

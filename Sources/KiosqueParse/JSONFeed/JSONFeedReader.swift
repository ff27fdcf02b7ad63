// JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1), read with JSONSerialization.
internal import Foundation
internal import KiosqueModel

/// Reads JSON Feed documents into a `FeedDraft`.
enum JSONFeedReader {
    static func read(_ data: Data) -> Result<FeedDraft, FeedParseError> {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data, options: [])
        } catch {
            return .failure(.notAFeed(reason: "malformed JSON", advertisedFeeds: []))
        }
        guard let root = object as? [String: Any] else {
            return .failure(.notAFeed(reason: "JSON document is not an object", advertisedFeeds: []))
        }
        let version = root["version"] as? String
        let items = root["items"] as? [Any]
        // Early generators wrote the version URL with http: or without its scheme.
        guard version?.contains("jsonfeed.org/version/") == true || items != nil && root["title"] is String else {
            return .failure(.notAFeed(reason: "JSON document is not a JSON Feed (no jsonfeed.org version)", advertisedFeeds: []))
        }
        var draft = FeedDraft(format: .jsonFeed1)
        if version == nil { draft.warnings.append("version: missing; read as JSON Feed") }
        draft.title = string(root["title"]).flatMap(PlainText.fromHTML)
        draft.link = string(root["home_page_url"]).map { LinkRef(raw: $0, base: nil) }
        draft.subtitle = string(root["description"]).flatMap(PlainText.fromHTML)
        draft.language = string(root["language"])
        draft.icon = (string(root["icon"]) ?? string(root["favicon"])).map { LinkRef(raw: $0, base: nil) }
        draft.authors = authors(root)
        for (index, element) in (items ?? []).enumerated() {
            guard let entry = element as? [String: Any] else {
                draft.warnings.append("item \(index + 1): not an object; skipped")
                continue
            }
            draft.items.append(item(entry, index: index, draft: &draft))
        }
        return .success(draft)
    }

    private static func item(_ entry: [String: Any], index: Int, draft: inout FeedDraft) -> ItemDraft {
        var item = ItemDraft()
        if let id = entry["id"] as? String { item.id = id } else if let id = entry["id"] as? NSNumber { item.id = id.stringValue }
        item.title = string(entry["title"]).flatMap(PlainText.fromHTML)
        item.link = (string(entry["url"]) ?? string(entry["external_url"])).map { LinkRef(raw: $0, base: nil) }
        // An id that is a web address is the permalink when no url is given (the assembler checks it is http(s)).
        item.fallbackLink = item.id.map { LinkRef(raw: $0, base: nil) }
        let place = "item \(index + 1)"
        item.published = string(entry["date_published"]).flatMap { draft.date($0, at: "\(place) date_published") }
        item.updated = string(entry["date_modified"]).flatMap { draft.date($0, at: "\(place) date_modified") }
        item.authors = authors(entry)
        item.summary = string(entry["summary"]).flatMap(PlainText.fromHTML)
        if let html = string(entry["content_html"]) {
            item.contentHTML = html
        } else if let text = string(entry["content_text"]) {
            item.contentHTML = PlainText.escapeHTML(text)
            if item.summary == nil { item.summary = PlainText.fromText(text) }
        }
        item.categories = (entry["tags"] as? [Any] ?? []).compactMap { string($0).flatMap(PlainText.fromText) }
        item.image = (string(entry["image"]) ?? string(entry["banner_image"])).map { LinkRef(raw: $0, base: nil) }
        for case let attachment as [String: Any] in entry["attachments"] as? [Any] ?? [] {
            guard let url = string(attachment["url"]) else { continue }
            let size = (attachment["size_in_bytes"] as? NSNumber).map { $0.int64Value }.flatMap { $0 >= 0 ? $0 : nil }
            item.enclosures.append((LinkRef(raw: url, base: nil), string(attachment["mime_type"]), size))
        }
        return item
    }

    /// Names from 1.1's `authors` array or 1.0's `author` object.
    private static func authors(_ object: [String: Any]) -> [String] {
        var list = (object["authors"] as? [Any] ?? []).compactMap { ($0 as? [String: Any]).flatMap { string($0["name"]) } }
        if list.isEmpty, let author = object["author"] as? [String: Any], let name = string(author["name"]) { list = [name] }
        return list.compactMap(PlainText.fromText)
    }

    /// A non-empty string value (JSON null, numbers and blanks are nil).
    private static func string(_ value: Any?) -> String? {
        guard let s = value as? String, !s.isEmpty else { return nil }
        return s
    }
}

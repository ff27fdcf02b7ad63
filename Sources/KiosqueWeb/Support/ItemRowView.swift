import KiosqueStoreContract

/// The item rows of Ma page and channel pages, written straight from Swift: a grouped Ma page
/// shows about 150 rows, and rendering them through Mustache look-ups cost ~50 µs a row.
/// The markup is the one of `item-row.mustache`, which stays the reference (and is used instead
/// when a theme overrides it). Every value is escaped here.
struct ItemRowView {
    let strings: [String: String]
    let dates: DateDisplay
    let language: String
    let csrf: String
    let returnTo: String
    let showChannel: Bool
    /// Thumbnails of items that have a picture; nil for text-only rows (the agent's choice).
    var pictures: RowPictures?

    func html(_ items: [ItemSummary]) -> String {
        var out = ""
        out.reserveCapacity(items.count * 1_400)
        let hidden = "<input type=\"hidden\" name=\"_csrf\" value=\"\(htmlEscape(csrf))\"><input type=\"hidden\" name=\"retour\" value=\"\(htmlEscape(returnTo))\">"
        let newBadge = " <span class=\"badge badge--new\">\(htmlEscape(text("new_badge")))</span>"
        let updatedBadge = " <span class=\"badge\">\(htmlEscape(text("updated_badge")))</span>"
        let starBadge = " <span class=\"badge badge--star\">\(htmlEscape(text("starred")))</span>"
        for (index, item) in items.enumerated() {
            let id = String(item.id)
            let date = item.published ?? item.sortDate
            let picture = pictures?.html(item.picture, index: index)
            out += item.isRead ? "<article class=\"item" : "<article class=\"item item--unread"
            out += picture == nil ? "\" data-item=\"" : " item--picture\" data-item=\""
            out += id
            out += "\">\n"
            if let picture { out += picture + "\n" }
            out += "<h3 class=\"item__title\"><a href=\"/articles/"
            out += id
            out += "\">"
            out += htmlEscape(item.title ?? "—")
            out += "</a>"
            if !item.isRead { out += newBadge }
            if item.isUpdated { out += updatedBadge }
            if item.isStarred { out += starBadge }
            out += "</h3>\n<p class=\"item__meta\"><span>"
            out += htmlEscape(item.sourceTitle)
            out += "</span> · <time datetime=\""
            out += dates.iso(date)
            out += "\">"
            out += dates.format(date, language: language)
            out += "</time>"
            if showChannel, let channel = item.channel {
                out += " · <a href=\"/canaux/\(htmlEscape(FormData.percentEncode(channel.id)))\">\(htmlEscape(channel.title))</a>"
            }
            out += "</p>\n"
            if let summary = item.summary, !summary.isEmpty {
                out += "<p class=\"item__summary\">"
                out += htmlEscape(summary)
                out += "</p>\n"
            }
            out += "<div class=\"item__actions\">\n<form method=\"post\" action=\"/articles/\(id)/\(item.isRead ? "non-lu" : "lu")\" class=\"inline-form\" data-toggle=\"read\">"
            out += hidden
            out += "<button type=\"submit\" class=\"button button--small\">\(htmlEscape(text(item.isRead ? "mark_unread" : "mark_read")))</button></form>\n"
            out += "<form method=\"post\" action=\"/articles/\(id)/\(item.isStarred ? "retirer" : "garder")\" class=\"inline-form\" data-toggle=\"star\">"
            out += hidden
            out += "<button type=\"submit\" class=\"button button--small\" aria-pressed=\"\(item.isStarred ? "true" : "false")\">"
            out += htmlEscape(text(item.isStarred ? "unstar" : "star"))
            out += "</button></form>\n</div>\n</article>\n"
        }
        return out
    }

    private func text(_ key: String) -> String { strings[key] ?? "" }
}

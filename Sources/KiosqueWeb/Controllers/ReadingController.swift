import Foundation
import Hummingbird
import KiosqueRefresh
import KiosqueStoreContract

/// A channel's items (keyset pagination), one item's page, and the agent's marks on items.
struct ReadingController {
    let store: any PortalStore
    let views: ViewRenderer
    let feeds: FeedsController
    let live: LiveConfiguration

    /// `/canaux/{id}.atom` is public (for feed readers); every other route needs a signed-in agent.
    func register(public router: Router<AppRequestContext>, on group: RouterGroup<AppRequestContext>) {
        router.get("/canaux/:id") { request, context in
            if context.parameters.get("id")?.hasSuffix(".atom") == true {
                return try await feeds.channelFeed(request, context: context)
            }
            guard context.agent != nil else {
                return try await RequireAgentMiddleware().handle(request, context: context) { _, _ in Response(status: .unauthorized) }
            }
            return try await channel(request, context: context)
        }
        group.post("/canaux/:id/tout-lu", use: markAllRead)
        group.get("/articles/:id", use: item)
        group.post("/articles/:id/lu") { try await mark($0, $1, .read) }
        group.post("/articles/:id/non-lu") { try await mark($0, $1, .unread) }
        group.post("/articles/:id/garder") { try await mark($0, $1, .star) }
        group.post("/articles/:id/retirer") { try await mark($0, $1, .unstar) }
    }

    @Sendable func channel(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let agent = context.agent else { return .seeOther("/connexion") }
        let id = context.parameters.get("id") ?? ""
        let cursor = request.query["avant"].flatMap { PageCursor(token: $0) }
        // News channels are known from the configuration in memory; only document channels need the store.
        let channel: (title: String, description: String?)
        var sourceIDs: [String] = []
        if let configured = live.current.catalog.channels.first(where: { $0.id == id }) {
            channel = (configured.title, configured.description)
            sourceIDs = configured.sources
        } else {
            let listing = try await store.catalogue(userID: agent.id)
            guard let listed = (listing.bouquets.flatMap(\.channels) + listing.otherChannels).first(where: { $0.channel.id == id }) else {
                return views.error(.notFound, messageKey: "error_not_found", context: context)
            }
            channel = (listed.channel.title, listed.description)
        }
        // A department's news channel lists the announcements whose publication time came.
        if id.hasPrefix("news-") { try await store.publishDueAnnouncements(now: context.now) }
        let page = try await store.channelPage(channelID: id, userID: agent.id, before: cursor, limit: 30)
        let returnTo = request.uri.path + (request.uri.query.map { "?\($0)" } ?? "")
        var channelValues: [String: Any] = ["id": id, "title": channel.title]
        if let description = channel.description { channelValues["description"] = description }
        var data: [String: Any] = [
            "channel": channelValues, "empty": page.items.isEmpty, "is_later_page": cursor != nil,
            "items_html": views.itemRowsHTML(page.items, context: context, returnTo: returnTo, showChannel: false,
                                             pictures: !(try await store.hidesPictures(userID: agent.id))),
            "unread": page.channelUnread ?? page.items.filter { !$0.isRead }.count,
        ]
        if let next = page.nextCursor { data["next_cursor"] = next.token }
        if page.items.isEmpty && cursor == nil && !sourceIDs.isEmpty {
            data["fetch_state"] = try await fetchState(of: sourceIDs, context: context)
        }
        data["atom_url"] = "/canaux/\(id).atom"
        data["atom_title"] = channel.title
        return views.page("channel", data, context: context)
    }

    /// Why an empty channel is empty: when its sources were last fetched, and how many failed.
    private func fetchState(of sourceIDs: [String], context: AppRequestContext) async throws -> [String: Any] {
        let wanted = Set(sourceIDs)
        let attempts = try await store.allHealth().filter { wanted.contains($0.sourceID) }.compactMap(\.lastAttempt)
        guard let latest = attempts.map(\.startedAt).max() else { return ["never": true] }
        var state: [String: Any] = ["last": views.dates.format(latest, language: context.language), "last_iso": views.dates.iso(latest)]
        let failing = attempts.filter { !$0.succeeded }.count
        if failing > 0 { state["failing"] = failing }
        return state
    }

    @Sendable func markAllRead(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let agent = context.agent else { return .seeOther("/connexion") }
        let id = context.parameters.get("id") ?? ""
        do {
            _ = try await store.markAllRead(channelID: id, userID: agent.id)
        } catch {
            guard error.isNotFound else { throw error }
            return views.error(.notFound, messageKey: "error_not_found", context: context)
        }
        return .seeOther("/canaux/\(FormData.percentEncode(id))")
    }

    @Sendable func item(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let agent = context.agent else { return .seeOther("/connexion") }
        guard let id = context.parameters.get("id", as: Int64.self) else {
            return views.error(.notFound, messageKey: "error_not_found", context: context)
        }
        let detail: ItemDetail
        do {
            detail = try await store.item(id: id, userID: agent.id)
        } catch {
            guard error.isNotFound else { throw error }
            return views.error(.notFound, messageKey: "error_not_found", context: context)
        }
        _ = try await store.markRead(itemID: id, userID: agent.id)
        try? await store.logActivity(action: "read", userID: agent.id, detail: detail.summary.channel?.id)
        let summary = detail.summary
        var item: [String: Any] = ["id": summary.id, "title": summary.title ?? "—", "source_title": summary.sourceTitle,
                                   "is_starred": summary.isStarred,
                                   "channels": detail.channels.map { ["id": $0.id, "title": $0.title] }]
        let date = summary.published ?? summary.sortDate
        item["date"] = views.dates.format(date, language: context.language)
        item["date_iso"] = views.dates.iso(date)
        if let author = summary.author, !author.isEmpty { item["author"] = author }
        // Content was sanitized before it was stored; it is the only unescaped value in any template.
        // Pictures are rewritten here, at display, rather than at ingest: items stored before the media cache get it
        // too, and switching `media.mode` back to direct needs no migration.
        if let html = detail.contentHTML, !html.isEmpty { item["content"] = views.mediaRewriter?.rewrite(html: html) ?? html }
        if let text = summary.summary { item["summary"] = text }
        if let link = summary.link, link.hasPrefix("http://") || link.hasPrefix("https://") { item["link"] = link }
        if let previous = detail.previousID { item["previous_id"] = previous }
        if let next = detail.nextID { item["next_id"] = next }
        // Writers of a publisher department (Communication) collect items into their press review.
        let reviews = try await store.pressReviewDepartments(viewer: try context.documentViewer())
        if !reviews.isEmpty { item["press_reviews"] = reviews.map { ["id": $0.id, "title": $0.title] } }
        return views.page("item", ["item": item], context: context)
    }

    enum Mark { case read, unread, star, unstar }

    private func mark(_ request: Request, _ context: AppRequestContext, _ mark: Mark) async throws -> Response {
        guard let agent = context.agent else { return .seeOther("/connexion") }
        guard let id = context.parameters.get("id", as: Int64.self) else {
            return views.error(.notFound, messageKey: "error_not_found", context: context)
        }
        do {
            _ = try await store.item(id: id, userID: agent.id)  // unknown ids are a 404, not a silent no-op
        } catch {
            guard error.isNotFound else { throw error }
            return views.error(.notFound, messageKey: "error_not_found", context: context)
        }
        switch mark {
        case .read: _ = try await store.markRead(itemID: id, userID: agent.id)
        case .unread: _ = try await store.markUnread(itemID: id, userID: agent.id)
        case .star: _ = try await store.star(itemID: id, userID: agent.id)
        case .unstar: _ = try await store.unstar(itemID: id, userID: agent.id)
        }
        if request.headers[.accept]?.contains("application/json") == true {
            // The little script updates the row in place from this state.
            var state: [String: Any] = [:]
            switch mark {
            case .read, .unread:
                let read = mark == .read
                state = ["read": read, "readAction": "/articles/\(id)/\(read ? "non-lu" : "lu")",
                         "readLabel": views.text(read ? "mark_unread" : "mark_read", context)]
            case .star, .unstar:
                let starred = mark == .star
                state = ["starred": starred, "starAction": "/articles/\(id)/\(starred ? "retirer" : "garder")",
                         "starLabel": views.text(starred ? "unstar" : "star", context)]
            }
            return .json(state)
        }
        return .seeOther(localPath(context.form?["retour"], fallback: "/articles/\(id)"))
    }
}

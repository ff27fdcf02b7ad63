import Foundation
import Hummingbird
import KiosqueModel
import KiosqueRefresh
import KiosqueStoreContract

/// The JSON API under /api/v1, for mobile readers and scripts. Authenticated by session cookie
/// (state changes then need X-CSRF-Token) or `Authorization: Bearer <personal token>`.
struct APIController {
    let store: any PortalStore
    let scheduler: RefreshScheduler?
    let live: LiveConfiguration
    var sources: [SourceDefinition] { live.current.catalog.sources }

    func register(agents: RouterGroup<AppRequestContext>, admins: RouterGroup<AppRequestContext>) {
        agents.get("/api/v1/channels", use: channels)
        agents.post("/api/v1/subscriptions", use: subscribe)
        agents.delete("/api/v1/subscriptions/:channel", use: unsubscribe)
        agents.get("/api/v1/items", use: items)
        agents.post("/api/v1/items/:id/read") { try await mark($0, $1, .read) }
        agents.delete("/api/v1/items/:id/read") { try await mark($0, $1, .unread) }
        agents.post("/api/v1/items/:id/star") { try await mark($0, $1, .star) }
        agents.delete("/api/v1/items/:id/star") { try await mark($0, $1, .unstar) }
        agents.get("/api/v1/search", use: search)
        admins.get("/api/v1/sources", use: sourceHealth)
        admins.post("/api/v1/sources/:id/fetch", use: fetchNow)
    }

    @Sendable func channels(_ request: Request, context: AppRequestContext) async throws -> Response {
        let agent = try context.requireAgent()
        let listing = try await store.catalogue(userID: agent.id)
        let unread = Dictionary((try await store.homePage(userID: agent.id, limit: 1)).channels.map { ($0.channel.id, $0.unread) },
                                uniquingKeysWith: { a, _ in a })
        var seen = Set<String>()
        let all = (listing.bouquets.flatMap(\.channels) + listing.otherChannels).filter { seen.insert($0.channel.id).inserted }
        return .json(["channels": all.map { channel -> [String: Any] in
            var object: [String: Any] = ["id": channel.channel.id, "title": channel.channel.title, "subscribed": channel.subscribed,
                                         "unread": unread[channel.channel.id] ?? 0, "kind": channel.kind,
                                         "description": channel.description.map { $0 as Any } ?? NSNull()]
            object["last_update"] = channel.lastUpdate.map { JSONDates.string($0) as Any } ?? NSNull()
            return object
        }])
    }

    @Sendable func subscribe(_ request: Request, context: AppRequestContext) async throws -> Response {
        let agent = try context.requireAgent()
        let body = try await request.body.collectLimited(upTo: 65_536)
        guard let object = try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any] else {
            return APIError.response(.badRequest, code: "malformed_json", message: "The body must be a JSON object such as {\"channel\": \"securite\"}.")
        }
        guard let channel = object["channel"] as? String, !channel.isEmpty else {
            return APIError.response(.unprocessableContent, code: "missing_field", message: "The field `channel` (a channel id) is required.")
        }
        do {
            try await store.subscribe(userID: agent.id, channelID: channel)
        } catch {
            guard error.isNotFound else { throw error }
            return APIError.response(.notFound, code: "unknown_channel", message: "No channel `\(channel)`.")
        }
        return .json(["channel": channel, "subscribed": true], status: .created)
    }

    @Sendable func unsubscribe(_ request: Request, context: AppRequestContext) async throws -> Response {
        let agent = try context.requireAgent()
        let channel = context.parameters.get("channel") ?? ""
        guard try await channelExists(channel, userID: agent.id) else {
            return APIError.response(.notFound, code: "unknown_channel", message: "No channel `\(channel)`.")
        }
        try await store.unsubscribe(userID: agent.id, channelID: channel)
        return Response(status: .noContent)
    }

    @Sendable func items(_ request: Request, context: AppRequestContext) async throws -> Response {
        let agent = try context.requireAgent()
        let query = APIParameters(request)
        let limit: Int, unread: Bool, starred: Bool, channel: String?, before: String?, q: String?
        do {
            limit = try query.integer("limit", in: 1...200, default: 30)
            (unread, starred) = (try query.boolean("unread"), try query.boolean("starred"))
            (channel, before, q) = (try query.text("channel"), try query.text("before"), try query.text("q"))
        } catch { return error.response }
        var cursor: PageCursor?
        if let before {
            guard let parsed = PageCursor(token: before) else {
                return APIError.response(.badRequest, code: "bad_cursor", message: "`before` must be a cursor returned as `next_before`.")
            }
            cursor = parsed
        }
        if let q {
            // Search results are ranked, not paged by date: the item page's cursor is always null here.
            return try await searchResponse(q, agentID: agent.id, viewer: try context.documentViewer(), limit: limit, offset: 0,
                                            asItemPage: true)
        }
        let page: ItemPage
        if let channel {
            guard try await channelExists(channel, userID: agent.id) else {
                return APIError.response(.notFound, code: "unknown_channel", message: "No channel `\(channel)`.")
            }
            page = try await store.channelPage(channelID: channel, userID: agent.id, before: cursor, limit: limit)
        } else if starred {
            page = try await store.starredItems(userID: agent.id, before: cursor, limit: limit)
        } else {
            page = try await store.unreadItems(userID: agent.id, before: cursor, limit: limit)
        }
        var items = page.items
        if unread { items = items.filter { !$0.isRead } }
        return .json(["items": items.map(JSONItems.object), "next_before": (page.nextCursor?.token).map { $0 as Any } ?? NSNull()])
    }

    enum Mark { case read, unread, star, unstar }

    private func mark(_ request: Request, _ context: AppRequestContext, _ mark: Mark) async throws -> Response {
        let agent = try context.requireAgent()
        guard let id = context.parameters.get("id", as: Int64.self) else {
            return APIError.response(.notFound, code: "unknown_item", message: "Item ids are numbers.")
        }
        do {
            _ = try await store.item(id: id, userID: agent.id)
        } catch {
            guard error.isNotFound else { throw error }
            return APIError.response(.notFound, code: "unknown_item", message: "No item \(id).")
        }
        switch mark {
        case .read: _ = try await store.markRead(itemID: id, userID: agent.id)
        case .unread: _ = try await store.markUnread(itemID: id, userID: agent.id)
        case .star: _ = try await store.star(itemID: id, userID: agent.id)
        case .unstar: _ = try await store.unstar(itemID: id, userID: agent.id)
        }
        return Response(status: .noContent)
    }

    @Sendable func search(_ request: Request, context: AppRequestContext) async throws -> Response {
        let agent = try context.requireAgent()
        let query = APIParameters(request)
        let q: String?, limit: Int, offset: Int
        do {
            (q, limit, offset) = (try query.text("q"), try query.integer("limit", in: 1...100, default: 20),
                                  try query.integer("offset", in: 0...100_000, default: 0))
        } catch { return error.response }
        guard let q else { return APIError.response(.badRequest, code: "missing_query", message: "The parameter `q` is required.") }
        return try await searchResponse(q, agentID: agent.id, viewer: try context.documentViewer(), limit: limit, offset: offset)
    }

    /// Articles, and the documents the agent may see (`documents`, first page only; document items
    /// are left out of `items` so each document is listed once). A text the search syntax cannot
    /// read is repaired rather than refused (`SearchQuery.forgiving`): an API client has no one
    /// to show a syntax message to.
    private func searchResponse(_ q: String, agentID: Int64, viewer: DocumentViewer, limit: Int, offset: Int,
                                asItemPage: Bool = false) async throws -> Response {
        var object: [String: Any] = ["total": 0, "total_is_exact": true, "documents_total": 0, "documents": [Any](), "items": [Any]()]
        if asItemPage { object["next_before"] = NSNull() }
        guard let query = SearchQuery.forgiving(q) else { return .json(object) }
        let results = try await store.search(query, userID: agentID, limit: limit, offset: offset)
        let documents = try await DocumentSearchSection.run(store: store, results: results, viewer: viewer, limit: offset == 0 ? limit : 0)
        object["total"] = documents.articleTotal
        object["total_is_exact"] = results.totalIsExact
        object["documents_total"] = documents.documents.total
        object["documents"] = documents.json()
        object["items"] = documents.articles.map { hit -> [String: Any] in
            var object = JSONItems.object(hit.item)
            object["snippet"] = hit.snippet.map(\.text).joined()
            object["highlights"] = hit.snippet.filter(\.highlighted).map(\.text)
            return object
        }
        return .json(object)
    }

    @Sendable func sourceHealth(_ request: Request, context: AppRequestContext) async throws -> Response {
        let health = Dictionary(try await store.allHealth().map { ($0.sourceID, $0) }, uniquingKeysWith: { a, _ in a })
        return .json(["sources": sources.map { source -> [String: Any] in
            JSONHealth.object(source: source, health: health[source.id])
        }])
    }

    @Sendable func fetchNow(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = context.parameters.get("id") ?? ""
        guard sources.contains(where: { $0.id == id }) else {
            return APIError.response(.notFound, code: "unknown_source", message: "No source `\(id)`.")
        }
        guard let scheduler, scheduler.fetchNow(id) else {
            return APIError.response(.serviceUnavailable, code: "scheduler_off", message: "The fetch scheduler is not running.")
        }
        return .json(["source": id, "queued": true], status: .accepted)
    }

    private func channelExists(_ id: String, userID: Int64) async throws -> Bool {
        let listing = try await store.catalogue(userID: userID)
        return (listing.bouquets.flatMap(\.channels) + listing.otherChannels).contains { $0.channel.id == id }
    }
}

extension AppRequestContext {
    /// The agent; the RequireAgent middleware guarantees it on these routes.
    func requireAgent() throws -> UserAccount {
        guard let agent else { throw HTTPError(.unauthorized) }
        return agent
    }
}

/// Dates in API payloads: ISO 8601 in UTC.
enum JSONDates {
    static func string(_ date: Date) -> String { date.formatted(.iso8601) }
}

/// The item object of the API.
enum JSONItems {
    static func object(_ item: ItemSummary) -> [String: Any] {
        [
            "id": item.id, "title": item.title ?? NSNull(), "link": publishableLink(item.link) ?? NSNull(), "summary": item.summary ?? NSNull(),
            "author": item.author ?? NSNull(), "source": item.sourceID, "source_title": item.sourceTitle,
            "channel": item.channel?.id ?? NSNull(), "published": item.published.map(JSONDates.string) ?? NSNull(),
            "date": JSONDates.string(item.sortDate), "read": item.isRead, "starred": item.isStarred, "updated": item.isUpdated,
        ]
    }
}

/// A source's health as the API and the admin page show it.
enum JSONHealth {
    static func object(source: SourceDefinition, health: SourceHealth?) -> [String: Any] {
        let attempt = health?.lastAttempt
        let status: String = attempt == nil ? "never" : attempt!.succeeded ? "ok" : "failing"
        return [
            "id": source.id, "title": source.title ?? source.id, "url": source.url, "status": status,
            "last_attempt": attempt.map { JSONDates.string($0.startedAt) } ?? NSNull(),
            "last_success": health?.lastSuccessAt.map(JSONDates.string) ?? NSNull(),
            "http_status": attempt?.httpStatus ?? NSNull(), "error_class": attempt?.errorClass?.rawValue ?? NSNull(),
            "error_message": attempt?.errorMessage ?? NSNull(), "duration_ms": attempt.map { Int($0.duration * 1000) } ?? NSNull(),
            "bytes": attempt?.bytes ?? 0, "new_items": attempt?.newItems ?? 0, "updated_items": attempt?.updatedItems ?? 0,
            "consecutive_failures": health?.consecutiveFailures ?? 0,
            "next_attempt": health?.nextAttemptAt.map(JSONDates.string) ?? NSNull(),
            "permanent_redirect": attempt?.permanentRedirect ?? NSNull(), "discovered_feeds": attempt?.discoveredFeeds ?? [],
        ]
    }
}

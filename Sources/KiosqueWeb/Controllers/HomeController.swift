import Foundation
import Hummingbird
import KiosqueRefresh
import KiosqueStoreContract

/// "Ma page": the latest items of the agent's channels, grouped by channel or as one river.
struct HomeController {
    let store: any PortalStore
    let views: ViewRenderer
    /// Agents reload Ma page far more often than its content changes (a fetch cycle, a click).
    /// It holds the pages gzipped.
    let cache: PageCache
    /// The configured sources, for the administrators' note on failing ones.
    let live: LiveConfiguration

    func register(on group: RouterGroup<AppRequestContext>) {
        group.get("/", use: home)
    }

    @Sendable func home(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let agent = context.agent else { return .seeOther("/connexion") }
        let grouped = agent.homeLayout != "river"
        // Announcements whose publication time came are listed in their channels first (a write only then).
        try await store.publishDueAnnouncements(now: context.now)
        // The stamp is read before the data: a write committed meanwhile makes the entry stale, never wrong.
        let stamp = store.changeStamp(userID: agent.id)
        let csrf = views.csrfToken(context)  // one HMAC for the page, not one per row
        let variant = [context.language, csrf, agent.homeLayout, agent.login, agent.name, agent.email ?? "", agent.isAdmin ? "admin" : "",
                       agent.previousSeenAt.map { String($0.timeIntervalSince1970) } ?? "",
                       try await store.announcementEpoch(now: context.now)].joined(separator: "\u{1F}")
        let cacheable = context.newAnonymousBinding == nil
        let gzip = Gzip.isAccepted(by: request.headers[.acceptEncoding])
        if cacheable, let compressed = cache.page(userID: agent.id, variant: variant, stamp: stamp) {
            return respond(compressed: compressed, raw: nil, gzip: gzip, context: context)
        }
        let page = try await store.homePage(userID: agent.id, limit: 60, perChannel: grouped ? 5 : 0,
                                            documentsFor: try context.documentViewer())
        // "À la une": pinned announcements and unconfirmed must-read ones of the agent's audience, above the channels.
        let front = try await store.frontPageAnnouncements(viewer: try context.documentViewer(), now: context.now)
        // Nothing followed and nothing of their own: the catalogue is where a new agent starts.
        if page.channels.isEmpty && page.memberDocuments.isEmpty && front.isEmpty { return .seeOther("/catalogue") }
        var data: [String: Any] = ["grouped": grouped, "empty": page.channels.isEmpty]
        let pictures = !(try await store.hidesPictures(userID: agent.id))
        if !front.isEmpty {
            data["has_front_page"] = true
            // Their pictures, unless the agent reads without pictures (same rights as the announcements).
            let files = pictures ? try await store.announcementFiles(announcementIDs: front.map(\.id), viewer: try context.documentViewer(),
                                                                     now: context.now) : [:]
            data["front_page"] = AnnouncementsController.frontPage(front, files: files, views: views, context: context)
        }
        if agent.isAdmin { data.merge(try await failingSources()) { a, _ in a } }
        data["channels"] = page.channels.map { channel -> [String: Any] in
            ["id": channel.channel.id, "title": channel.channel.title, "unread": channel.unread,
             "items_html": views.itemRowsHTML(channel.latest, context: context, returnTo: "/", showChannel: false, csrf: csrf,
                                             pictures: pictures)]
        }
        if !grouped { data["river_html"] = views.itemRowsHTML(page.items, context: context, returnTo: "/", csrf: csrf, pictures: pictures) }
        if let previousVisit = agent.previousSeenAt {
            let fresh = page.items.filter { $0.sortDate > previousVisit && !$0.isRead }.count
            if fresh > 0 { data["since_last_visit_count"] = fresh }
        }
        // Members-only documents have no item (they must never reach other agents through a
        // channel), so the agent's own departments show theirs here.
        let documents = page.memberDocuments
        if !documents.isEmpty {
            data["has_member_documents"] = true
            data["member_documents"] = documents.map { record -> [String: Any] in
                var row: [String: Any] = ["id": record.id, "title": record.title, "department_id": record.departmentID,
                                          "department_title": record.departmentTitle, "kind": record.current.kind.uppercased(),
                                          "date": views.dates.format(record.createdAt, language: context.language),
                                          "date_iso": views.dates.iso(record.createdAt)]
                if let category = record.category { row["category"] = category }
                return row
            }
        }
        let body = ByteBuffer(string: views.html("home", data, context: context, navigation: "home"))
        let compressed = Gzip.compress(body)
        if cacheable, let compressed { cache.store(userID: agent.id, variant: variant, stamp: stamp, body: compressed) }
        return respond(compressed: compressed, raw: body, gzip: gzip, context: context)
    }

    /// For administrators: how many configured sources failed their last fetch (an offline
    /// machine shows every source failing, and says so instead of an empty page).
    private func failingSources() async throws -> [String: Any] {
        let sources = live.current.catalog.sources
        let health = Dictionary(try await store.allHealth().map { ($0.sourceID, $0) }, uniquingKeysWith: { a, _ in a })
        let failing = sources.filter { health[$0.id]?.lastAttempt.map { !$0.succeeded } ?? false }.count
        guard failing > 0 else { return [:] }
        return ["failing_sources": ["count": failing, "total": sources.count, "all": failing == sources.count]]
    }

    /// The page gzipped when the browser accepts it (they all do), else plain.
    private func respond(compressed: ByteBuffer?, raw: ByteBuffer?, gzip: Bool, context: AppRequestContext) -> Response {
        if gzip, let compressed {
            var response = views.htmlResponse(compressed, context: context)
            response.headers[.contentEncoding] = "gzip"
            response.headers[.vary] = "Accept-Encoding"
            return response
        }
        var response = views.htmlResponse(raw ?? compressed.flatMap { Gzip.decompress($0) } ?? ByteBuffer(), context: context)
        response.headers[.vary] = "Accept-Encoding"
        return response
    }
}

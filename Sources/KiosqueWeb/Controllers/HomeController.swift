import Foundation
import Hummingbird
import KiosqueStore

/// "Ma page": the latest items of the agent's channels, grouped by channel or as one river.
struct HomeController {
    let store: AppDatabase
    let views: ViewRenderer

    func register(on group: RouterGroup<AppRequestContext>) {
        group.get("/", use: home)
    }

    @Sendable func home(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let agent = context.agent else { return .seeOther("/connexion") }
        let grouped = agent.homeLayout != "river"
        let page = try await store.homePage(userID: agent.id, limit: 60, perChannel: grouped ? 5 : 0)
        var data: [String: Any] = ["grouped": grouped, "empty": page.channels.isEmpty]
        let csrf = views.csrfToken(context)  // one HMAC for the page, not one per row
        data["channels"] = page.channels.map { channel -> [String: Any] in
            ["id": channel.channel.id, "title": channel.channel.title, "unread": channel.unread,
             "items": channel.latest.map { views.itemRow($0, context: context, returnTo: "/", showChannel: false, csrf: csrf) }]
        }
        if !grouped { data["river"] = page.items.map { views.itemRow($0, context: context, returnTo: "/", csrf: csrf) } }
        if let previousVisit = agent.previousSeenAt {
            let fresh = page.items.filter { $0.sortDate > previousVisit && !$0.isRead }.count
            if fresh > 0 { data["since_last_visit_count"] = fresh }
        }
        // Members-only documents have no item (they must never reach other agents through a
        // channel), so the agent's own departments show theirs here.
        let documents = try await store.memberDocuments(viewer: try context.documentViewer(), limit: 8)
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
        return views.page("home", data, context: context, navigation: "home")
    }
}

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
        data["channels"] = page.channels.map { channel -> [String: Any] in
            ["id": channel.channel.id, "title": channel.channel.title, "unread": channel.unread,
             "items": channel.latest.map { views.itemRow($0, context: context, returnTo: "/", showChannel: false) }]
        }
        data["river"] = page.items.map { views.itemRow($0, context: context, returnTo: "/") }
        if let previousVisit = agent.previousSeenAt {
            let fresh = page.items.filter { $0.sortDate > previousVisit && !$0.isRead }.count
            if fresh > 0 { data["since_last_visit_count"] = fresh }
        }
        return views.page("home", data, context: context, navigation: "home")
    }
}

import Foundation
import Hummingbird
import KiosqueStoreContract

/// The catalogue: bouquets → channels, with subscribe and unsubscribe per channel or bouquet.
struct CatalogueController {
    let store: any PortalStore
    let views: ViewRenderer

    func register(on group: RouterGroup<AppRequestContext>) {
        group.get("/catalogue", use: catalogue)
        group.post("/catalogue/canaux/:id/abonner") { try await change($0, $1, channel: true, subscribe: true) }
        group.post("/catalogue/canaux/:id/desabonner") { try await change($0, $1, channel: true, subscribe: false) }
        group.post("/catalogue/bouquets/:id/abonner") { try await change($0, $1, channel: false, subscribe: true) }
        group.post("/catalogue/bouquets/:id/desabonner") { try await change($0, $1, channel: false, subscribe: false) }
    }

    @Sendable func catalogue(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let agent = context.agent else { return .seeOther("/connexion") }
        let listing = try await store.catalogue(userID: agent.id)
        let dates = views.dates
        let bouquets = listing.bouquets.map { bouquet -> [String: Any] in
            var values: [String: Any] = ["id": bouquet.id, "title": bouquet.title,
                                         "all_subscribed": !bouquet.channels.isEmpty && bouquet.channels.allSatisfy(\.subscribed)]
            if let description = bouquet.description { values["description"] = description }
            values["channels"] = bouquet.channels.map { channel -> [String: Any] in
                var c: [String: Any] = ["id": channel.channel.id, "title": channel.channel.title, "subscribed": channel.subscribed,
                                        "sources": channel.sources.map { ["title": $0.title, "trusted": $0.trusted] }]
                if let description = channel.description { c["description"] = description }
                if let last = channel.lastUpdate {
                    c["last_update"] = dates.format(last, language: context.language)
                    c["last_update_iso"] = dates.iso(last)
                }
                return c
            }
            return values
        }
        let followsNothing = !(listing.bouquets.flatMap(\.channels) + listing.otherChannels).contains(where: \.subscribed)
        return views.page("catalogue", ["bouquets": bouquets, "follows_nothing": followsNothing], context: context, navigation: "catalogue")
    }

    private func change(_ request: Request, _ context: AppRequestContext, channel: Bool, subscribe: Bool) async throws -> Response {
        guard let agent = context.agent else { return .seeOther("/connexion") }
        let id = context.parameters.get("id") ?? ""
        do {
            switch (channel, subscribe) {
            case (true, true): try await store.subscribe(userID: agent.id, channelID: id)
            case (true, false): try await store.unsubscribe(userID: agent.id, channelID: id)
            case (false, true): _ = try await store.subscribe(userID: agent.id, bouquetID: id)
            case (false, false): try await store.unsubscribe(userID: agent.id, bouquetID: id)
            }
        } catch {
            guard error.isNotFound else { throw error }
            return views.error(.notFound, messageKey: "error_not_found", context: context)
        }
        return .seeOther("/catalogue#\(channel ? "" : "bouquet-")\(FormData.percentEncode(id))")
    }
}

import Foundation
import Hummingbird
import KiosqueConfig
import KiosqueModel
import KiosqueRefresh
import KiosqueStoreContract

/// Atom and OPML out: channel feeds (public news), each agent's private "Ma page" feed behind an
/// unguessable token, and OPML exports of the catalogue and of an agent's subscriptions.
struct FeedsController {
    let store: any PortalStore
    let live: LiveConfiguration
    let views: ViewRenderer
    var configuration: PortalConfiguration { live.current }

    var atom: AtomWriter { AtomWriter(baseURL: configuration.portal.baseURL) }

    func register(public router: Router<AppRequestContext>, agents: RouterGroup<AppRequestContext>) {
        router.get("/flux/agents/:file", use: agentFeed)
        router.get("/catalogue.opml", use: catalogueOPML)
        agents.get("/compte/abonnements.opml", use: subscriptionsOPML)
    }

    @Sendable func channelFeed(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let file = context.parameters.get("id"), file.hasSuffix(".atom") else { throw HTTPError(.notFound) }
        let id = String(file.dropLast(5))
        // News channels come from channels.yml; department document channels (organisation-wide documents
        // only) and news channels from the store. Read state is not involved; the signed-in agent (session
        // or API token) also gets the announcements of their audience, a feed reader without one user 0's.
        let listing = try await store.catalogue(userID: nil)
        guard let channel = (listing.bouquets.flatMap(\.channels) + listing.otherChannels).first(where: { $0.channel.id == id }) else {
            throw HTTPError(.notFound)
        }
        // News is public; departments' documents, even organisation-wide, are for signed-in agents
        // (session or API token), like every other documents page.
        guard channel.kind != "documents" || context.agent != nil else { throw HTTPError(.notFound) }
        if id.hasPrefix("news-") { try await store.publishDueAnnouncements(now: context.now) }
        let page = try await store.channelPage(channelID: id, userID: context.agent?.id ?? 0, before: nil, limit: 50)
        let entries = page.items.map { AtomWriter.entry($0) }
        let updated = page.items.map(\.sortDate).max() ?? Date(timeIntervalSince1970: 0)
        let xml = atom.feed(id: "/canaux/\(id).atom", title: channel.channel.title, subtitle: channel.description, updated: updated, entries: entries)
        return Self.atomResponse(xml)
    }

    @Sendable func agentFeed(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let file = context.parameters.get("file"), file.hasSuffix(".atom") else { throw HTTPError(.notFound) }
        let token = String(file.dropLast(5))
        guard token.count >= 32, let agent = try await store.user(atomToken: Secrets.hash(token)), !agent.isDisabled else {
            throw HTTPError(.notFound)
        }
        try await store.publishDueAnnouncements(now: context.now)
        let page = try await store.homePage(userID: agent.id, limit: 50)
        let entries = page.items.map { AtomWriter.entry($0) }
        let updated = page.items.map(\.sortDate).max() ?? Date(timeIntervalSince1970: 0)
        let title = "\(configuration.portal.title) — \(agent.name.isEmpty ? agent.login : agent.name)"
        var response = Self.atomResponse(atom.feed(id: "/flux/agents/\(token).atom", title: title, subtitle: nil, updated: updated, entries: entries))
        response.headers[.cacheControl] = "private, no-store"  // one agent's reading, behind a secret address
        return response
    }

    @Sendable func catalogueOPML(_ request: Request, context: AppRequestContext) async throws -> Response {
        let groups = configuration.catalog.channels.map { channel in
            OPMLWriter.Group(title: channel.title, sources: channel.sources.compactMap { id in configuration.catalog.sources.first { $0.id == id } })
        }
        return Self.opmlResponse(OPMLWriter().document(title: configuration.portal.title, groups: groups), name: "catalogue.opml")
    }

    @Sendable func subscriptionsOPML(_ request: Request, context: AppRequestContext) async throws -> Response {
        let agent = try context.requireAgent()
        let subscribed = Set(try await store.subscriptions(userID: agent.id).map(\.id))
        let groups = configuration.catalog.channels.filter { subscribed.contains($0.id) }.map { channel in
            OPMLWriter.Group(title: channel.title, sources: channel.sources.compactMap { id in configuration.catalog.sources.first { $0.id == id } })
        }
        return Self.opmlResponse(OPMLWriter().document(title: "\(configuration.portal.title) — \(agent.login)", groups: groups),
                                 name: "abonnements.opml")
    }

    static func atomResponse(_ xml: String) -> Response {
        Response(status: .ok, headers: [.contentType: "application/atom+xml; charset=utf-8", .cacheControl: "private, max-age=300"],
                 body: .init(byteBuffer: ByteBuffer(string: xml)))
    }

    static func opmlResponse(_ xml: String, name: String) -> Response {
        Response(status: .ok, headers: [.contentType: "text/x-opml; charset=utf-8",
                                        .contentDisposition: "attachment; filename=\"\(name)\""],
                 body: .init(byteBuffer: ByteBuffer(string: xml)))
    }
}

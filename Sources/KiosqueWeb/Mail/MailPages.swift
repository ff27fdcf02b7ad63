import Foundation
import Hummingbird
import KiosqueConfig
import KiosqueMail
import KiosqueRefresh
import KiosqueStoreContract
import NIOCore

/// The signed-in pages about e-mail: an agent's digest as the message would show it
/// (/compte/resume), the agent's immediate alerts per channel (/compte/alertes), and IT clearing
/// an address off the bounce list (the list is on /admin).
struct MailPages {
    let store: any PortalStore
    let views: ViewRenderer
    let live: LiveConfiguration
    /// The unsubscribe-link signer (the portal key); nil when the data folder has none yet.
    let signer: UnsubscribeSigner?

    /// The policy of the preview page: the message's inline styles, nothing else that could run.
    static let previewPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'none'; "
        + "frame-ancestors 'none'; base-uri 'none'"

    func register(agents: RouterGroup<AppRequestContext>, admins: RouterGroup<AppRequestContext>) {
        agents.get("/compte/resume", use: digestPreview)
        agents.get("/compte/alertes", use: alerts)
        agents.post("/compte/alertes", use: saveAlerts)
        admins.post("/admin/rebonds/effacer", use: clearBounce)
    }

    /// The HTML part of the digest this agent would get now: the writer's own output (every
    /// outside text escaped there), served whole, not inside the layout, with a policy that
    /// allows the message's inline styles and no script.
    @Sendable func digestPreview(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let agent = context.agent else { return .seeOther("/connexion") }
        guard let settings = MailSettings(live.current), let signer else {
            return views.error(.notFound, messageKey: "digest_preview_no_mail", context: context)
        }
        // The period ends at the next whole second without waiting for it: a preview records nothing.
        let until = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.up))
        let content = try await DigestComposer(store: store).content(for: DigestRecipient(previewing: agent), until: until)
        guard !content.isEmpty else { return .seeOther("/compte?resume=vide") }  // /compte says so
        let html = DigestWriter(settings: settings, signer: signer).html(content)
        return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8", .contentSecurityPolicy: Self.previewPolicy],
                        body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// The channels marked `alerts: true`, each with a checkbox: checked when the agent opted in.
    @Sendable func alerts(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let agent = context.agent else { return .seeOther("/connexion") }
        return try await alertsPage(agent: agent, context: context, saved: request.query["ok"] != nil)
    }

    private func alertsPage(agent: UserAccount, context: AppRequestContext, saved: Bool) async throws -> Response {
        let chosen = try await store.mailAlerts(userID: agent.id)
        let channels = live.current.catalog.channels.filter(\.alerts).map { channel -> [String: Any] in
            ["id": channel.id, "title": channel.title, "checked": chosen.contains(channel.id)]
        }
        var data: [String: Any] = ["channels": channels, "mail": MailSettings(live.current) != nil,
                                   "no_address": (agent.email ?? "").isEmpty,
                                   "interval": Int(live.current.mail.alertMinInterval / 60)]
        if saved { data["flash"] = views.text("saved", context) }
        return views.page("mail-alerts", data, context: context, navigation: "account")
    }

    /// Saves the checkboxes: alerts on for the checked channels (from now on), off for the others.
    @Sendable func saveAlerts(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let agent = context.agent, let form = context.form else { return .seeOther("/connexion") }
        let chosen = try await store.mailAlerts(userID: agent.id)
        for channel in live.current.catalog.channels where channel.alerts {
            let wanted = form["alerte-\(channel.id)"] == "on"
            if wanted != chosen.contains(channel.id) {
                try await store.setMailAlert(userID: agent.id, channelKey: channel.id, enabled: wanted)
            }
        }
        return .seeOther("/compte/alertes?ok=1")
    }

    /// Takes one address off the bounce list (its mailbox was fixed): mail to it resumes.
    @Sendable func clearBounce(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let address = context.form?.trimmed("address"), try await store.clearMailBounce(address: address) else {
            return views.error(.notFound, messageKey: "error_not_found", context: context)
        }
        context.logger.info("bouncing address cleared", metadata: ["address": "\(address)", "by": "\(context.agent?.login ?? "?")"])
        return .seeOther("/admin?rebond=efface#rebonds")
    }
}

import Foundation
import Hummingbird
import NIOCore
import KiosqueMail
import KiosqueStoreContract

/// One-click unsubscribe from e-mail digests and from a channel's alerts (RFC 8058; kinds
/// "digest" and "alert:<channel>"). The link's signature (the portal key
/// over the agent and the kind of mail) is the authorisation: no sign-in, no CSRF token, so these
/// routes are registered before the session and CSRF middleware. GET only shows a confirmation
/// with a button (link scanners in mail gateways follow GETs); the POST does it.
struct UnsubscribeController {
    let store: any PortalStore
    let signer: UnsubscribeSigner
    let portalTitle: String

    func register(on router: Router<AppRequestContext>) {
        router.get("/courriel/desabonnement", use: confirm)
        router.post("/courriel/desabonnement", use: unsubscribe)
    }

    /// The agent and kind named by a correctly signed link, else nil.
    private func verified(_ request: Request) async throws -> (UserAccount, String)? {
        let query = request.query
        guard let userID = query["u"].flatMap({ Int64($0) }),
              let kind = query["k"], kind == "digest" || kind.hasPrefix("alert:"),
              let signature = query["s"],
              signer.verify(userID: userID, kind: kind, signature: signature),
              let agent = try await store.user(id: userID) else { return nil }
        return (agent, kind)
    }

    @Sendable func confirm(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let (agent, kind) = try await verified(request) else { return Self.invalid }
        let french = agent.language != "en"
        let action = htmlEscape(request.uri.description)
        if let channelKey = Self.alertChannel(kind) {
            // Name the channel as the agent knows it; its key only if it is gone.
            let channel = try await store.channelTitle(key: channelKey) ?? channelKey
            let question = french ? "Ne plus recevoir les alertes du canal « \(htmlEscape(channel)) » à l’adresse \(htmlEscape(agent.email ?? ""))&nbsp;?"
                : "Stop the alerts of channel “\(htmlEscape(channel))” at \(htmlEscape(agent.email ?? ""))?"
            let body = "<p>\(question)</p><form method=\"post\" action=\"\(action)\"><input type=\"hidden\" name=\"List-Unsubscribe\" "
                + "value=\"One-Click\"><button type=\"submit\">\(french ? "Me désabonner" : "Unsubscribe")</button></form>"
            return Self.page(title: french ? "Alertes par courriel" : "E-mail alerts", body: body, portal: portalTitle, language: agent.language)
        }
        let body = french
            ? "<p>Ne plus recevoir le résumé par courriel à l’adresse \(htmlEscape(agent.email ?? ""))&nbsp;?</p>"
                + "<form method=\"post\" action=\"\(action)\"><input type=\"hidden\" name=\"List-Unsubscribe\" value=\"One-Click\">"
                + "<button type=\"submit\">Me désabonner</button></form>"
            : "<p>Stop receiving the e-mail digest at \(htmlEscape(agent.email ?? ""))?</p>"
                + "<form method=\"post\" action=\"\(action)\"><input type=\"hidden\" name=\"List-Unsubscribe\" value=\"One-Click\">"
                + "<button type=\"submit\">Unsubscribe</button></form>"
        return Self.page(title: french ? "Résumé par courriel" : "E-mail digest", body: body, portal: portalTitle, language: agent.language)
    }

    @Sendable func unsubscribe(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let (agent, kind) = try await verified(request) else { return Self.invalid }
        if let channel = Self.alertChannel(kind) {
            do { try await store.setMailAlert(userID: agent.id, channelKey: channel, enabled: false) } catch StoreError.notFound {
                // The channel is gone: its alerts are too.
            }
            context.logger.info("alerts unsubscribed by one-click link", metadata: ["user": "\(agent.id)", "channel": "\(channel)"])
            let french = agent.language != "en"
            let body = french
                ? "<p>C’est fait : vous ne recevrez plus les alertes de ce canal. Vos alertes se règlent dans <a href=\"/compte/alertes\">votre compte</a>.</p>"
                : "<p>Done: you will no longer receive this channel's alerts. Your alerts are in <a href=\"/compte/alertes\">your account</a>.</p>"
            return Self.page(title: french ? "Désabonnement enregistré" : "Unsubscribed", body: body, portal: portalTitle, language: agent.language)
        }
        var update = UserUpdate()
        update.digestFrequency = "never"
        try await store.updateUser(id: agent.id, update)
        context.logger.info("digest unsubscribed by one-click link", metadata: ["user": "\(agent.id)"])
        let french = agent.language != "en"
        let body = french
            ? "<p>C’est fait : vous ne recevrez plus le résumé par courriel. Vous pouvez le réactiver dans <a href=\"/compte\">votre compte</a>.</p>"
            : "<p>Done: you will no longer receive the e-mail digest. You can turn it back on in <a href=\"/compte\">your account</a>.</p>"
        return Self.page(title: french ? "Désabonnement enregistré" : "Unsubscribed", body: body, portal: portalTitle, language: agent.language)
    }

    /// The channel key of an "alert:<channel>" kind; nil for the digest.
    private static func alertChannel(_ kind: String) -> String? {
        kind.hasPrefix("alert:") ? String(kind.dropFirst("alert:".count)) : nil
    }

    private static var invalid: Response {
        page(title: "Lien invalide", body: "<p>Ce lien de désabonnement n’est pas valide. / This unsubscribe link is not valid.</p>",
             portal: "", language: "fr", status: .notFound)
    }

    /// A small standalone page: these routes run outside the session, so outside the layout's navigation.
    private static func page(title: String, body: String, portal: String, language: String, status: HTTPResponse.Status = .ok) -> Response {
        let html = """
            <!DOCTYPE html><html lang="\(language == "en" ? "en" : "fr")"><head><meta charset="utf-8">\
            <meta name="viewport" content="width=device-width"><title>\(htmlEscape(title)) — \(htmlEscape(portal))</title>\
            <link rel="icon" href="/static/favicon.svg" type="image/svg+xml"><link rel="stylesheet" href="/static/kiosque.css"></head><body><main class="container"><h1>\(htmlEscape(title))</h1>\(body)</main></body></html>
            """
        return Response(status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                        body: .init(byteBuffer: ByteBuffer(string: html)))
    }
}

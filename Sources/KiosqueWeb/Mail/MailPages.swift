import Foundation
import Hummingbird
import KiosqueConfig
import KiosqueMail
import KiosqueRefresh
import KiosqueStore
import NIOCore

/// The signed-in pages about e-mail: an agent's digest as the message would show it
/// (/compte/resume), and IT clearing an address off the bounce list (the list is on /admin).
struct MailPages {
    let store: AppDatabase
    let views: ViewRenderer
    let live: LiveConfiguration
    /// The unsubscribe-link signer (the portal key); nil when the data folder has none yet.
    let signer: UnsubscribeSigner?

    /// The policy of the preview page: the message's inline styles, nothing else that could run.
    static let previewPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'none'; "
        + "frame-ancestors 'none'; base-uri 'none'"

    func register(agents: RouterGroup<AppRequestContext>, admins: RouterGroup<AppRequestContext>) {
        agents.get("/compte/resume", use: digestPreview)
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

    /// Takes one address off the bounce list (its mailbox was fixed): mail to it resumes.
    @Sendable func clearBounce(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let address = context.form?.trimmed("address"), try await store.clearMailBounce(address: address) else {
            return views.error(.notFound, messageKey: "error_not_found", context: context)
        }
        context.logger.info("bouncing address cleared", metadata: ["address": "\(address)", "by": "\(context.agent?.login ?? "?")"])
        return .seeOther("/admin?rebond=efface#rebonds")
    }
}

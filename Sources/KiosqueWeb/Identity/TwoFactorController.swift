import Crypto
import Foundation
import Hummingbird
import HTTPTypes
import HummingbirdBcrypt
import KiosqueIdentity
import KiosqueStoreContract

/// The second factor (TOTP, RFC 6238): the sign-in's second step (or enrolment when the policy
/// requires it), enrolment and disabling from /compte, and the administrators' reset.
struct TwoFactorController {
    let store: any PortalStore
    let sessions: SessionStore
    let views: ViewRenderer
    let throttle: LoginThrottle
    let passwords: PasswordHasher
    let vault: TwoFactorVault
    let gate: TwoFactorGate
    let issuer: String
    let secureCookies: Bool

    func register(public router: Router<AppRequestContext>, agents: RouterGroup<AppRequestContext>, admins: RouterGroup<AppRequestContext>) {
        router.get("/connexion/double-authentification", use: stepPage)
        router.post("/connexion/double-authentification", use: step)
        agents.get("/compte/double-authentification", use: accountPage)
        agents.post("/compte/double-authentification/confirmer", use: confirm)
        agents.post("/compte/double-authentification/desactiver", use: disable)
        admins.post("/admin/double-authentification/:id/reinitialiser", use: reset)
    }

    // MARK: the sign-in's second step

    private func pending(_ request: Request) -> PendingSignIn? {
        request.cookies[PendingSignIn.cookie].flatMap { PendingSignIn.decode($0.value, key: gate.pendingKey) }
    }

    /// Without a valid pending cookie, back to the password form.
    private func restart(_ context: AppRequestContext) -> Response {
        var response = Response.seeOther("/connexion")
        response.setCookie(PendingSignIn.expired(secure: secureCookies))
        return response
    }

    @Sendable func stepPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let pending = pending(request), let agent = try await store.user(id: pending.userID), !agent.isDisabled else {
            return restart(context)
        }
        return try await stepResponse(agent: agent, context: context, error: nil)
    }

    private func stepResponse(agent: UserAccount, context: AppRequestContext, error: String?,
                              status: HTTPResponse.Status = .ok) async throws -> Response {
        var context = context
        if context.csrfBinding == nil { context.newAnonymousBinding = Secrets.randomToken() }
        var data: [String: Any] = [:]
        if let error { data["error"] = views.text(error, context) }
        if try await store.twoFactor(userID: agent.id)?.enrolledAt == nil {
            guard let enrolment = try await enrolment(for: agent, context: context) else { return restart(context) }
            data["enrol"] = enrolment
        }
        return views.page("two-factor-step", data, context: context, status: status)
    }

    @Sendable func step(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let pending = pending(request), let agent = try await store.user(id: pending.userID), !agent.isDisabled else {
            return restart(context)
        }
        let typed = context.form?["code"] ?? ""
        let throttleKey = "second-factor:\(agent.id)"
        guard await throttle.allows(account: throttleKey, address: context.clientAddress) else {
            await audit(pending.method, provider: pending.oidc?.provider, agent: agent, context: context, failure: "second factor throttled")
            var response = try await stepResponse(agent: agent, context: context, error: "login_throttled", status: .tooManyRequests)
            response.headers[.retryAfter] = String(await throttle.retryAfter(account: throttleKey, address: context.clientAddress))
            return response
        }
        let record = try await store.twoFactor(userID: agent.id)
        if let record, record.enrolledAt != nil {
            switch try await check(typed, agent: agent, record: record) {
            case .accepted(let how):
                await throttle.recordSuccess(account: throttleKey)
                await audit(pending.method, provider: pending.oidc?.provider, agent: agent, context: context, reason: how)
                return try await signedIn(agent, pending: pending, context: context)
            case .refused(let reason):
                await throttle.recordFailure(account: throttleKey, address: context.clientAddress)
                await audit(pending.method, provider: pending.oidc?.provider, agent: agent, context: context, failure: reason)
                return try await stepResponse(agent: agent, context: context, error: "two_factor_wrong_code", status: .unauthorized)
            }
        }
        // Enrolment required by the policy: the first code confirms it, then the recovery codes are shown once.
        guard let codes = try await confirmEnrolment(typed, agent: agent, record: record) else {
            await throttle.recordFailure(account: throttleKey, address: context.clientAddress)
            await audit(pending.method, provider: pending.oidc?.provider, agent: agent, context: context, failure: "wrong code at enrolment")
            return try await stepResponse(agent: agent, context: context, error: "two_factor_wrong_code", status: .unauthorized)
        }
        await throttle.recordSuccess(account: throttleKey)
        await audit(pending.method, provider: pending.oidc?.provider, agent: agent, context: context, reason: "second factor enrolled")
        let redirect = try await signedIn(agent, pending: pending, context: context)
        var page = views.page("two-factor-codes", ["codes": codes, "continue": pending.returnTo], context: context)
        for cookie in redirect.headers[values: .setCookie] { page.headers.append(HTTPField(name: .setCookie, value: cookie)) }
        return page
    }

    private func signedIn(_ agent: UserAccount, pending: PendingSignIn, context: AppRequestContext) async throws -> Response {
        var response = try await sessions.signedIn(userID: agent.id, replacing: context.sessionToken, location: pending.returnTo,
                                                   secureCookies: secureCookies, oidc: pending.oidc)
        response.setCookie(PendingSignIn.expired(secure: secureCookies))
        try await store.touchUser(id: agent.id)
        try? await store.logActivity(action: "login", userID: agent.id, address: context.clientAddress)
        return response
    }

    private func audit(_ method: String, provider: String? = nil, agent: UserAccount, context: AppRequestContext, failure: String? = nil,
                       reason: String? = nil) async {
        try? await store.recordSignIn(SignInEvent(method: method, provider: provider, login: agent.login, userID: agent.id,
                                                  address: context.clientAddress,
                                                  success: failure == nil, reason: failure ?? reason))
    }

    private enum Check { case accepted(String), refused(String) }

    /// A TOTP code (once: a step already used is refused) or a recovery code (consumed).
    private func check(_ typed: String, agent: UserAccount, record: TwoFactorRecord) async throws -> Check {
        if TwoFactorVault.looksLikeCode(typed) {
            guard let secret = vault.open(record.sealedSecret, userID: agent.id) else { return .refused("second factor unreadable") }
            let totp = TOTP(secret: secret)
            let now = Date()
            if let step = totp.matchingStep(typed, at: now, after: record.lastStep),
               try await store.acceptTwoFactorStep(userID: agent.id, step: step) {
                return .accepted("second factor: code")
            }
            return .refused(totp.matchingStep(typed, at: now) != nil ? "second factor: code already used" : "second factor: wrong code")
        }
        let cleaned = typed.filter { !$0.isWhitespace }
        if !cleaned.isEmpty, try await store.useRecoveryCode(userID: agent.id, hash: TwoFactorVault.recoveryHash(cleaned)) {
            return .accepted("second factor: recovery code")
        }
        return .refused("second factor: wrong recovery code")
    }

    // MARK: enrolment

    /// The enrolment being set up (its secret kept sealed in the store, the same across reloads):
    /// the otpauth:// link, the secret for typing and the QR code.
    private func enrolment(for agent: UserAccount, context: AppRequestContext) async throws -> [String: Any]? {
        var secret: Data?
        if let record = try await store.twoFactor(userID: agent.id), record.enrolledAt == nil {
            secret = vault.open(record.sealedSecret, userID: agent.id)
        }
        if secret == nil {
            let fresh = TOTP.newSecret()
            guard try await store.beginTwoFactor(userID: agent.id, sealedSecret: try vault.seal(fresh, userID: agent.id)) else { return nil }
            secret = fresh
        }
        guard let secret else { return nil }
        let totp = TOTP(secret: secret)
        let uri = totp.provisioningURI(account: agent.login, issuer: issuer)
        let text = Base32.encode(secret)
        let grouped = stride(from: 0, to: text.count, by: 4).map { String(text.dropFirst($0).prefix(4)) }.joined(separator: " ")
        return ["uri": uri, "secret": grouped, "qr_svg": QRCodeSVG.svg(for: uri, title: views.text("two_factor_qr_title", context)) ?? ""]
    }

    /// Confirms the enrolment being set up with a first code; the new recovery codes, or nil.
    private func confirmEnrolment(_ typed: String, agent: UserAccount, record: TwoFactorRecord?) async throws -> [String]? {
        guard let record, record.enrolledAt == nil, let secret = vault.open(record.sealedSecret, userID: agent.id),
              let step = TOTP(secret: secret).matchingStep(typed, at: Date()) else { return nil }
        let codes = TwoFactorVault.newRecoveryCodes()
        guard try await store.confirmTwoFactor(userID: agent.id, step: step, recoveryHashes: codes.map(TwoFactorVault.recoveryHash)) else {
            return nil
        }
        return codes
    }

    // MARK: /compte

    @Sendable func accountPage(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let agent = context.agent else { return .seeOther("/connexion") }
        return try await accountResponse(agent: agent, context: context, flash: request.query["etat"] == "desactive" ? "two_factor_disabled" : nil)
    }

    private func accountResponse(agent: UserAccount, context: AppRequestContext, flash: String? = nil, error: String? = nil,
                                 status: HTTPResponse.Status = .ok) async throws -> Response {
        var data: [String: Any] = ["local_account": agent.passwordHash != nil]
        if let flash { data["flash"] = views.text(flash, context) }
        if let error { data["error"] = views.text(error, context) }
        if let record = try await store.twoFactor(userID: agent.id), let enrolled = record.enrolledAt {
            data["enrolled"] = ["since": views.dates.format(enrolled, language: context.language), "codes_left": record.recoveryCodesLeft]
        } else {
            guard let enrolment = try await enrolment(for: agent, context: context) else { return .seeOther("/compte") }
            data["enrol"] = enrolment
        }
        return views.page("two-factor", data, context: context, navigation: "account", status: status)
    }

    @Sendable func confirm(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let agent = context.agent else { return .seeOther("/connexion") }
        let throttleKey = "second-factor:\(agent.id)"
        guard await throttle.allows(account: throttleKey, address: context.clientAddress) else {
            return try await accountResponse(agent: agent, context: context, error: "login_throttled", status: .tooManyRequests)
        }
        guard let codes = try await confirmEnrolment(context.form?["code"] ?? "", agent: agent,
                                                     record: try await store.twoFactor(userID: agent.id)) else {
            await throttle.recordFailure(account: throttleKey, address: context.clientAddress)
            return try await accountResponse(agent: agent, context: context, error: "two_factor_wrong_code", status: .unprocessableContent)
        }
        await throttle.recordSuccess(account: throttleKey)
        try? await store.logActivity(action: "two_factor_enrolled", userID: agent.id, address: context.clientAddress)
        return views.page("two-factor-codes", ["codes": codes, "continue": "/compte"], context: context, navigation: "account")
    }

    /// Disabling asks for a current code, a recovery code or the password (local accounts).
    @Sendable func disable(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let agent = context.agent else { return .seeOther("/connexion") }
        let throttleKey = "second-factor:\(agent.id)"
        guard await throttle.allows(account: throttleKey, address: context.clientAddress) else {
            return try await accountResponse(agent: agent, context: context, error: "login_throttled", status: .tooManyRequests)
        }
        guard let record = try await store.twoFactor(userID: agent.id), record.enrolledAt != nil else {
            return .seeOther("/compte/double-authentification")
        }
        var proven = false
        if let code = context.form?.trimmed("code"), !code.isEmpty, case .accepted = try await check(code, agent: agent, record: record) {
            proven = true
        } else if let password = context.form?["password"], !password.isEmpty, let hash = agent.passwordHash {
            proven = await passwords.verify(password, hash: hash)
        }
        guard proven else {
            await throttle.recordFailure(account: throttleKey, address: context.clientAddress)
            return try await accountResponse(agent: agent, context: context, error: "two_factor_disable_refused", status: .unauthorized)
        }
        try await store.removeTwoFactor(userID: agent.id)
        try? await store.logActivity(action: "two_factor_disabled", userID: agent.id, address: context.clientAddress)
        return .seeOther("/compte/double-authentification?etat=desactive")
    }

    // MARK: administrators

    @Sendable func reset(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let admin = context.agent, let id = context.parameters.get("id", as: Int64.self),
              let target = try await store.user(id: id) else {
            return views.error(.notFound, messageKey: "error_not_found", context: context)
        }
        if try await store.removeTwoFactor(userID: target.id) {
            // A lost or stolen phone may come with a taken account: sessions opened with the old factor end too.
            try await store.removeSessions(userID: target.id)
            try? await store.recordSignIn(SignInEvent(method: "second_factor_reset", login: target.login, userID: target.id,
                                                      address: context.clientAddress, success: true,
                                                      reason: "second factor reset by \(admin.login)"))
            try? await store.logActivity(action: "two_factor_reset", userID: admin.id, detail: target.login, address: context.clientAddress)
        }
        return .seeOther("/admin/utilisateurs")
    }
}

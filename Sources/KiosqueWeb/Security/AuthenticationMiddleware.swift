import Foundation
import HTTPTypes
import Hummingbird
import KiosqueConfig
import KiosqueStoreContract
import Logging

/// Finds out who is asking: an API token (`Authorization: Bearer`), a session cookie, or the
/// single-sign-on headers of a trusted reverse proxy. It never refuses; `requireAgent` does.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let store: any PortalStore
    let sessions: SessionStore
    let auth: PortalConfiguration.Auth
    let localizer: Localizer
    let secureCookies: Bool
    /// `mail.default_digest`, for agents whose first sign-in creates their account.
    var defaultDigest = "never"
    static let forwardedForHeader = HTTPField.Name("X-Forwarded-For")!

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if auth.trustedProxies.contains(context.peerAddress) {
            // The last X-Forwarded-For entry is the one the trusted proxy itself added; earlier
            // ones come from the client and prove nothing.
            context.forwardedFor = request.headers[values: Self.forwardedForHeader].joined(separator: ",").split(separator: ",")
                .last.map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
        }
        if let bearer = bearerToken(request) {
            // An API token authenticates this request only; a wrong one is refused outright.
            guard let agent = try await store.user(apiTokenHash: Secrets.hash(bearer)), !agent.isDisabled else {
                return APIError.response(.unauthorized, code: "invalid_token", message: "The API token is unknown or revoked.")
            }
            context.agent = agent
            context.authMethod = .apiToken
            context.language = localizer.negotiate(agentChoice: agent.language, acceptLanguage: request.headers[.acceptLanguage])
            return try await next(request, context)
        }
        var newSessionCookie: String?
        if let token = request.cookies[WebCookies.session]?.value, !token.isEmpty,
           let (record, owner) = try await sessions.resumeWithAgent(token: token),
           let agent = owner, !agent.isDisabled {
            context.agent = agent
            context.sessionToken = token
            context.authMethod = record.singleSignOn ? .singleSignOn : .session
        }
        if let identity = singleSignOnIdentity(request, context: context), context.agent?.login.lowercased() != identity.login.lowercased() {
            let agent = try await SingleSignOn(store: store).agent(for: identity, defaultLanguage: localizer.defaultLanguage,
                                                                     defaultDigest: defaultDigest)
            if !agent.isDisabled {
                let token = try await sessions.create(userID: agent.id, singleSignOn: true)
                context.agent = agent
                context.sessionToken = token
                context.authMethod = .singleSignOn
                newSessionCookie = token
            }
            try? await store.recordSignIn(SignInEvent(method: "proxy", login: identity.login, userID: agent.id, address: context.clientAddress,
                                                      success: !agent.isDisabled, reason: agent.isDisabled ? "account disabled" : nil))
        }
        context.csrfBinding = context.sessionToken ?? request.cookies[WebCookies.anonymous]?.value
        context.language = localizer.negotiate(agentChoice: context.agent?.language, acceptLanguage: request.headers[.acceptLanguage])
        var response = try await next(request, context)
        if let token = newSessionCookie {
            response.setCookie(WebCookies.sessionCookie(token, secure: secureCookies))
        }
        return response
    }

    private func bearerToken(_ request: Request) -> String? {
        guard let header = request.headers[.authorization] else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return String(parts[1]).trimmingCharacters(in: .whitespaces)
    }

    /// The identity asserted by the proxy headers, only when the peer is a configured proxy.
    private func singleSignOnIdentity(_ request: Request, context: Context) -> SingleSignOn.Identity? {
        guard let header = auth.userHeader, let name = HTTPField.Name(header),
              let login = request.headers[name]?.trimmingCharacters(in: .whitespaces), !login.isEmpty else { return nil }
        guard auth.trustedProxies.contains(context.peerAddress) else {
            context.logger.warning("ignored single-sign-on header from an untrusted address", metadata: ["peer": "\(context.peerAddress)"])
            return nil
        }
        func value(_ header: String?) -> String? {
            guard let header, let name = HTTPField.Name(header), let v = request.headers[name]?.trimmingCharacters(in: .whitespaces),
                  !v.isEmpty else { return nil }
            return v
        }
        let groups = value(auth.groupsHeader).map { $0.split(whereSeparator: { ",;|".contains($0) }).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } } ?? []
        return SingleSignOn.Identity(login: login, name: value(auth.nameHeader), email: value(auth.emailHeader), groups: groups)
    }
}

extension WebCookies {
    /// The session cookie: HttpOnly, SameSite=Lax (links from the intranet keep the session), Secure on https.
    static func sessionCookie(_ token: String, secure: Bool) -> Cookie {
        Cookie(name: session, value: token, path: "/", secure: secure, httpOnly: true, sameSite: .lax)
    }

    static func expired(_ name: String, secure: Bool) -> Cookie {
        Cookie(name: name, value: "", expires: Date(timeIntervalSince1970: 0), path: "/", secure: secure, httpOnly: true, sameSite: .lax)
    }
}

/// Agents known through the reverse proxy: created on first visit with the default bouquets and
/// those of their groups, and mapped to departments by group.
struct SingleSignOn {
    struct Identity: Sendable {
        var login: String
        var name: String?
        var email: String?
        var groups: [String]
    }

    let store: any PortalStore

    func agent(for identity: Identity, defaultLanguage: String, defaultDigest: String = "never") async throws -> UserAccount {
        if var existing = try await store.user(login: identity.login) {
            var update = UserUpdate()
            if let name = identity.name, name != existing.name { update.name = name }
            if let email = identity.email, email != existing.email { update.email = .some(email) }
            if update != UserUpdate() { existing = try await store.updateUser(id: existing.id, update) }
            try await store.applyDepartmentGroups(userID: existing.id, groups: identity.groups)
            try await store.setUserGroups(userID: existing.id, groups: identity.groups)  // announcement audiences
            try await store.touchUser(id: existing.id)
            return existing
        }
        let created = try await store.createUser(NewUser(login: identity.login, name: identity.name ?? identity.login,
                                                         email: identity.email, passwordHash: nil, language: defaultLanguage,
                                                         digestFrequency: defaultDigest))
        _ = try await store.subscribeDefaults(userID: created.id, groups: identity.groups)
        try await store.applyDepartmentGroups(userID: created.id, groups: identity.groups)
        try await store.setUserGroups(userID: created.id, groups: identity.groups)  // announcement audiences
        try await store.touchUser(id: created.id)
        return created
    }
}

import Crypto
import Foundation
import Hummingbird
import KiosqueConfig
import KiosqueIdentity
import KiosqueModel
import KiosqueStoreContract

/// Seals TOTP secrets for the store (AES-GCM under a key derived from the portal key, bound to the
/// account by the authenticated data: a sealed secret copied to another row does not open) and
/// makes recovery codes.
struct TwoFactorVault: Sendable {
    private let key: SymmetricKey

    init(secrets: Secrets) {
        key = secrets.derivedKey(purpose: "totp-secrets")
    }

    func seal(_ secret: Data, userID: Int64) throws -> Data {
        guard let combined = try AES.GCM.seal(secret, using: key, authenticating: Data("user:\(userID)".utf8)).combined else {
            throw CryptoKitError.incorrectParameterSize
        }
        return combined
    }

    func open(_ sealed: Data, userID: Int64) -> Data? {
        guard let box = try? AES.GCM.SealedBox(combined: sealed) else { return nil }
        return try? AES.GCM.open(box, using: key, authenticating: Data("user:\(userID)".utf8))
    }

    /// Ten new recovery codes (80 random bits each, base32 in groups of four).
    static func newRecoveryCodes() -> [String] {
        (0..<10).map { _ in
            let text = Base32.encode(SymmetricKey(size: .init(bitCount: 80)).withUnsafeBytes { Data($0) })
            return stride(from: 0, to: text.count, by: 4).map { offset in
                String(text.dropFirst(offset).prefix(4))
            }.joined(separator: "-")
        }
    }

    /// What the store keeps of a recovery code: the SHA-256 of its letters, as typed in any case
    /// with or without hyphens and spaces.
    static func recoveryHash(_ typed: String) -> String {
        let normalized = typed.uppercased().filter { $0.isLetter || $0.isNumber }
        return SHA256.hash(data: Data("recovery:\(normalized)".utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Whether what was typed looks like a TOTP code (six digits, spaces allowed).
    static func looksLikeCode(_ typed: String) -> Bool {
        let cleaned = typed.filter { !$0.isWhitespace }
        return cleaned.count == 6 && cleaned.allSatisfy { $0.isASCII && $0.isNumber }
    }
}

/// The half-signed-in state between the password and the second step: a short-lived cookie signed
/// with a key derived from the portal key. It is not a session: no route reads it except the
/// second step's own, so it grants nothing else.
struct PendingSignIn: Codable, Sendable {
    static let cookie = "kiosque_2fa"
    static let lifetime: TimeInterval = 5 * 60

    var userID: Int64
    var expires: Int64
    var returnTo: String
    /// How the password was checked (`local`, `directory`), for the audit log.
    var method: String
    var nonce: String
    /// After an OpenID Connect sign-in: the provider and its id_token, kept for the session (logout).
    var oidc: OIDCSessionLink?

    init(userID: Int64, returnTo: String, method: String, oidc: OIDCSessionLink? = nil, now: Date = Date()) {
        self.userID = userID
        self.expires = Int64(now.addingTimeInterval(Self.lifetime).timeIntervalSince1970)
        self.returnTo = returnTo
        self.method = method
        self.nonce = Secrets.randomToken()
        self.oidc = oidc
    }

    func encoded(key: SymmetricKey) -> String {
        let payload = ((try? JSONEncoder().encode(self)) ?? Data()).base64URLEncoded
        let mac = Data(HMAC<SHA256>.authenticationCode(for: Data(payload.utf8), using: key)).base64URLEncoded
        return payload + "." + mac
    }

    static func decode(_ value: String, key: SymmetricKey, now: Date = Date()) -> PendingSignIn? {
        let parts = value.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let mac = Data(base64URL: String(parts[1])),
              HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: Data(parts[0].utf8), using: key),
              let json = Data(base64URL: String(parts[0])),
              let pending = try? JSONDecoder().decode(PendingSignIn.self, from: json),
              Int64(now.timeIntervalSince1970) < pending.expires else { return nil }
        return pending
    }

    static func cookie(_ value: String, secure: Bool) -> Cookie {
        Cookie(name: cookie, value: value, maxAge: Int(lifetime), path: "/connexion", secure: secure, httpOnly: true, sameSite: .strict)
    }

    static func expired(secure: Bool) -> Cookie {
        Cookie(name: cookie, value: "", expires: Date(timeIntervalSince1970: 0), path: "/connexion", secure: secure, httpOnly: true,
               sameSite: .strict)
    }
}

/// The policy at sign-in: who must answer a second step (or enrol first) after their password.
struct TwoFactorGate: Sendable {
    let store: any PortalStore
    let policy: PortalConfiguration.TwoFactor
    let pendingKey: SymmetricKey
    let secureCookies: Bool

    enum Decision: Equatable { case none, code, enrol }

    /// What comes after a right password for `agent` at `address`.
    func decision(for agent: UserAccount, address: String) async throws -> Decision {
        let enrolled = try await store.twoFactor(userID: agent.id)?.enrolledAt != nil
        let required = policy.requiredFor == .everyone || (policy.requiredFor == .admins && agent.isAdmin)
        if !enrolled { return required ? .enrol : .none }
        return policy.isTrusted(address: address) ? .none : .code
    }

    /// The answer that sends the browser to the second step instead of opening a session, or nil
    /// when a full session may start now.
    func pendingStep(for agent: UserAccount, method: String, returnTo: String?, context: AppRequestContext,
                     oidc: OIDCSessionLink? = nil) async throws -> Response? {
        guard try await decision(for: agent, address: context.clientAddress) != .none else { return nil }
        let pending = PendingSignIn(userID: agent.id, returnTo: localPath(returnTo), method: method, oidc: oidc)
        var response = Response.seeOther("/connexion/double-authentification")
        response.setCookie(PendingSignIn.cookie(pending.encoded(key: pendingKey), secure: secureCookies))
        return response
    }
}

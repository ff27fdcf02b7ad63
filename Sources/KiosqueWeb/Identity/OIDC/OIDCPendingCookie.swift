import Crypto
import Foundation
import Hummingbird
import KiosqueIdentity
import KiosqueModel

/// A sign-in between the browser's departure to the provider and its return: `state`, `nonce` and the
/// PKCE verifier, sealed (AES-GCM under a key derived from the portal key: neither readable nor forgeable)
/// in a ten-minute cookie that only the provider's callback path receives.
struct OIDCPendingCookie: Codable, Sendable {
    static let name = "kiosque_oidc"
    static let lifetime: TimeInterval = 10 * 60

    var provider: String
    var pending: OIDCClient.Pending
    var returnTo: String
    var expires: Int64

    init(provider: String, pending: OIDCClient.Pending, returnTo: String, now: Date = Date()) {
        self.provider = provider
        self.pending = pending
        self.returnTo = returnTo
        self.expires = Int64(now.addingTimeInterval(Self.lifetime).timeIntervalSince1970)
    }

    func sealed(key: SymmetricKey) throws -> String {
        let json = try JSONEncoder().encode(self)
        guard let combined = try AES.GCM.seal(json, using: key, authenticating: Data(Self.name.utf8)).combined else {
            throw CryptoKitError.incorrectParameterSize
        }
        return combined.base64URLEncoded
    }

    static func opened(_ value: String, key: SymmetricKey, now: Date = Date()) -> OIDCPendingCookie? {
        guard let data = Data(base64URL: value), let box = try? AES.GCM.SealedBox(combined: data),
              let json = try? AES.GCM.open(box, using: key, authenticating: Data(name.utf8)),
              let cookie = try? JSONDecoder().decode(OIDCPendingCookie.self, from: json),
              Int64(now.timeIntervalSince1970) < cookie.expires else { return nil }
        return cookie
    }

    /// Lax, not Strict: the provider sends the browser back with a cross-site top-level GET.
    static func cookie(_ value: String, provider: String, secure: Bool) -> Cookie {
        Cookie(name: name, value: value, maxAge: Int(lifetime), path: OIDCRoutes.callbackPath(provider), secure: secure, httpOnly: true,
               sameSite: .lax)
    }

    static func expired(provider: String, secure: Bool) -> Cookie {
        Cookie(name: name, value: "", expires: Date(timeIntervalSince1970: 0), path: OIDCRoutes.callbackPath(provider), secure: secure,
               httpOnly: true, sameSite: .lax)
    }
}

/// The portal's OpenID Connect addresses.
enum OIDCRoutes {
    /// Where the sign-in page's button sends the browser.
    static func startPath(_ provider: String) -> String { "/connexion/oidc/\(provider)" }
    /// The redirect URI registered at the provider (path part).
    static func callbackPath(_ provider: String) -> String { "/connexion/oidc/\(provider)/retour" }
}

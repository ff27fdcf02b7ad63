public import Foundation

/// One OpenID provider as the portal uses it (from an `auth.oidc` entry of channels.yml, secret resolved).
public struct OIDCProviderSettings: Sendable, Hashable {
    /// The provider's id in channels.yml, part of the callback path `/connexion/oidc/{id}/retour`.
    public var id: String
    /// The button's label on the sign-in page.
    public var title: String
    /// The issuer, exactly as the provider writes it in its tokens (its discovery document is under it).
    public var issuer: String
    /// The portal's client id at the provider.
    public var clientID: String
    /// The portal's client secret (sent with HTTP Basic to the token endpoint).
    public var clientSecret: String
    /// The scopes asked for; `openid` is always sent.
    public var scopes: [String]
    /// Which claims hold the login, the name, the e-mail and the groups.
    public var claims: ClaimNames
    /// The authentication levels asked for (`acr_values`); a weaker `acr` in the answer is refused.
    public var acrValues: [String]
    /// `acr` values that say the provider checked a second factor (the portal then asks for no TOTP code).
    public var mfaACRValues: [String]
    /// Whether the provider is ProConnect (its button follows ProConnect's guidelines).
    public var isProConnect: Bool
    /// Send the level as ProConnect's `claims` request parameter (id_token acr essential, amr essential)
    /// instead of `acr_values`: ProConnect only.
    public var acrAsClaimsRequest: Bool { isProConnect }

    /// Where a provider names the agent's login, name, e-mail and groups.
    public struct ClaimNames: Sendable, Hashable {
        /// The login claim (`preferred_username`, ProConnect's `uid`, or `email`).
        public var login: String
        /// The display name claim; `given_name usual_name` (two claims separated by a space) joins them.
        public var name: String
        /// The e-mail claim.
        public var email: String
        /// The groups claim (a list of names or DNs, or one string); nil when the provider sends none.
        public var groups: String?

        /// Claim names; the defaults are the standard claims.
        public init(login: String = "preferred_username", name: String = "name", email: String = "email", groups: String? = nil) {
            self.login = login
            self.name = name
            self.email = email
            self.groups = groups
        }
    }

    /// A provider; the defaults suit a generic provider (Keycloak, LemonLDAP::NG, Entra ID).
    public init(id: String, title: String, issuer: String, clientID: String, clientSecret: String,
                scopes: [String] = ["openid", "profile", "email"], claims: ClaimNames = ClaimNames(), acrValues: [String] = [],
                mfaACRValues: [String] = [], isProConnect: Bool = false) {
        self.id = id
        self.title = title
        self.issuer = issuer
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.scopes = scopes
        self.claims = claims
        self.acrValues = acrValues
        self.mfaACRValues = mfaACRValues
        self.isProConnect = isProConnect
    }

    /// The `acr` values ProConnect documents as multi-factor.
    public static let proConnectMFALevels = [
        "eidas2", "eidas3", "https://proconnect.gouv.fr/assurance/self-asserted-2fa",
        "https://proconnect.gouv.fr/assurance/consistency-checked-2fa",
    ]
}

import Foundation
import Hummingbird
import KiosqueStoreContract
import NIOCore

/// What each request carries through middleware to the controllers: who is asking, in which
/// language, and what binds their forms (CSRF).
struct AppRequestContext: RequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    /// The TCP peer (a reverse proxy, or the agent's browser).
    let remoteAddress: SocketAddress?
    /// The signed-in agent, once authenticated.
    var agent: UserAccount?
    /// The raw session token from the cookie (its hash is the store key).
    var sessionToken: String?
    /// How the agent authenticated: a browser session, single sign-on, or an API token.
    var authMethod: AuthMethod = .none
    /// What CSRF tokens are bound to: the session token, else the anonymous visitor's cookie.
    var csrfBinding: String?
    /// An anonymous CSRF cookie created for this response (set by the view layer).
    var newAnonymousBinding: String?
    /// Interface language for this request.
    var language = "fr"
    /// The url-encoded form body, already read by the CSRF check.
    var form: FormData?
    /// When the request is served (`WebServer.Options.now`, read once per request by `ClockMiddleware`).
    var now = Date()

    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
    }

    /// Uploads are limited by the documents configuration; other bodies are small.
    var maxUploadSize: Int { 64 * 1_048_576 }

    /// The peer's IP address as text ("unknown" in in-process tests).
    var peerAddress: String { remoteAddress?.ipAddress ?? "unknown" }
    /// The agent's own address when a trusted reverse proxy said it (X-Forwarded-For), else the
    /// peer's: sign-in throttling per address must not lump every agent behind the proxy together.
    var forwardedFor: String?
    var clientAddress: String { forwardedFor ?? peerAddress }
}

/// How a request was authenticated.
enum AuthMethod: Sendable {
    case none, session, singleSignOn, apiToken
}

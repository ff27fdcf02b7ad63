import Foundation
import Hummingbird
import KiosqueStoreContract
import Synchronization

/// Browser sessions kept in the store (a restart logs nobody out). The cookie holds a random
/// token; the store holds only its hash, so a copy of the database opens no session.
struct SessionStore: Sendable {
    let store: any PortalStore
    let idleTimeout: TimeInterval
    let absoluteTimeout: TimeInterval
    /// How stale `lastSeen` may get before it is written again (saves a write per request).
    let touchInterval: TimeInterval = 60
    /// Sessions resumed lately, so that most requests need no store read at all.
    let recent = RecentSessions()

    struct Record: Codable, Sendable {
        var userID: Int64
        var createdAt: Date
        var lastSeen: Date
        var singleSignOn: Bool
        /// The OpenID provider the agent signed in with and its id_token, for the provider's logout.
        var oidc: OIDCSessionLink?
    }

    /// Starts a session for an agent and returns the token for the cookie.
    func create(userID: Int64, singleSignOn: Bool = false, oidc: OIDCSessionLink? = nil, now: Date = Date()) async throws -> String {
        let token = Secrets.randomToken()
        let record = Record(userID: userID, createdAt: now, lastSeen: now, singleSignOn: singleSignOn, oidc: oidc)
        try await save(token: token, record)
        return token
    }

    /// The live session for a token, sliding its idle expiry, and its agent's account (nil if the
    /// account is gone), read together; nil when the session is unknown or expired.
    func resumeWithAgent(token: String, now: Date = Date()) async throws -> (record: Record, agent: UserAccount?)? {
        let key = Secrets.hash(token)
        if let kept = recent.session(key: key, store: store, now: now),
           now.timeIntervalSince(kept.record.createdAt) <= absoluteTimeout, now.timeIntervalSince(kept.record.lastSeen) <= touchInterval {
            return (kept.record, kept.agent)
        }
        recent.forget(key: key)
        let countBefore = store.changeCount()  // taken before the read: see RecentSessions
        guard let found = try await store.sessionWithOwner(key: key, now: now),
              var record = try? JSONDecoder().decode(Record.self, from: found.data) else { return nil }
        if now.timeIntervalSince(record.createdAt) > absoluteTimeout || now.timeIntervalSince(record.lastSeen) > idleTimeout {
            try await store.sessionRemove(key: key)
            return nil
        }
        if now.timeIntervalSince(record.lastSeen) > touchInterval {
            record.lastSeen = now
            try await save(token: token, record)
        }
        if let owner = found.owner, owner.id == record.userID {
            recent.keep(key: key, record: record, agent: owner, changeCount: countBefore, now: now)
            return (record, owner)
        }
        return (record, try await store.user(id: record.userID))  // a row saved without its owner column
    }

    /// A sign-in's answer: a redirect to `location` carrying a new session for `userID`. The
    /// session the browser had is ended first — a token planted before sign-in is worthless after
    /// it — and the anonymous CSRF cookie is dropped.
    func signedIn(userID: Int64, replacing old: String?, location: String, secureCookies: Bool,
                  oidc: OIDCSessionLink? = nil) async throws -> Response {
        if let old { try await end(token: old) }
        let token = try await create(userID: userID, oidc: oidc)
        var response = Response.seeOther(location)
        response.setCookie(WebCookies.sessionCookie(token, secure: secureCookies))
        response.setCookie(WebCookies.expired(WebCookies.anonymous, secure: secureCookies))
        return response
    }

    func end(token: String) async throws {
        recent.forget(key: Secrets.hash(token))
        try await store.sessionRemove(key: Secrets.hash(token))
    }

    /// Ends every session of an agent ("sign out everywhere", disabled account).
    func endAll(userID: Int64) async throws {
        _ = try await store.removeSessions(userID: userID)
    }

    private func save(token: String, _ record: Record) async throws {
        let expires = min(record.createdAt.addingTimeInterval(absoluteTimeout), record.lastSeen.addingTimeInterval(idleTimeout))
        let data = try JSONEncoder().encode(record)
        try await store.sessionSet(key: Secrets.hash(token), value: data, expires: expires, userID: record.userID)
    }
}

/// Sessions resumed in the last few seconds with their agent's account, so that a signed-in
/// request usually needs no store read before its page. An entry stays good while the agent has
/// had no committed change since it was read (sign-out, sign-out everywhere, disabling, any
/// preference: each moves the agent's change stamp), and for ten seconds at most (changes made
/// by another process, such as `kiosque user disable`, are not seen by the stamp).
final class RecentSessions: Sendable {
    private struct Entry {
        let record: SessionStore.Record
        let agent: UserAccount
        let changeCount: UInt64
        let keptAt: Date
    }
    private let entries = Mutex<[String: Entry]>([:])
    let lifetime: TimeInterval = 10
    let capacity = 50_000

    func session(key: String, store: any PortalStore, now: Date) -> (record: SessionStore.Record, agent: UserAccount)? {
        guard let entry = entries.withLock({ $0[key] }), now.timeIntervalSince(entry.keptAt) < lifetime, now >= entry.keptAt,
              store.changeStamp(userID: entry.agent.id).agent <= entry.changeCount else { return nil }
        return (entry.record, entry.agent)
    }

    /// `changeCount` is the store's change count taken before the session and account were read.
    func keep(key: String, record: SessionStore.Record, agent: UserAccount, changeCount: UInt64, now: Date) {
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[key] = Entry(record: record, agent: agent, changeCount: changeCount, keptAt: now)
        }
    }

    func forget(key: String) {
        _ = entries.withLock { $0.removeValue(forKey: key) }
    }
}

import Foundation
import KiosqueStore

/// Browser sessions kept in the store (a restart logs nobody out). The cookie holds a random
/// token; the store holds only its hash, so a copy of the database opens no session.
struct SessionStore: Sendable {
    let store: AppDatabase
    let idleTimeout: TimeInterval
    let absoluteTimeout: TimeInterval
    /// How stale `lastSeen` may get before it is written again (saves a write per request).
    let touchInterval: TimeInterval = 60

    struct Record: Codable, Sendable {
        var userID: Int64
        var createdAt: Date
        var lastSeen: Date
        var singleSignOn: Bool
    }

    /// Starts a session for an agent and returns the token for the cookie.
    func create(userID: Int64, singleSignOn: Bool = false, now: Date = Date()) async throws -> String {
        let token = Secrets.randomToken()
        let record = Record(userID: userID, createdAt: now, lastSeen: now, singleSignOn: singleSignOn)
        try await save(token: token, record)
        return token
    }

    /// The live session for a token, sliding its idle expiry; nil when unknown or expired.
    func resume(token: String, now: Date = Date()) async throws -> Record? {
        try await resumeWithAgent(token: token, now: now)?.record
    }

    /// The live session and its agent's account (nil if the account is gone), read together.
    func resumeWithAgent(token: String, now: Date = Date()) async throws -> (record: Record, agent: UserAccount?)? {
        let key = Secrets.hash(token)
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
        if let owner = found.owner, owner.id == record.userID { return (record, owner) }
        return (record, try await store.user(id: record.userID))  // a row saved without its owner column
    }

    func end(token: String) async throws {
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

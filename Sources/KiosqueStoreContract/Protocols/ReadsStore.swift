public import Foundation
public import KiosqueModel

/// What an agent reads: Ma page, channel pages, an item, read and starred marks.
/// Implemented by `AppDatabase` (SQLite) and the PostgreSQL store; see notes/store-contract.md.
public protocol ReadsStore: Sendable {
    /// The agent's home page: newest `limit` items across subscribed channels, plus per-channel
    /// unread counts and, when `perChannel` > 0, each channel's newest items (grouped layout).
    /// With `documentsFor`, the same read also lists up to `documentLimit` members-only documents
    /// of the agent's departments (see `memberDocuments`).
    func homePage(userID: Int64, limit: Int, perChannel: Int, documentsFor viewer: DocumentViewer?, documentLimit: Int) async throws(StoreError) -> HomePage
    /// One page of a channel, newest first, starting after `before` (keyset pagination).
    func channelPage(channelID: String, userID: Int64, before: PageCursor?, limit: Int, unreadOnly: Bool) async throws(StoreError) -> ItemPage
    /// Unread items across the agent's subscribed channels, newest first, keyset-paginated.
    func unreadItems(userID: Int64, before: PageCursor?, limit: Int) async throws(StoreError) -> ItemPage
    /// The agent's starred items, most recently starred first (the cursor's date is the star date).
    func starredItems(userID: Int64, before: PageCursor?, limit: Int) async throws(StoreError) -> ItemPage
    /// One item with its body, its channels and its neighbours in `channelID` (default: its first channel).
    func item(id: Int64, userID: Int64, channelID: String?) async throws(StoreError) -> ItemDetail
    /// Marks one item read for the agent; returns false if it already was.
    @discardableResult
    func markRead(itemID: Int64, userID: Int64) async throws(StoreError) -> Bool
    /// Marks one item unread again; returns false if it was not read.
    @discardableResult
    func markUnread(itemID: Int64, userID: Int64) async throws(StoreError) -> Bool
    /// Stars an item for the agent (starred items survive retention); false if already starred.
    @discardableResult
    func star(itemID: Int64, userID: Int64, at date: Date) async throws(StoreError) -> Bool
    /// Removes a star; false if the item was not starred.
    @discardableResult
    func unstar(itemID: Int64, userID: Int64) async throws(StoreError) -> Bool
    /// Marks read every item of a channel (or, with nil, of all subscribed channels) dated at or
    /// before `olderThan` (default: everything); returns how many items changed state.
    @discardableResult
    func markAllRead(channelID: String?, userID: Int64, olderThan: Date?) async throws(StoreError) -> Int
}

/// The default arguments of the implementations (protocol requirements cannot have them).
extension ReadsStore {
    /// `homePage` with documentLimit = 8.
    public func homePage(userID: Int64, limit: Int, perChannel: Int,
                         documentsFor viewer: DocumentViewer?) async throws(StoreError) -> HomePage {
        try await homePage(userID: userID, limit: limit, perChannel: perChannel, documentsFor: viewer, documentLimit: 8)
    }
    /// `homePage` with limit = 50, perChannel = 0.
    public func homePage(userID: Int64, documentsFor viewer: DocumentViewer?, documentLimit: Int) async throws(StoreError) -> HomePage {
        try await homePage(userID: userID, limit: 50, perChannel: 0, documentsFor: viewer, documentLimit: documentLimit)
    }
    /// `homePage` with limit = 50, documentsFor = nil.
    public func homePage(userID: Int64, perChannel: Int, documentLimit: Int) async throws(StoreError) -> HomePage {
        try await homePage(userID: userID, limit: 50, perChannel: perChannel, documentsFor: nil, documentLimit: documentLimit)
    }
    /// `homePage` with limit = 50, documentLimit = 8.
    public func homePage(userID: Int64, perChannel: Int, documentsFor viewer: DocumentViewer?) async throws(StoreError) -> HomePage {
        try await homePage(userID: userID, limit: 50, perChannel: perChannel, documentsFor: viewer, documentLimit: 8)
    }
    /// `homePage` with perChannel = 0, documentsFor = nil.
    public func homePage(userID: Int64, limit: Int, documentLimit: Int) async throws(StoreError) -> HomePage {
        try await homePage(userID: userID, limit: limit, perChannel: 0, documentsFor: nil, documentLimit: documentLimit)
    }
    /// `homePage` with perChannel = 0, documentLimit = 8.
    public func homePage(userID: Int64, limit: Int, documentsFor viewer: DocumentViewer?) async throws(StoreError) -> HomePage {
        try await homePage(userID: userID, limit: limit, perChannel: 0, documentsFor: viewer, documentLimit: 8)
    }
    /// `homePage` with documentsFor = nil, documentLimit = 8.
    public func homePage(userID: Int64, limit: Int, perChannel: Int) async throws(StoreError) -> HomePage {
        try await homePage(userID: userID, limit: limit, perChannel: perChannel, documentsFor: nil, documentLimit: 8)
    }
    /// `homePage` with limit = 50, perChannel = 0, documentsFor = nil.
    public func homePage(userID: Int64, documentLimit: Int) async throws(StoreError) -> HomePage {
        try await homePage(userID: userID, limit: 50, perChannel: 0, documentsFor: nil, documentLimit: documentLimit)
    }
    /// `homePage` with limit = 50, perChannel = 0, documentLimit = 8.
    public func homePage(userID: Int64, documentsFor viewer: DocumentViewer?) async throws(StoreError) -> HomePage {
        try await homePage(userID: userID, limit: 50, perChannel: 0, documentsFor: viewer, documentLimit: 8)
    }
    /// `homePage` with limit = 50, documentsFor = nil, documentLimit = 8.
    public func homePage(userID: Int64, perChannel: Int) async throws(StoreError) -> HomePage {
        try await homePage(userID: userID, limit: 50, perChannel: perChannel, documentsFor: nil, documentLimit: 8)
    }
    /// `homePage` with perChannel = 0, documentsFor = nil, documentLimit = 8.
    public func homePage(userID: Int64, limit: Int) async throws(StoreError) -> HomePage {
        try await homePage(userID: userID, limit: limit, perChannel: 0, documentsFor: nil, documentLimit: 8)
    }
    /// `homePage` with limit = 50, perChannel = 0, documentsFor = nil, documentLimit = 8.
    public func homePage(userID: Int64) async throws(StoreError) -> HomePage {
        try await homePage(userID: userID, limit: 50, perChannel: 0, documentsFor: nil, documentLimit: 8)
    }
    /// `channelPage` with before = nil.
    public func channelPage(channelID: String, userID: Int64, limit: Int, unreadOnly: Bool) async throws(StoreError) -> ItemPage {
        try await channelPage(channelID: channelID, userID: userID, before: nil, limit: limit, unreadOnly: unreadOnly)
    }
    /// `channelPage` with limit = 30.
    public func channelPage(channelID: String, userID: Int64, before: PageCursor?, unreadOnly: Bool) async throws(StoreError) -> ItemPage {
        try await channelPage(channelID: channelID, userID: userID, before: before, limit: 30, unreadOnly: unreadOnly)
    }
    /// `channelPage` with unreadOnly = false.
    public func channelPage(channelID: String, userID: Int64, before: PageCursor?, limit: Int) async throws(StoreError) -> ItemPage {
        try await channelPage(channelID: channelID, userID: userID, before: before, limit: limit, unreadOnly: false)
    }
    /// `channelPage` with before = nil, limit = 30.
    public func channelPage(channelID: String, userID: Int64, unreadOnly: Bool) async throws(StoreError) -> ItemPage {
        try await channelPage(channelID: channelID, userID: userID, before: nil, limit: 30, unreadOnly: unreadOnly)
    }
    /// `channelPage` with before = nil, unreadOnly = false.
    public func channelPage(channelID: String, userID: Int64, limit: Int) async throws(StoreError) -> ItemPage {
        try await channelPage(channelID: channelID, userID: userID, before: nil, limit: limit, unreadOnly: false)
    }
    /// `channelPage` with limit = 30, unreadOnly = false.
    public func channelPage(channelID: String, userID: Int64, before: PageCursor?) async throws(StoreError) -> ItemPage {
        try await channelPage(channelID: channelID, userID: userID, before: before, limit: 30, unreadOnly: false)
    }
    /// `channelPage` with before = nil, limit = 30, unreadOnly = false.
    public func channelPage(channelID: String, userID: Int64) async throws(StoreError) -> ItemPage {
        try await channelPage(channelID: channelID, userID: userID, before: nil, limit: 30, unreadOnly: false)
    }
    /// `unreadItems` with before = nil.
    public func unreadItems(userID: Int64, limit: Int) async throws(StoreError) -> ItemPage {
        try await unreadItems(userID: userID, before: nil, limit: limit)
    }
    /// `unreadItems` with limit = 30.
    public func unreadItems(userID: Int64, before: PageCursor?) async throws(StoreError) -> ItemPage {
        try await unreadItems(userID: userID, before: before, limit: 30)
    }
    /// `unreadItems` with before = nil, limit = 30.
    public func unreadItems(userID: Int64) async throws(StoreError) -> ItemPage {
        try await unreadItems(userID: userID, before: nil, limit: 30)
    }
    /// `starredItems` with before = nil.
    public func starredItems(userID: Int64, limit: Int) async throws(StoreError) -> ItemPage {
        try await starredItems(userID: userID, before: nil, limit: limit)
    }
    /// `starredItems` with limit = 30.
    public func starredItems(userID: Int64, before: PageCursor?) async throws(StoreError) -> ItemPage {
        try await starredItems(userID: userID, before: before, limit: 30)
    }
    /// `starredItems` with before = nil, limit = 30.
    public func starredItems(userID: Int64) async throws(StoreError) -> ItemPage {
        try await starredItems(userID: userID, before: nil, limit: 30)
    }
    /// `item` with channelID = nil.
    public func item(id: Int64, userID: Int64) async throws(StoreError) -> ItemDetail {
        try await item(id: id, userID: userID, channelID: nil)
    }
    /// `star` with at = Date().
    @discardableResult
    public func star(itemID: Int64, userID: Int64) async throws(StoreError) -> Bool {
        try await star(itemID: itemID, userID: userID, at: Date())
    }
    /// `markAllRead` with olderThan = nil.
    @discardableResult
    public func markAllRead(channelID: String?, userID: Int64) async throws(StoreError) -> Int {
        try await markAllRead(channelID: channelID, userID: userID, olderThan: nil)
    }
}

public import Foundation
public import KiosqueModel

/// Pictures of items and the agents' picture preference.
/// Implemented by `AppDatabase` (SQLite) and the PostgreSQL store; see notes/store-contract.md.
public protocol MediaStore: Sendable {
    /// Whether the agent chose text-only lists.
    func hidesPictures(userID: Int64) async throws(StoreError) -> Bool
    /// Records the agent's choice to hide (or show) pictures in lists.
    func setHidePictures(userID: Int64, hide: Bool) async throws(StoreError)
    /// Addresses of the newest items' pictures (for prefetching right after ingest), newest first.
    func recentPictureURLs(limit: Int) async throws(StoreError) -> [String]
}

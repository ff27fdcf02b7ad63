@_exported public import KiosqueStoreContract

// The SQLite store implements the whole store contract: each method already exists on AppDatabase.
extension AppDatabase: StoreCore {
    /// The database file.
    public var location: String { path }
}
extension AppDatabase: CatalogStore {}
extension AppDatabase: IngestStore {}
extension AppDatabase: ReadsStore {}
extension AppDatabase: PeopleStore {}
extension AppDatabase: SessionDataStore {}
extension AppDatabase: DocumentStore {}
extension AppDatabase: MailStore {}
extension AppDatabase: AnnouncementStore {}
extension AppDatabase: MediaStore {}
extension AppDatabase: OperationsStore {}
extension AppDatabase: SearchStore {}

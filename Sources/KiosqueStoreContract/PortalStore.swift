/// Everything the portal asks of its store: what the web front, the refresh pipeline, documents,
/// mail and the commands hold (`any PortalStore`). Components that need less take a narrower protocol.
/// `AppDatabase` (KiosqueStore, SQLite) and the PostgreSQL store implement all of it.
public typealias PortalStore = StoreCore & CatalogStore & IngestStore & ReadsStore & PeopleStore & SessionDataStore
    & DocumentStore & MailStore & AnnouncementStore & MediaStore & OperationsStore & SearchStore

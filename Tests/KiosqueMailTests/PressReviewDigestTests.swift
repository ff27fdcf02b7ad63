import Foundation
import KiosqueModel
@testable import KiosqueMail
@testable import KiosqueStore
import Testing

/// The press review has a section of its own in the digests of its audience, and a department's
/// news channel is listed with the channels, not under "new documents" (issue 17).
/// Communication publishes; Denis is in IT (dsi), Olga in no department (both with an address).
struct NewsMailTown {
    static let created = MailTown.now.addingTimeInterval(-10 * 86_400)
    let db: AppDatabase
    let writer: UserAccount
    let member: UserAccount
    let outsider: UserAccount

    static func make() async throws -> NewsMailTown {
        let db = try AppDatabase.temporary()
        var catalog = MailTown.catalog
        catalog.departments = [DepartmentDefinition(id: "communication", title: "Communication", publisher: true),
                               DepartmentDefinition(id: "dsi", title: "Informatique")]
        try await db.syncCatalog(catalog, now: MailTown.now.addingTimeInterval(-30 * 86_400))
        let writer = try await db.createUser(NewUser(login: "claire", name: "Claire"), at: created)
        try await db.setMembership(userID: writer.id, departmentID: "communication", isEditor: false)
        let member = try await db.createUser(NewUser(login: "denis", name: "Denis", email: "denis@ville.example"), at: created)
        try await db.setMembership(userID: member.id, departmentID: "dsi", isEditor: false)
        let outsider = try await db.createUser(NewUser(login: "olga", name: "Olga", email: "olga@ville.example"), at: created)
        return NewsMailTown(db: db, writer: writer, member: member, outsider: outsider)
    }

    /// A daily digest recipient whose last digest covered up to a day ago.
    func recipient(_ account: UserAccount) -> DigestRecipient {
        DigestRecipient(userID: account.id, login: account.login, name: account.name, email: account.email ?? "", language: "fr",
                        frequency: "daily", coveredUntil: MailTown.now.addingTimeInterval(-86_400), createdAt: Self.created,
                        hasPendingDigest: false)
    }
}

@Suite("Press reviews and news channels in digests")
struct PressReviewDigestTests {
    @Test("a review published during the period has its own section for its audience; news channels are news")
    func pressReviewSection() async throws {
        let town = try await NewsMailTown.make()
        let (db, writer, member, outsider) = (town.db, town.writer, town.member, town.outsider)
        let recipient = town.recipient
        func publish(_ title: String, category: String?, audience: AnnouncementAudience, hoursAgo: Double) async throws -> Announcement {
            let at = MailTown.now.addingTimeInterval(-hoursAgo * 3_600)
            return try await db.createAnnouncement(
                departmentID: "communication",
                content: AnnouncementContent(title: title, bodyMarkdown: "Texte", bodyHTML: "<p>Texte</p>", bodyText: "Texte",
                                             category: category, audience: audience, publishAt: at),
                by: DocumentViewer(userID: writer.id, isAdmin: false), now: at)
        }
        let review = try await publish("Revue de presse du <3 décembre>", category: "Revue de presse", audience: .everyone, hoursAgo: 2)
        let targeted = try await publish("Revue de presse DSI", category: "Revue de presse", audience: .init(departments: ["dsi"]), hoursAgo: 3)
        _ = try await publish("Ancienne revue", category: "Revue de presse", audience: .everyone, hoursAgo: 48)
        _ = try await publish("Vœux du maire", category: nil, audience: .everyone, hoursAgo: 1)
        for account in [member, outsider] {
            _ = try await db.subscribe(userID: account.id, bouquetID: AnnouncementSchema.bouquetKey, at: MailTown.now)
        }
        let composer = DigestComposer(store: db)
        let digestWriter = DigestWriter(settings: try MailTown.settings(url: "smtp://127.0.0.1:1"), signer: MailTown.signer)

        let forMember = try await composer.content(for: recipient(member), until: MailTown.now)
        #expect(forMember.pressReviews.map(\.id) == [targeted.id, review.id], "oldest first, only this period's")
        #expect(forMember.channels.map(\.channel.key) == ["news-communication"], "the news channel is news")
        #expect(forMember.documents.isEmpty)
        let text = digestWriter.text(forMember)
        #expect(text.contains("REVUE DE PRESSE\n- Revue de presse DSI [Communication] <https://intranet.ville.example/annonces/\(targeted.id)>\n"))
        #expect(!text.contains("Nouveaux documents"))
        let html = digestWriter.html(forMember)
        #expect(html.contains("Revue de presse du &lt;3 décembre&gt;"))
        #expect(html.contains("href=\"https://intranet.ville.example/annonces/\(review.id)\""))

        let forOutsider = try await composer.content(for: recipient(outsider), until: MailTown.now)
        #expect(forOutsider.pressReviews.map(\.id) == [review.id], "a targeted review never reaches outsiders")
        #expect(!digestWriter.text(forOutsider).contains("Revue de presse DSI"))
        #expect(!digestWriter.html(forOutsider).contains("Revue de presse DSI"))
    }
}

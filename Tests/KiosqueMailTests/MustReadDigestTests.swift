import Foundation
import KiosqueModel
@testable import KiosqueMail
@testable import KiosqueStore
import Testing

/// Must-read announcements are recalled in the digest of each agent of their audience until that
/// agent confirms them; no one outside the audience ever sees them there (issue 17).
@Suite("Must-read reminders in digests")
struct MustReadDigestTests {
    @Test("the audience gets the reminder until confirming, the others never")
    func reminders() async throws {
        let town = try await NewsMailTown.make()
        let (db, writer, member, outsider) = (town.db, town.writer, town.member, town.outsider)
        let recipient = town.recipient
        let note = try await db.createAnnouncement(
            departmentID: "communication",
            content: AnnouncementContent(title: "Charte <informatique> & messagerie", summary: "À lire", bodyMarkdown: "Texte",
                                         bodyHTML: "<p>Texte</p>", bodyText: "Texte", audience: .init(departments: ["dsi"]),
                                         publishAt: MailTown.now.addingTimeInterval(-7_200), mustRead: true),
            by: DocumentViewer(userID: writer.id, isAdmin: false), now: MailTown.now.addingTimeInterval(-7_200))

        let composer = DigestComposer(store: db)
        let digestWriter = DigestWriter(settings: try MailTown.settings(url: "smtp://127.0.0.1:1"), signer: MailTown.signer)

        let forMember = try await composer.content(for: recipient(member), until: MailTown.now)
        #expect(forMember.mustRead.map(\.id) == [note.id])
        #expect(!forMember.isEmpty, "a reminder alone is worth a message")
        let text = digestWriter.text(forMember)
        #expect(text.contains("À LIRE ET À CONFIRMER"))
        #expect(text.contains("https://intranet.ville.example/annonces/\(note.id)"))
        let html = digestWriter.html(forMember)
        #expect(html.contains("Charte &lt;informatique&gt; &amp; messagerie"), "escaped in the HTML part")
        #expect(html.contains("href=\"https://intranet.ville.example/annonces/\(note.id)\""))

        let forOutsider = try await composer.content(for: recipient(outsider), until: MailTown.now)
        #expect(forOutsider.mustRead.isEmpty)
        #expect(forOutsider.isEmpty)
        #expect(!digestWriter.text(forOutsider).contains("Charte"))

        // Not yet published at the period's end: no reminder.
        let early = try await composer.content(for: recipient(member), until: MailTown.now.addingTimeInterval(-7_201))
        #expect(early.mustRead.isEmpty)

        _ = try await db.acknowledgeAnnouncement(id: note.id, viewer: DocumentViewer(userID: member.id, isAdmin: false), now: MailTown.now)
        let after = try await composer.content(for: recipient(member), until: MailTown.now.addingTimeInterval(60))
        #expect(after.mustRead.isEmpty, "confirmed: no more reminders")
    }
}

public import Foundation
public import KiosqueStoreContract

/// What one agent's digest holds: the followed channels with news, then the followed services'
/// new documents, over the period from `since` to `until`.
public struct DigestContent: Sendable {
    /// One channel with its new items.
    public struct Section: Sendable {
        /// The channel.
        public var channel: DigestChannel
        /// How many items are new, and the most recent of them.
        public var news: DigestChannelNews
    }

    /// The agent.
    public var recipient: DigestRecipient
    /// Start of the period (exclusive).
    public var since: Date
    /// End of the period (inclusive): the next digest starts here.
    public var until: Date
    /// Channels of news with something new.
    public var channels: [Section]
    /// Departments' document channels with something new.
    public var documents: [Section]
    /// Must-read announcements of the agent's audience not yet confirmed: recalled in every digest
    /// until the agent confirms them (issue 17), first in the message.
    public var mustRead: [MustReadReminder] = []
    /// Press reviews published for the agent during the period (announcements of category "Revue
    /// de presse" of their audience): a section of their own, after the reminders (issue 17).
    public var pressReviews: [MustReadReminder] = []

    /// One announcement linked from the digest (an unconfirmed must-read, a press review).
    public struct MustReadReminder: Sendable, Hashable {
        /// The announcement's public id (its page is /annonces/<id>).
        public var id: String
        /// Title.
        public var title: String
        /// The publishing department's title.
        public var department: String
    }

    /// Nothing new and nothing to confirm: no message is sent.
    public var isEmpty: Bool { channels.isEmpty && documents.isEmpty && mustRead.isEmpty && pressReviews.isEmpty }

    /// New items in all.
    public var itemCount: Int { (channels + documents).reduce(0) { $0 + $1.news.count } }
}

/// The words of a digest, or of a channel's alert, in French and English (the agent's language).
struct DigestStrings {
    let french: Bool
    /// The title of the channel whose alert this is; nil for a digest.
    let alertChannel: String?

    init(language: String, alertChannel: String? = nil) {
        french = language != "en"
        self.alertChannel = alertChannel
    }

    /// The strings of `content`: an alert when its recipient's frequency is "alert".
    init(_ content: DigestContent) {
        self.init(language: content.recipient.language,
                  alertChannel: content.recipient.frequency == "alert" ? content.channels.first?.channel.title ?? "" : nil)
    }

    func subject(portal: String, frequency: String, count: Int) -> String {
        var kind = frequency == "weekly" ? (french ? "Résumé de la semaine" : "Weekly digest") : (french ? "Résumé du jour" : "Daily digest")
        if let alertChannel { kind = (french ? "Alerte " : "Alert ") + alertChannel }
        let news = french ? (count == 1 ? "1 nouveauté" : "\(count) nouveautés") : (count == 1 ? "1 new item" : "\(count) new items")
        return "\(portal) — \(kind) : \(news)".replacingOccurrences(of: " : ", with: french ? " : " : ": ")
    }
    func greeting(_ name: String) -> String { french ? "Bonjour \(name)," : "Hello \(name)," }
    var intro: String {
        if alertChannel != nil { return french ? "Nouveautés dans ce canal depuis la dernière alerte :" : "New in this channel since the last alert:" }
        return french ? "Voici les nouveautés de vos canaux depuis votre dernier résumé." : "Here is what is new in your channels since your last digest."
    }
    var documentsHeading: String { french ? "Nouveaux documents de vos services" : "New documents from your services" }
    var mustReadHeading: String { french ? "À lire et à confirmer" : "To read and confirm" }
    var pressReviewHeading: String { french ? "Revue de presse" : "Press review" }
    var mustReadIntro: String {
        french ? "Ces annonces vous demandent de confirmer que vous en avez pris connaissance :"
            : "These announcements ask you to confirm you have read them:"
    }
    func unread(_ n: Int) -> String { french ? (n == 1 ? "1 non lu" : "\(n) non lus") : "\(n) unread" }
    func more(_ n: Int) -> String { french ? (n == 1 ? "et 1 autre" : "et \(n) autres") : (n == 1 ? "and 1 more" : "and \(n) more") }
    var seeAll: String { french ? "Tout voir" : "See all" }
    var preferences: String {
        if alertChannel != nil { return french ? "Choisir mes alertes" : "Choose my alerts" }
        return french ? "Choisir la fréquence de ce résumé" : "Choose how often you get this digest"
    }
    var unsubscribe: String {
        if alertChannel != nil { return french ? "Ne plus recevoir les alertes de ce canal" : "Stop the alerts of this channel" }
        return french ? "Ne plus recevoir ce résumé" : "Stop receiving this digest"
    }
    var why: String {
        if alertChannel != nil {
            return french ? "Vous recevez ce message parce que vous avez demandé les alertes de ce canal."
                : "You receive this message because you asked for this channel's alerts."
        }
        return french ? "Vous recevez ce message parce que vous avez demandé un résumé par courriel."
            : "You receive this message because you asked for an e-mail digest."
    }
    var language: String { french ? "fr" : "en" }

    func date(_ date: Date, timeZone: TimeZone) -> String {
        var style = Date.FormatStyle(date: .long, time: .omitted).locale(Locale(identifier: french ? "fr_FR" : "en_GB"))
        style.timeZone = timeZone
        return date.formatted(style)
    }
}

extension DigestRecipient {
    /// `account` as the recipient of a preview: one whole period back, whatever its digest state
    /// and however new the account (a new agent sees what the digest will look like).
    public init(previewing account: UserAccount) {
        self.init(userID: account.id, login: account.login, name: account.name, email: account.email ?? "",
                  language: account.language, frequency: account.digestFrequency == "weekly" ? "weekly" : "daily",
                  coveredUntil: nil, createdAt: .distantPast, hasPendingDigest: false)
    }
}

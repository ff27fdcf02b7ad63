public import Foundation

extension PortalConfiguration {
    /// The `mail:` section: digests and alerts sent through the organisation's relay (issue 15).
    public struct Mail: Sendable, Hashable {
        /// `smtp://host:port` or `smtps://host:port`; nil means no mail is sent at all.
        public var smtpURL: String?
        /// The sender, "Name <address>".
        public var from = "Intranet <intranet@localhost>"
        /// The environment variable holding the SMTP user, if the relay wants one.
        public var userEnvironment: String?
        /// The environment variable holding the SMTP password.
        public var passwordEnvironment: String?
        /// `required`, `opportunistic` or `off`.
        public var startTLS = "required"
        /// A PEM file of certificate authorities trusted for the relay (relative paths from the file).
        public var caFile: String?
        /// Connection timeout towards the relay.
        public var connectTimeout: TimeInterval = 10
        /// Whole-message timeout.
        public var timeout: TimeInterval = 60
        /// The digest frequency of new accounts: `never`, `daily` or `weekly`.
        public var defaultDigest = "never"
        /// Local time digests are sent at, hours and minutes.
        public var digestHour = 7
        /// Minutes past `digestHour`.
        public var digestMinute = 30
        /// The day weekly digests are sent, 1 = Sunday … 7 = Saturday (Calendar's numbering).
        public var weeklyDay = 2
        /// The time zone of `digest_time` and `weekly_day`.
        public var timeZone = "Europe/Paris"
        /// Messages handed to the relay per minute at most.
        public var maxPerMinute = 600
        /// At most one alert message per channel and agent within this time.
        public var alertMinInterval: TimeInterval = 15 * 60
        /// Whether message parts may go as UTF-8 8bit (RFC 6152) when the relay announces 8BITMIME
        /// (Postfix, Exim and Exchange do); by default quoted-printable, which every relay carries.
        public var eightBit = false
        public init() {}

        /// Whether mail is configured at all.
        public var isEnabled: Bool { smtpURL != nil }
    }
}

/// The week days as channels.yml spells them, in Calendar's order (1 = Sunday).
enum WeekDays {
    static let english = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]
    static let french = ["dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"]

    /// 1…7 for an English or French day name, nil otherwise.
    static func number(_ name: String) -> Int? {
        let lowered = name.lowercased()
        return (english.firstIndex(of: lowered) ?? french.firstIndex(of: lowered)).map { $0 + 1 }
    }
}

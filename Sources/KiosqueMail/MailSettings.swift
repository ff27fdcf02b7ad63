public import Foundation
public import KiosqueConfig

/// What composing and sending need from channels.yml's `portal:` and `mail:` sections, with the
/// secrets read from the environment once.
public struct MailSettings: Sendable, Hashable {
    /// The sender.
    public var from: MailAddress
    /// How to reach the relay.
    public var smtp: SMTPSettings
    /// The portal's public address, without a trailing slash (links in messages).
    public var baseURL: String
    /// The portal's name (message titles).
    public var portalTitle: String
    /// The `mail:` section itself (schedule, limits).
    public var mail: PortalConfiguration.Mail
    /// The keys of the channels marked `alerts: true`, whose agents may opt in to immediate alerts.
    public var alertChannels: [String]
    /// How far behind the clock `kiosque serve`'s digests and alerts end. Items are stamped with
    /// the time their fetch started and stored up to a fetch timeout (plus parsing and the
    /// writer's queue) later: a period ending closer to now could close before they are stored,
    /// and they would belong to no message.
    public var settleDelay: TimeInterval

    /// Settings from a validated configuration; nil when mail is not configured. Relative CA
    /// paths are taken from the configuration file's folder.
    public init?(_ configuration: PortalConfiguration, environment: [String: String] = ProcessInfo.processInfo.environment) {
        let mail = configuration.mail
        guard let url = mail.smtpURL else { return nil }
        self.mail = mail
        from = MailAddress(parsing: mail.from) ?? MailAddress(address: "intranet@localhost")
        var caFile = mail.caFile
        if let path = caFile, !path.hasPrefix("/") {
            caFile = ((configuration.filePath as NSString).deletingLastPathComponent as NSString).appendingPathComponent(path)
        }
        smtp = SMTPSettings(url: url, startTLS: StartTLSMode(rawValue: mail.startTLS) ?? .required,
                            user: mail.userEnvironment.flatMap { environment[$0] },
                            password: mail.passwordEnvironment.flatMap { environment[$0] },
                            caFile: caFile, connectTimeout: mail.connectTimeout, timeout: mail.timeout)
        baseURL = configuration.portal.baseURL.hasSuffix("/") ? String(configuration.portal.baseURL.dropLast()) : configuration.portal.baseURL
        portalTitle = configuration.portal.title
        alertChannels = configuration.catalog.channels.filter(\.alerts).map(\.id)
        settleDelay = 2 * configuration.fetch.timeout + 30
    }

    /// An absolute link to a portal path ("/canaux/securite").
    public func link(_ path: String) -> String { baseURL + path }
}

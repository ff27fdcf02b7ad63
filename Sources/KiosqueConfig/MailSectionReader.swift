import Foundation
import Yams

/// Reads the `mail:` section. Secrets are named (environment variables), never written here.
struct MailSectionReader {
    let reader: NodeReader
    /// The process environment, to warn about variables that are named but not set.
    var environment: [String: String] = ProcessInfo.processInfo.environment

    static let keys = ["smtp_url", "from", "user_env", "password_env", "starttls", "ca_file", "connect_timeout", "timeout",
                       "default_digest", "digest_time", "weekly_day", "time_zone", "max_per_minute", "alert_min_interval",
                       "eight_bit"]

    func read(_ node: Node, into m: inout PortalConfiguration.Mail) {
        guard let f = reader.fields(node, in: "mail", allowed: Self.keys) else { return }
        if let v = f["smtp_url"], let s = reader.nonEmptyString(v, field: "mail.smtp_url") {
            let components = URLComponents(string: s)
            if let scheme = components?.scheme?.lowercased(), ["smtp", "smtps"].contains(scheme), let host = components?.host, !host.isEmpty {
                if components?.password != nil || components?.user != nil {
                    reader.error(v, "`mail.smtp_url` must not contain a user or password: use `user_env` and `password_env`")
                } else {
                    m.smtpURL = s
                }
            } else {
                reader.error(v, "`mail.smtp_url` must be an address such as smtp://relais.ville.local:25 or smtps://relais.ville.local:465, found `\(s)`")
            }
        }
        if let v = f["from"], let s = reader.nonEmptyString(v, field: "mail.from") {
            if Self.plausibleMailbox(s) { m.from = s } else {
                reader.error(v, "`mail.from` must be an address such as \"Intranet de la Ville <intranet@ville.example>\", found `\(s)`")
            }
        }
        m.userEnvironment = environmentName(f, "user_env")
        m.passwordEnvironment = environmentName(f, "password_env")
        if m.passwordEnvironment != nil && m.userEnvironment == nil {
            reader.error(f.values["password_env"]?.key, "`mail.password_env` needs `mail.user_env` (the relay's user name)")
        }
        if let v = f["starttls"], let s = reader.nonEmptyString(v, field: "mail.starttls") {
            if ["required", "opportunistic", "off"].contains(s) { m.startTLS = s } else {
                reader.error(v, "`mail.starttls` must be required, opportunistic or off, found `\(s)`")
            }
        }
        if m.startTLS == "off", m.userEnvironment != nil, m.smtpURL?.lowercased().hasPrefix("smtp://") == true {
            reader.warning(f.values["starttls"]?.key, "`mail.starttls: off` with a user: the password would cross the network in clear text")
        }
        if let v = f["ca_file"] { m.caFile = reader.nonEmptyString(v, field: "mail.ca_file") }
        if let v = f["connect_timeout"], let d = reader.duration(v, field: "mail.connect_timeout") { m.connectTimeout = d }
        if let v = f["timeout"], let d = reader.duration(v, field: "mail.timeout") { m.timeout = d }
        if let v = f["default_digest"], let s = reader.nonEmptyString(v, field: "mail.default_digest") {
            if ["never", "daily", "weekly"].contains(s) { m.defaultDigest = s } else {
                reader.error(v, "`mail.default_digest` must be never, daily or weekly, found `\(s)`")
            }
        }
        if let v = f["digest_time"], let s = reader.nonEmptyString(v, field: "mail.digest_time") {
            if let (hour, minute) = Self.clockTime(s) { (m.digestHour, m.digestMinute) = (hour, minute) } else {
                reader.error(v, "`mail.digest_time` must be a time of day such as \"07:30\", found `\(s)`")
            }
        }
        if let v = f["weekly_day"], let s = reader.nonEmptyString(v, field: "mail.weekly_day") {
            if let day = WeekDays.number(s) { m.weeklyDay = day } else {
                reader.error(v, "`mail.weekly_day` must be a day such as monday (or lundi), found `\(s)`")
            }
        }
        if let v = f["time_zone"], let s = reader.nonEmptyString(v, field: "mail.time_zone") {
            if TimeZone(identifier: s) != nil { m.timeZone = s } else {
                reader.error(v, "`mail.time_zone` must be a time zone such as Europe/Paris, found `\(s)`")
            }
        }
        if let v = f["max_per_minute"], let i = reader.int(v, field: "mail.max_per_minute", range: 1...100_000) { m.maxPerMinute = i }
        if let v = f["alert_min_interval"], let d = reader.duration(v, field: "mail.alert_min_interval", minimum: 60) { m.alertMinInterval = d }
        if let v = f["eight_bit"], let b = reader.bool(v, field: "mail.eight_bit") { m.eightBit = b }
        if m.smtpURL == nil && f["smtp_url"] == nil {
            reader.error(node, "the `mail` section needs `smtp_url` (the relay, e.g. smtp://relais.ville.local:25)")
        }
    }

    /// An environment variable's name; a warning when it is not set where `kiosque check` runs.
    private func environmentName(_ f: Fields, _ key: String) -> String? {
        guard let v = f[key], let name = reader.nonEmptyString(v, field: "mail.\(key)") else { return nil }
        guard name.range(of: "^[A-Za-z_][A-Za-z0-9_]*$", options: .regularExpression) != nil else {
            reader.error(v, "`mail.\(key)` must name an environment variable such as KIOSQUE_SMTP_USER, found `\(name)`")
            return nil
        }
        if environment[name] == nil {
            reader.warning(v, "`mail.\(key)`: the environment variable \(name) is not set here; the relay will refuse to authenticate without it")
        }
        return name
    }

    /// "07:30" → (7, 30).
    static func clockTime(_ text: String) -> (Int, Int)? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count <= 2, parts[1].count == 2, let hour = Int(parts[0]), let minute = Int(parts[1]),
              (0...23).contains(hour), (0...59).contains(minute) else { return nil }
        return (hour, minute)
    }

    /// "Name <a@b.c>" or "a@b.c", with one @ and no spaces in the address.
    static func plausibleMailbox(_ text: String) -> Bool {
        var address = text
        if let open = text.lastIndex(of: "<"), text.hasSuffix(">") {
            address = String(text[text.index(after: open)..<text.index(before: text.endIndex)])
        }
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return false }
        return !address.contains { " <>\"".contains($0) }
    }
}

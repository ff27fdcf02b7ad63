import Foundation
import KiosqueConfig
import Testing

/// The `mail:` section of channels.yml (issue 15) and `alerts: true` on channels.
@Suite("Mail configuration")
struct MailConfigTests {
    @Test func contractExampleIsRead() throws {
        let yaml = """
        mail:
          smtp_url: "smtp://relais.ville.local:25"
          from: "Intranet de la Ville <intranet@ville.example>"
          starttls: required
          default_digest: never
          digest_time: "07:30"
          weekly_day: monday
          max_per_minute: 600
          eight_bit: true
        """ + "\n" + validBase.replacingOccurrences(of: "sources: [cert-fr] }", with: "sources: [cert-fr], alerts: true }")
        let (config, warnings) = try ConfigLoader.parse(yaml)
        #expect(warnings.isEmpty)
        #expect(config.mail.smtpURL == "smtp://relais.ville.local:25")
        #expect(config.mail.from == "Intranet de la Ville <intranet@ville.example>")
        #expect(config.mail.startTLS == "required")
        #expect(config.mail.digestHour == 7 && config.mail.digestMinute == 30)
        #expect(config.mail.weeklyDay == 2)
        #expect(config.mail.maxPerMinute == 600)
        #expect(config.mail.timeZone == "Europe/Paris")
        #expect(config.mail.eightBit)
        #expect(config.catalog.channels[0].alerts)
    }

    @Test func withoutMailSectionNothingIsSent() throws {
        let (config, _) = try ConfigLoader.parse(validBase)
        #expect(!config.mail.isEnabled)
        #expect(!config.mail.eightBit)
        #expect(!config.catalog.channels[0].alerts)
    }

    @Test(arguments: [
        ("mail:\n  smtp_url: \"http://relais.local\"\n", 2, 13, "`mail.smtp_url` must be an address such as smtp://"),
        ("mail:\n  smtp_url: \"smtp://u:p@relais.local\"\n", 2, 13, "must not contain a user or password"),
        ("mail:\n  smtp_url: \"smtp://relais.local\"\n  startls: required\n", 3, 3, "unknown key `startls` (did you mean `starttls`?)"),
        ("mail:\n  smtp_url: \"smtp://relais.local\"\n  starttls: maybe\n", 3, 13, "`mail.starttls` must be required, opportunistic or off"),
        ("mail:\n  smtp_url: \"smtp://relais.local\"\n  digest_time: \"7h\"\n", 3, 16, "`mail.digest_time` must be a time of day"),
        ("mail:\n  smtp_url: \"smtp://relais.local\"\n  weekly_day: someday\n", 3, 15, "`mail.weekly_day` must be a day"),
        ("mail:\n  smtp_url: \"smtp://relais.local\"\n  default_digest: hourly\n", 3, 19, "`mail.default_digest` must be never, daily or weekly"),
        ("mail:\n  smtp_url: \"smtp://relais.local\"\n  from: \"nobody\"\n", 3, 9, "`mail.from` must be an address"),
        ("mail:\n  smtp_url: \"smtp://relais.local\"\n  time_zone: Mars/Olympus\n", 3, 14, "`mail.time_zone` must be a time zone"),
        ("mail:\n  smtp_url: \"smtp://relais.local\"\n  eight_bit: sometimes\n", 3, 14, "mail.eight_bit"),
        ("mail:\n  from: \"a@b.example\"\n", 2, 3, "the `mail` section needs `smtp_url`"),
    ])
    func brokenMailSectionsPointAtTheField(yaml: String, line: Int, column: Int, message: String) throws {
        expectConfigError(yaml + validBase, containing: message, line: line, column: column)
    }

    @Test func unsetEnvironmentVariableIsAWarning() throws {
        let yaml = "mail:\n  smtp_url: \"smtp://relais.local\"\n  user_env: KIOSQUE_TEST_UNSET_SMTP_USER\n" + validBase
        let (config, warnings) = try ConfigLoader.parse(yaml)
        #expect(config.mail.userEnvironment == "KIOSQUE_TEST_UNSET_SMTP_USER")
        #expect(warnings.contains { $0.message.contains("KIOSQUE_TEST_UNSET_SMTP_USER is not set") && $0.location?.line == 3 })
    }

    @Test func alertsMustBeABoolean() throws {
        let yaml = validBase.replacingOccurrences(of: "sources: [cert-fr] }", with: "sources: [cert-fr], alerts: often }")
        #expect(throws: ConfigError.self) { try ConfigLoader.parse(yaml) }
    }
}

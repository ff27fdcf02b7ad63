import ArgumentParser
import Foundation
import KiosqueConfig
import KiosqueMail
import KiosqueStore

/// `kiosque digest`: send the e-mail digests now, or show one agent's.
struct DigestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "digest",
        abstract: "Send the e-mail digests now (--send-now) or print an agent's digest (--preview LOGIN).",
        discussion: """
        --send-now records, whatever the hour or the day, the digest of every agent who chose daily or weekly
        (or of --user), covering what is new since that agent's last digest, then hands everything waiting in
        the outbox to the relay: one line per message. Nothing new, nothing sent.
        """
    )

    @OptionGroup var locations: LocationOptions
    @Flag(name: .customLong("send-now"), help: "Compose and send the digests now.") var sendNow = false
    @Option(help: ArgumentHelp("Only this agent (with --send-now).", valueName: "login")) var user: String?
    @Option(help: ArgumentHelp("Print the plain-text digest this agent would get now; nothing is sent or recorded.", valueName: "login"))
    var preview: String?

    func validate() throws {
        if sendNow == (preview != nil) { throw ValidationError("give either --send-now or --preview LOGIN") }
        if user != nil && !sendNow { throw ValidationError("--user goes with --send-now") }
    }

    func run() async throws {
        let (services, mail) = try await MailServices.open(locations)
        if let preview {
            guard let account = try await services.store.user(login: preview) else { throw CLIFailure.user("no account `\(preview)`") }
            let content = try await mail.composer.content(for: DigestRecipient(previewing: account), until: await DigestRun.closedSecond(Date()))
            if content.isEmpty { print("(nothing new for \(preview): no digest would be sent)") } else { print(mail.writer.text(content)) }
            return
        }
        if let user, try await services.store.user(login: user) == nil { throw CLIFailure.user("no account `\(user)`") }
        let run = DigestRun(store: services.store, composer: mail.composer, writer: mail.writer)
        let user = user
        // The relay takes the first digests while the last are being composed.
        let tally = try await mail.delivery().deliver(alongside: { () async throws(StoreError) in
            try await run.enqueue(frequencies: ["daily", "weekly"], login: user, report: { line in
                if let skipped = line.skipped { print("\(line.login): no digest (\(skipped))") }
            })
        }, ignoringBackoff: true) { report in
            print("\(report.recipient) <\(report.messageID)>: \(report.outcome.summary)")
        }
        print("\(tally["sent"] ?? 0) sent, \(tally["deferred"] ?? 0) deferred, \(tally["bounced"] ?? 0) refused")
        if (tally["deferred"] ?? 0) > 0 { throw CLIFailure.user("some messages were not delivered; they stay in the outbox for the next run") }
    }
}

/// `kiosque mail test ADDRESS`: one message straight to the relay, to check the `mail:` section.
struct MailCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "mail", abstract: "E-mail tools.", subcommands: [Test.self])

    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "test", abstract: "Send one message and print the relay's answer.")
        @OptionGroup var locations: LocationOptions
        @Argument(help: "The recipient.") var address: String

        func run() async throws {
            guard MailAddress.isValid(address) else { throw CLIFailure.user("`\(address)` is not an e-mail address") }
            let configuration = try locations.loadConfiguration(printWarnings: true)
            guard let settings = MailSettings(configuration) else {
                throw CLIFailure.user("\(configuration.filePath) has no `mail:` section with `smtp_url`")
            }
            let now = Date()
            let french = configuration.portal.language != "en"
            let message = MailMessage(
                from: settings.from, to: MailAddress(address: address),
                subject: french ? "\(settings.portalTitle) — message d’essai" : "\(settings.portalTitle) — test message",
                messageID: "kiosque.test.\(Int(now.timeIntervalSince1970)).\(UUID().uuidString.lowercased())@\(settings.from.domain)",
                date: now,
                text: french ? "Ce message vérifie que \(settings.portalTitle) peut envoyer du courriel par \(settings.smtp.url)."
                    : "This message checks that \(settings.portalTitle) can send mail through \(settings.smtp.url).",
                eightBit: settings.mail.eightBit)
            let outcome = await SMTPSender(settings: settings.smtp).send(message.rendered(), from: settings.from.address, to: address)
            print("\(address): \(outcome.summary)")
            if case .accepted = outcome { return }
            throw CLIFailure.user("the relay did not accept the message")
        }
    }
}

/// The mail pieces the commands share, built from the configuration.
struct MailServices {
    let settings: MailSettings
    let composer: DigestComposer
    let writer: DigestWriter
    let store: any PortalStore

    /// Opens the store and the mail settings; a configuration without `mail:` is a user error.
    static func open(_ locations: LocationOptions) async throws -> (Services, MailServices) {
        let configuration = try locations.loadConfiguration(printWarnings: true)
        guard let settings = MailSettings(configuration) else {
            throw CLIFailure.user("\(configuration.filePath) has no `mail:` section with `smtp_url`: no mail can be sent")
        }
        let services = try await Services.open(locations, configuration: configuration)
        let signer = try Services.mailSigner(locations)
        let mail = MailServices(settings: settings, composer: DigestComposer(store: services.store),
                                writer: DigestWriter(settings: settings, signer: signer), store: services.store)
        return (services, mail)
    }

    func delivery() -> MailDelivery {
        MailDelivery(store: store, sender: SMTPSender(settings: settings.smtp), maxPerMinute: settings.mail.maxPerMinute)
    }
}

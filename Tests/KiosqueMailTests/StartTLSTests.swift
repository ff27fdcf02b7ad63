import Foundation
import KiosqueTestServer
import Testing
@testable import KiosqueMail

/// STARTTLS against a relay with a self-signed certificate (aiosmtpd with --tlscert, which then
/// requires STARTTLS before MAIL).
@Suite("STARTTLS towards the relay", .serialized, .timeLimit(.minutes(2)))
struct StartTLSTests {
    static func message(to address: String) -> Data {
        MailMessage(from: MailAddress(name: "Intranet", address: "intranet@ville.example"), to: MailAddress(address: address),
                    subject: "Essai chiffré", messageID: "tls.\(UUID().uuidString)@ville.example", date: Date(), text: "Bonjour").rendered()
    }

    @Test func selfSignedCertificateIsRefusedUnlessItsCAIsConfigured() async throws {
        let certificate = try SelfSignedCertificate()
        let server = try SMTPTestServer(tls: (certificate.certificatePath, certificate.keyPath))

        let untrusted = SMTPSender(settings: SMTPSettings(url: server.url, startTLS: .required, timeout: 10))
        let refused = await untrusted.send(Self.message(to: "a@ville.example"), from: "intranet@ville.example", to: "a@ville.example")
        guard case .relayUnavailable = refused else { Issue.record("expected the certificate to be refused, got \(refused)"); return }

        let trusted = SMTPSender(settings: SMTPSettings(url: server.url, startTLS: .required, caFile: certificate.certificatePath, timeout: 10))
        let accepted = await trusted.send(Self.message(to: "b@ville.example"), from: "intranet@ville.example", to: "b@ville.example")
        guard case .accepted(let reply) = accepted else { Issue.record("expected delivery over STARTTLS, got \(accepted)"); return }
        #expect(reply.hasPrefix("250"))

        // Without STARTTLS this relay refuses to go on (530): a relay problem, kept for later, not a bounce.
        let plain = SMTPSender(settings: SMTPSettings(url: server.url, startTLS: .off, timeout: 10))
        let withoutTLS = await plain.send(Self.message(to: "c@ville.example"), from: "intranet@ville.example", to: "c@ville.example")
        guard case .relayUnavailable = withoutTLS else { Issue.record("expected 530 to be a relay problem, got \(withoutTLS)"); return }

        #expect(try server.messages().map(\.to) == ["b@ville.example"])
    }

    @Test func requiredStartTLSRefusesARelayWithoutIt() async throws {
        let server = try SMTPTestServer()
        let sender = SMTPSender(settings: SMTPSettings(url: server.url, startTLS: .required, timeout: 10))
        let outcome = await sender.send(Self.message(to: "a@ville.example"), from: "intranet@ville.example", to: "a@ville.example")
        guard case .relayUnavailable = outcome else { Issue.record("expected no plain-text delivery, got \(outcome)"); return }
        let opportunistic = SMTPSender(settings: SMTPSettings(url: server.url, startTLS: .opportunistic, timeout: 10))
        let sent = await opportunistic.send(Self.message(to: "b@ville.example"), from: "intranet@ville.example", to: "b@ville.example")
        guard case .accepted = sent else { Issue.record("expected opportunistic delivery, got \(sent)"); return }
        #expect(try server.messages().count == 1)
    }
}

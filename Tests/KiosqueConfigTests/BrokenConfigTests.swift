import Foundation
import KiosqueConfig
import Testing

/// A minimal valid file that each broken case changes in one place.
let validBase = """
sources:
  - { id: cert-fr, url: "https://www.cert.ssi.gouv.fr/feed/", title: "CERT-FR" }
channels:
  - { id: securite, title: "Sécurité", sources: [cert-fr] }
bouquets:
  - { id: administration, title: "Administration", channels: [securite], default: true }
"""

/// One broken configuration and the error it must produce, at its exact place.
struct BrokenCase: CustomTestStringConvertible, Sendable {
    let name: String
    let yaml: String
    let line: Int
    let column: Int
    let messageContains: String
    var testDescription: String { name }
}

let brokenCases: [BrokenCase] = [
    BrokenCase(name: "unknown top-level key with suggestion", yaml: "sourcs: []\n" + validBase, line: 1, column: 1,
               messageContains: "unknown key `sourcs` (did you mean `sources`?)"),
    BrokenCase(name: "unknown key in a source", yaml: validBase.replacingOccurrences(of: "title: \"CERT-FR\"", with: "titel: \"CERT-FR\""),
               line: 2, column: 63, messageContains: "unknown key `titel` (did you mean `title`?)"),
    BrokenCase(name: "malformed duration", yaml: "fetch: { interval: 30 minutes }\n" + validBase, line: 1, column: 20,
               messageContains: "`fetch.interval` must be a duration"),
    BrokenCase(name: "interval too short", yaml: "fetch:\n  interval: 10s\n" + validBase, line: 2, column: 13,
               messageContains: "`fetch.interval` must be at least 1m"),
    BrokenCase(name: "malformed size", yaml: "fetch:\n  max_bytes: 5 megas\n" + validBase, line: 2, column: 14,
               messageContains: "`fetch.max_bytes` must be a size"),
    BrokenCase(name: "wrong type: number expected", yaml: "fetch:\n  concurrency: many\n" + validBase, line: 2, column: 16,
               messageContains: "`fetch.concurrency` must be a whole number, found `many`"),
    BrokenCase(name: "number out of range", yaml: "fetch:\n  per_host: 0\n" + validBase, line: 2, column: 13,
               messageContains: "`fetch.per_host` must be between 1 and 64"),
    BrokenCase(name: "wrong type: bool expected", yaml: validBase.replacingOccurrences(of: "default: true", with: "default: maybe"),
               line: 6, column: 83, messageContains: "must be true or false, found `maybe`"),
    BrokenCase(name: "list expected", yaml: validBase.replacingOccurrences(of: "sources: [cert-fr]", with: "sources: cert-fr"),
               line: 4, column: 49, messageContains: "`channels[securite].sources` must be a list"),
    BrokenCase(name: "duplicate source id", yaml: validBase.replacingOccurrences(of: "channels:\n", with: "  - { id: cert-fr, url: \"https://example.org/rss\" }\nchannels:\n"),
               line: 3, column: 5, messageContains: "duplicate source id `cert-fr` (first declared at line 2)"),
    BrokenCase(name: "missing source reference", yaml: validBase.replacingOccurrences(of: "sources: [cert-fr]", with: "sources: [cert-fr, cnil]"),
               line: 4, column: 59, messageContains: "channel `securite` refers to unknown source `cnil`"),
    BrokenCase(name: "missing channel reference with suggestion", yaml: validBase.replacingOccurrences(of: "channels: [securite]", with: "channels: [securit]"),
               line: 6, column: 63, messageContains: "refers to unknown channel `securit` (did you mean `securite`?)"),
    BrokenCase(name: "malformed URL", yaml: validBase.replacingOccurrences(of: "https://www.cert.ssi.gouv.fr/feed/", with: "www.cert.ssi.gouv.fr/feed/"),
               line: 2, column: 25, messageContains: "`url` must be an http://, https:// or file:// address"),
    BrokenCase(name: "forbidden scheme", yaml: validBase.replacingOccurrences(of: "https://www.cert.ssi.gouv.fr/feed/", with: "ftp://ftp.example.org/feed"),
               line: 2, column: 25, messageContains: "found `ftp://ftp.example.org/feed`"),
    BrokenCase(name: "missing url", yaml: validBase.replacingOccurrences(of: "url: \"https://www.cert.ssi.gouv.fr/feed/\", ", with: ""),
               line: 2, column: 5, messageContains: "source `cert-fr` has no `url`"),
    BrokenCase(name: "bad id characters", yaml: validBase.replacingOccurrences(of: "id: securite,", with: "id: Sécurité,").replacingOccurrences(of: "[securite]", with: "[x]"),
               line: 4, column: 11, messageContains: "channel id `Sécurité` must use only lowercase letters"),
    BrokenCase(name: "secret written in the file", yaml: validBase.replacingOccurrences(of: "title: \"CERT-FR\"", with: "credentials: { type: basic, user: u, password: hunter2 }"),
               line: 2, column: 100, messageContains: "never write the secret itself"),
    BrokenCase(name: "proxy with password", yaml: "fetch: { proxy: \"http://u:p@proxy.local:3128\" }\n" + validBase, line: 1, column: 17,
               messageContains: "must not contain a password"),
    BrokenCase(name: "bad language", yaml: "portal: { language: de }\n" + validBase, line: 1, column: 21,
               messageContains: "`portal.language` must be `fr` or `en`"),
    BrokenCase(name: "YAML syntax error", yaml: "sources:\n  - { id: a, url: \"https://x.org\"\n" + "channels: []\n", line: 3, column: 1,
               messageContains: "YAML syntax"),
    BrokenCase(name: "sso header without trusted proxies", yaml: "auth: { user_header: Remote-User }\n" + validBase, line: 1, column: 9,
               messageContains: "`auth.user_header` needs `auth.trusted_proxies`"),
    BrokenCase(name: "missing sections", yaml: "portal: { title: X }\n", line: 1, column: 1, messageContains: "the file has no `sources` section"),
]

@Suite("Broken channels.yml files")
struct BrokenConfigTests {
    @Test(arguments: brokenCases)
    func reportsErrorWithPlace(_ broken: BrokenCase) throws {
        do {
            _ = try ConfigLoader.parse(broken.yaml, file: "test.yml")
            Issue.record("\(broken.name): the file was accepted")
        } catch {
            let match = error.errors.first { $0.message.contains(broken.messageContains) }
            #expect(match != nil, "\(broken.name): no error contains «\(broken.messageContains)»; got:\n\(error)")
            #expect(match?.location == SourceLocation(line: broken.line, column: broken.column),
                    "\(broken.name): wrong place; got:\n\(error)")
            #expect(match?.file == "test.yml")
        }
    }

    @Test func reportsAllErrorsAtOnce() throws {
        let yaml = """
        fetch: { interval: soon }
        sources:
          - { id: a, url: "gopher://old.example.org" }
        channels:
          - { id: c, title: C, sources: [a, missing] }
        bouquets:
          - { id: b, title: B, channels: [c], default: true }
        """
        do {
            _ = try ConfigLoader.parse(yaml, file: "three.yml")
            Issue.record("accepted a file with three errors")
        } catch {
            #expect(error.errors.count == 3, "\(error)")
            #expect(error.errors.map { $0.location?.line } == [1, 3, 5])
            #expect(error.description.contains("three.yml:1:20: error:"))
        }
    }

    @Test func warningsDoNotFail() throws {
        let yaml = validBase + "\n  - { id: vide, title: Vide, channels: [] }\n"
        let withOrphan = yaml.replacingOccurrences(of: "channels:\n", with: "  - { id: orphan, url: \"https://example.org/feed\" }\nchannels:\n")
        let (_, warnings) = try ConfigLoader.parse(withOrphan, file: "w.yml")
        #expect(warnings.contains { $0.message.contains("source `orphan` is in no channel") })
        #expect(warnings.contains { $0.message.contains("bouquet `vide` is empty") })
        #expect(warnings.allSatisfy { $0.severity == .warning })
    }

    @Test func missingFileIsAClearError() {
        do {
            _ = try ConfigLoader.load(path: "/nonexistent/channels.yml")
            Issue.record("a missing file was accepted")
        } catch {
            #expect(error.description == "/nonexistent/channels.yml: error: the configuration file does not exist")
        }
    }
}

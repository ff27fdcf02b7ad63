import Foundation
@testable import KiosqueDocuments
import Testing

/// Types come from the bytes; names are neutralised.
struct SniffingTests {
    @Test(arguments: [
        ("deliberation-budget.pdf", DocumentKind.pdf), ("note-de-service.odt", .odt), ("procedure-achats.docx", .docx),
        ("pixel.png", .png), ("compte-rendu.md", .md),
    ])
    func acceptedTypes(fixture: String, kind: DocumentKind) throws {
        #expect(try ContentSniffer.sniff(fileAt: try Town.fixture(fixture), name: fixture) == kind)
    }

    @Test(arguments: [
        ("fake-elf.pdf", "fake-elf.pdf", "ELF"), ("fake-pe.pdf", "fake-pe.pdf", "PE"),
        ("pixel.png", "deliberation.pdf", "the name says .pdf but the content is PNG"),
        ("deliberation-budget.pdf", "note.docx", "the name says .docx"),
        ("plain-archive.zip", "archive.zip", "not an OpenDocument"),
    ])
    func refusedTypes(fixture: String, name: String, reason: String) throws {
        do {
            _ = try ContentSniffer.sniff(fileAt: try Town.fixture(fixture), name: name)
            Issue.record("\(fixture) as \(name) was accepted")
        } catch {
            guard case .refusedType(let message)? = error as? DocumentError else { Issue.record("unexpected \(error)"); return }
            #expect(message.contains(reason))
        }
    }

    @Test func binaryAndInvalidUTF8AreRefused() throws {
        let folder = URL(fileURLWithPath: NSTemporaryDirectory())
        let binary = folder.appendingPathComponent("bin-\(UUID().uuidString)")
        try Data([0x41, 0x00, 0x42]).write(to: binary)
        #expect(throws: DocumentError.self) { try ContentSniffer.sniff(fileAt: binary, name: "a.txt") }
        let latin1 = folder.appendingPathComponent("latin1-\(UUID().uuidString)")
        try Data([0x63, 0x61, 0x66, 0xE9]).write(to: latin1)
        #expect(throws: DocumentError.self) { try ContentSniffer.sniff(fileAt: latin1, name: "a.txt") }
    }

    @Test(arguments: [
        ("../../etc/passwd", "passwd"), ("C:\\Users\\agent\\rapport.pdf", "rapport.pdf"), ("..", "document"),
        ("a\u{0}b\u{7}c.pdf", "abc.pdf"), ("facture\u{202E}fdp.exe", "facturefdp.exe"), ("  .cache ", "cache"),
        ("x..y.pdf", "x.y.pdf"), ("", "document"), ("que?\"<>|.txt", "que_____.txt"),
    ])
    func namesAreNeutralised(raw: String, expected: String) {
        #expect(FileNames.neutralise(raw) == expected)
    }

    @Test func longNamesKeepTheirExtension() {
        let name = FileNames.neutralise(String(repeating: "é", count: 300) + ".pdf")
        #expect(name.hasSuffix(".pdf"))
        #expect(name.utf8.count <= FileNames.maxBytes)
        #expect(name.hasPrefix("éé"))
    }
}

import Foundation
@testable import KiosqueDocuments
import KiosqueStore
import Testing

/// Text from real PDF, ODT, DOCX and Markdown fixtures, and what happens when extraction fails.
struct ExtractionTests {
    let extractor = TextExtractor()

    @Test func pdfTextComesFromPdftotext() async throws {
        let text = try await extractor.text(fileAt: try Town.fixture("deliberation-budget.pdf"), kind: .pdf)
        #expect(text.contains("budget primitif 2025"))
    }

    @Test func odtParagraphsAndSpaces() async throws {
        let text = try await extractor.text(fileAt: try Town.fixture("note-de-service.odt"), kind: .odt)
        #expect(text == "Note de service\nFermeture de la piscine municipale & travaux.\nHoraires d'été.\n")
    }

    @Test func docxRunsJoinAndFieldCodesAreSkipped() async throws {
        let text = try await extractor.text(fileAt: try Town.fixture("procedure-achats.docx"), kind: .docx)
        #expect(text == "Procédure des achats\nBon de commande\n")
    }

    @Test func entitiesAreNeverExpandedNorFetched() async throws {
        let text = try await extractor.text(fileAt: try Town.fixture("entity-bomb.docx"), kind: .docx)
        #expect(text.contains("visible"))
        #expect(!text.contains("aaaaaaaaaa"))
        #expect(!text.contains("root:"))
        #expect(text.utf8.count < 100)
    }

    @Test func outputIsCappedOnACharacterBoundary() async throws {
        let small = TextExtractor(limits: ExtractionLimits(maxTextBytes: 10))
        let text = try await small.text(fileAt: try Town.fixture("procedure-achats.docx"), kind: .docx)
        #expect(text == "Procédure")
    }

    @Test func aBrokenPdfFailsWithTheReason() async throws {
        let url = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("broken-\(UUID().uuidString).pdf")
        try Data("%PDF-1.4\nnothing else".utf8).write(to: url)
        await #expect(throws: DocumentError.self) { _ = try await extractor.text(fileAt: url, kind: .pdf) }
    }

    @Test func aHangingExtractorIsKilledAtTheTimeLimit() async throws {
        let script = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("slow-\(UUID().uuidString).sh")
        try Data("#!/bin/sh\nexec sleep 30\n".utf8).write(to: script)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
        let slow = TextExtractor(limits: ExtractionLimits(seconds: 0.5, pdftotext: script.path))
        // A script just written may not run at once ("text file busy"): a child another test forks
        // at that moment holds the descriptor it was written through until it execs. Try again then.
        for attempt in 1...10 {
            do {
                _ = try await slow.text(fileAt: try Town.fixture("deliberation-budget.pdf"), kind: .pdf)
                Issue.record("the slow extractor was not stopped")
            } catch {
                if "\(error)".contains("cannot run") && attempt < 10 {
                    try await Task.sleep(for: .milliseconds(200))
                    continue
                }
                #expect("\(error)".contains("took more than"))
            }
            break
        }
    }

    @Test func failedExtractionLeavesTheDocumentPublishedButFlagged() async throws {
        let town = try await Town.make()
        let record = try await town.publish("deliberation-budget.pdf", title: "Budget")
        // Break the stored file before the background worker reads it.
        try Data("%PDF-1.4 broken".utf8).write(to: town.library.fileURL(record.current))
        _ = await town.library.extractPending()
        let after = try #require(try await town.store.document(id: record.id, viewer: town.member))
        #expect(after.status == .published)
        #expect(after.current.indexStatus == .failed)
        #expect(try await town.store.unindexedDocuments().map(\.id) == [record.id])
    }
}

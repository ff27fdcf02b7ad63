import BenchmarkSupport
import Foundation

/// French-looking text over a vocabulary with a Zipf-like spread: a few words are in almost every
/// document ("conseil"), most are rare ("w1834x"), as in real administrative prose.
struct TextMaker {
    static let common = ["conseil", "municipal", "délibération", "budget", "commune", "service", "arrêté", "marché", "travaux",
                         "voirie", "urbanisme", "école", "piscine", "subvention", "association", "personnel", "rapport", "séance",
                         "article", "vote", "maire", "adjoint", "commission", "projet", "convention", "tarif", "bâtiment"]
    static let glue = ["le", "la", "les", "de", "des", "du", "et", "en", "pour", "sur", "au", "par", "un", "une"]
    var rng: SplitMix

    /// A rare word: one of 20,000, each in a handful of documents of a 100,000 corpus.
    mutating func rare() -> String {
        "mot" + String(Int.random(in: 0..<20_000, using: &rng), radix: 36)
    }

    mutating func word() -> String {
        let roll = Int.random(in: 0..<100, using: &rng)
        if roll < 35 { return Self.glue.randomElement(using: &rng)! }
        if roll < 85 {
            // Skewed choice: low indexes far more often.
            let i = Int(Double(Self.common.count) * pow(Double.random(in: 0..<1, using: &rng), 2.5))
            return Self.common[min(i, Self.common.count - 1)]
        }
        return rare()
    }

    /// About `bytes` of UTF-8 text in sentences.
    mutating func text(bytes: Int) -> String {
        var out = ""
        out.reserveCapacity(bytes + 64)
        var inSentence = 0
        while out.utf8.count < bytes {
            var w = word()
            if inSentence == 0 { w = w.prefix(1).uppercased() + w.dropFirst() }
            out += w
            inSentence += 1
            if inSentence > 8 && Int.random(in: 0..<8, using: &rng) == 0 { out += ". "; inSentence = 0 } else { out += " " }
        }
        return out
    }
}

/// A small valid PDF with `pages` pages of text in Helvetica, built by hand (objects, then a
/// cross-reference table with exact offsets), so pdftotext reads it as a real one.
enum PDFMaker {
    static func make(pages: [String]) -> Data {
        var objects: [String] = []
        let pageCount = pages.count
        // 1 catalog, 2 pages tree, 3 font, then per page: page object and its content stream.
        objects.append("<< /Type /Catalog /Pages 2 0 R >>")
        let kids = (0..<pageCount).map { "\(4 + $0 * 2) 0 R" }.joined(separator: " ")
        objects.append("<< /Type /Pages /Kids [\(kids)] /Count \(pageCount) >>")
        objects.append("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
        for (index, text) in pages.enumerated() {
            let contentID = 5 + index * 2
            objects.append("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents \(contentID) 0 R >>")
            var stream = "BT /F1 10 Tf 14 TL 50 800 Td\n"
            for line in lines(of: text, width: 95).prefix(54) { stream += "(\(escape(line))) '\n" }
            stream += "ET"
            let bytes = latin1(stream)
            objects.append("<< /Length \(bytes.count) >>\nstream\n" + stream + "\nendstream")
        }
        var data = Data("%PDF-1.4\n%\u{E2}\u{E3}\u{CF}\u{D3}\n".utf8)
        var offsets: [Int] = []
        for (i, object) in objects.enumerated() {
            offsets.append(data.count)
            data += latin1("\(i + 1) 0 obj\n" + object + "\nendobj\n")
        }
        let xref = data.count
        var table = "xref\n0 \(objects.count + 1)\n0000000000 65535 f \n"
        for offset in offsets { table += String(format: "%010d 00000 n \n", offset) }
        table += "trailer\n<< /Size \(objects.count + 1) /Root 1 0 R >>\nstartxref\n\(xref)\n%%EOF\n"
        data += latin1(table)
        return data
    }

    /// WinAnsi bytes: the accents of French text are in Latin-1.
    private static func latin1(_ text: String) -> Data {
        Data(text.unicodeScalars.map { $0.value < 256 ? UInt8($0.value) : UInt8(ascii: "?") })
    }

    private static func escape(_ line: String) -> String {
        line.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "(", with: "\\(").replacingOccurrences(of: ")", with: "\\)")
    }

    private static func lines(of text: String, width: Int) -> [String] {
        var lines: [String] = [], current = ""
        for word in text.split(separator: " ") {
            if current.count + word.count + 1 > width { lines.append(current); current = "" }
            current += (current.isEmpty ? "" : " ") + word
        }
        if !current.isEmpty { lines.append(current) }
        return lines
    }
}

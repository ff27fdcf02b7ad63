// Encodings: BOMs, declarations, the HTTP charset and the usual mislabels. French must come out right.
import Foundation
import KiosqueModel
import KiosqueParse
import Testing

private let latin1Title = "Élection à Besançon : été, déjà"
private let cp1252Title = "Élection à Besançon : l’été, déjà"

struct EncodingCase: CustomTestStringConvertible, Sendable {
    let file: String
    let charset: String?
    let title: String
    /// Whether a repair or mislabel warning is expected.
    let warns: Bool
    var testDescription: String { file + (charset.map { " (HTTP \($0))" } ?? "") }
}

private let cases: [EncodingCase] = [
    .init(file: "latin1-declared-iso-8859-1.xml", charset: nil, title: latin1Title, warns: false),
    .init(file: "cp1252-bytes-declared-iso-8859-1.xml", charset: nil, title: "L’œuvre coûte 5 € – «\u{A0}oui\u{A0}»", warns: false),
    .init(file: "windows-1252-declared.xml", charset: nil, title: cp1252Title, warns: false),
    .init(file: "latin1-declared-utf8.xml", charset: nil, title: latin1Title, warns: true),
    .init(file: "latin1-no-declaration.xml", charset: nil, title: latin1Title, warns: true),
    .init(file: "utf8-declared-iso-8859-1.xml", charset: nil, title: cp1252Title, warns: true),
    .init(file: "utf8-bom.xml", charset: nil, title: cp1252Title, warns: false),
    .init(file: "utf16le-bom.xml", charset: nil, title: cp1252Title, warns: false),
    .init(file: "utf16be-bom.xml", charset: nil, title: cp1252Title, warns: false),
    .init(file: "utf32-be-bom.xml", charset: nil, title: cp1252Title + " 😀", warns: false),
    .init(file: "utf32-le-no-bom.xml", charset: nil, title: cp1252Title + " 😀", warns: false),
    .init(file: "http-charset-latin1-no-declaration.xml", charset: "ISO-8859-1", title: latin1Title, warns: false),
    .init(file: "http-charset-latin1-no-declaration.xml", charset: nil, title: latin1Title, warns: true),
    .init(file: "utf8-declared-iso-8859-1.xml", charset: "iso-8859-1", title: cp1252Title, warns: true),
    .init(file: "iso-8859-15-euro.xml", charset: nil, title: "Prix : 10 € pour l'œil", warns: false),
    .init(file: "mixed-utf8-and-latin1.xml", charset: nil, title: "Été UTF-8", warns: true),
    // A server labelling everything UTF-8: the document's own declaration is believed.
    .init(file: "windows-1251-served-as-utf8.xml", charset: "utf-8", title: "Новости города", warns: true),
    .init(file: "windows-1251-served-as-utf8.xml", charset: nil, title: "Новости города", warns: false),
    // Labels no decoder knows are ignored: the declaration, else the bytes, decide.
    .init(file: "windows-1252-declared.xml", charset: "x-bogus", title: cp1252Title, warns: false),
    .init(file: "cp1252-bogus-label.xml", charset: nil, title: cp1252Title, warns: true),
    // A UTF-16 declaration on ASCII-compatible bytes cannot be true.
    .init(file: "utf8-declared-utf16.xml", charset: nil, title: cp1252Title, warns: false),
]

@Test("encodings", arguments: cases)
func encoding(_ c: EncodingCase) throws {
    let feed = try Fixture.parse(c.file, charset: c.charset)
    #expect(feed.items.first?.title == c.title)
    #expect(feed.title == c.title || c.file.hasPrefix("mixed"))
    #expect(feed.warnings.contains { $0.hasPrefix("encoding:") } == c.warns)
}

/// The Latin-1 paragraph pasted into a UTF-8 feed is repaired byte by byte, not the whole file.
@Test func mixedEncodingRepairsOnlyTheBadBytes() throws {
    let feed = try Fixture.parse("mixed-utf8-and-latin1.xml")
    #expect(feed.subtitle == "Café crème")
    #expect(feed.title == "Été UTF-8")
}

/// Numeric references in the C1 range mean Windows-1252 characters (`&#146;` is `’`).
@Test func c1NumericReferencesReadAsWindows1252() throws {
    let feed = try parseInline("<rss version=\"2.0\"><channel><title>x</title><item><title>l&amp;#146;&#233;t&amp;#233; &amp;#x153;</title><guid>g</guid></item></channel></rss>")
    #expect(feed.items.first?.title == "l’été œ")
}

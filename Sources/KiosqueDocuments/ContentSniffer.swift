public import Foundation
import ZIPFoundation

/// An accepted document type, recognised from the bytes, never from the name alone.
public enum DocumentKind: String, Sendable, Hashable, CaseIterable {
    case pdf, odt, ods, odp, docx, xlsx, pptx, png, jpeg, gif, webp, txt, md

    /// The media type sent with downloads.
    public var mediaType: String {
        switch self {
        case .pdf: return "application/pdf"
        case .odt: return "application/vnd.oasis.opendocument.text"
        case .ods: return "application/vnd.oasis.opendocument.spreadsheet"
        case .odp: return "application/vnd.oasis.opendocument.presentation"
        case .docx: return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        case .xlsx: return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        case .pptx: return "application/vnd.openxmlformats-officedocument.presentationml.presentation"
        case .png: return "image/png"
        case .jpeg: return "image/jpeg"
        case .gif: return "image/gif"
        case .webp: return "image/webp"
        case .txt: return "text/plain; charset=utf-8"
        case .md: return "text/markdown; charset=utf-8"
        }
    }

    /// The usual file extension.
    public var fileExtension: String { self == .jpeg ? "jpg" : rawValue }

    /// Whether browsers may show it inline safely (PDF viewer, images).
    public var isPreviewable: Bool { [.pdf, .png, .jpeg, .gif, .webp].contains(self) }

    /// The kind a file extension claims, if it is one we know.
    static func claimed(byExtension ext: String) -> DocumentKind? {
        switch ext {
        case "jpg", "jpeg", "jpe": return .jpeg
        case "markdown": return .md
        case "text": return .txt
        default: return DocumentKind(rawValue: ext)
        }
    }
}

/// Recognises a file's type from its content (magic bytes, the ZIP's manifest, UTF-8 validity)
/// and refuses executables, unknown types, and names that lie about the content.
public enum ContentSniffer {
    /// The kind of the file at `url` whose original name is `name`; throws `.refusedType` otherwise.
    public static func sniff(fileAt url: URL, name: String) throws(DocumentError) -> DocumentKind {
        let head: Data
        do {
            let handle = try FileHandle(forReadingFrom: url)
            defer { try? handle.close() }
            head = try handle.read(upToCount: 4_096) ?? Data()
        } catch { throw .storage(path: url.path, detail: "cannot read the upload: \(error.localizedDescription)") }
        guard !head.isEmpty else { throw .refusedType(reason: "the file is empty") }
        let kind = try kind(head: head, fileAt: url)
        let ext = FileNames.fileExtension(name)
        if let claimed = DocumentKind.claimed(byExtension: ext), claimed != kind,
           !([.txt, .md].contains(claimed) && [.txt, .md].contains(kind)) {
            throw .refusedType(reason: "the name says .\(ext) but the content is \(kind.rawValue.uppercased())")
        }
        return kind == .txt && DocumentKind.claimed(byExtension: ext) == .md ? .md : kind
    }

    static func kind(head: Data, fileAt url: URL) throws(DocumentError) -> DocumentKind {
        let b = [UInt8](head.prefix(16))
        func starts(_ magic: [UInt8]) -> Bool { b.count >= magic.count && Array(b.prefix(magic.count)) == magic }
        if starts([0x7F, 0x45, 0x4C, 0x46]) { throw .refusedType(reason: "an executable program (ELF)") }
        if starts([0x4D, 0x5A]) { throw .refusedType(reason: "an executable program (Windows PE/MZ)") }
        if starts([0xCF, 0xFA, 0xED, 0xFE]) || starts([0xCE, 0xFA, 0xED, 0xFE]) || starts([0xFE, 0xED, 0xFA, 0xCE])
            || starts([0xFE, 0xED, 0xFA, 0xCF]) || starts([0xCA, 0xFE, 0xBA, 0xBE]) {
            throw .refusedType(reason: "an executable program (Mach-O)")
        }
        if starts(Array("#!".utf8)) { throw .refusedType(reason: "an executable script (#!)") }
        // PDF readers accept the header within the first kilobyte (some generators prepend junk).
        if head.prefix(1_024).range(of: Data("%PDF-".utf8)) != nil { return .pdf }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if starts([0xFF, 0xD8, 0xFF]) { return .jpeg }
        if starts(Array("GIF87a".utf8)) || starts(Array("GIF89a".utf8)) { return .gif }
        if starts(Array("RIFF".utf8)) && b.count >= 12 && Array(b[8..<12]) == Array("WEBP".utf8) { return .webp }
        if starts([0x50, 0x4B, 0x03, 0x04]) { return try office(url) }
        return try text(url)
    }

    /// ODF names its type in the `mimetype` entry; OOXML in `[Content_Types].xml`.
    private static func office(_ url: URL) throws(DocumentError) -> DocumentKind {
        let archive: Archive
        do { archive = try Archive(url: url, accessMode: .read) } catch {
            throw .refusedType(reason: "a damaged ZIP archive")
        }
        if let entry = archive["mimetype"] {
            let mime = String(decoding: (try? ZipText.read(entry, from: archive, limit: 200)) ?? Data(), as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            switch mime {
            case "application/vnd.oasis.opendocument.text": return .odt
            case "application/vnd.oasis.opendocument.spreadsheet": return .ods
            case "application/vnd.oasis.opendocument.presentation": return .odp
            default: throw .refusedType(reason: "an OpenDocument of type \(mime.prefix(80)) (accepted: text, spreadsheet, presentation)")
            }
        }
        if let entry = archive["[Content_Types].xml"] {
            let types = String(decoding: (try? ZipText.read(entry, from: archive, limit: 1_048_576)) ?? Data(), as: UTF8.self)
            if types.contains("wordprocessingml.document.main"), archive["word/document.xml"] != nil { return .docx }
            if types.contains("spreadsheetml.sheet.main"), archive["xl/workbook.xml"] != nil { return .xlsx }
            if types.contains("presentationml.presentation.main"), archive["ppt/presentation.xml"] != nil { return .pptx }
            throw .refusedType(reason: "an Office file of a type not accepted (macros or templates are refused)")
        }
        throw .refusedType(reason: "a ZIP archive that is not an OpenDocument or Office document")
    }

    /// Plain text: valid UTF-8 without NUL bytes, checked over the whole file.
    private static func text(_ url: URL) throws(DocumentError) -> DocumentKind {
        let data: Data
        do { data = try Data(contentsOf: url, options: .alwaysMapped) } catch {
            throw .storage(path: url.path, detail: "cannot read the upload: \(error.localizedDescription)")
        }
        if data.contains(0) { throw .refusedType(reason: "binary content of an unknown type") }
        guard String(validatingUTF8Data: data) != nil else {
            throw .refusedType(reason: "text that is not valid UTF-8, or binary content of an unknown type")
        }
        return .txt
    }
}

extension String {
    /// The text if `data` is valid UTF-8 (a BOM is allowed), else nil.
    init?(validatingUTF8Data data: Data) {
        var iterator = data.makeIterator()
        var decoder = UTF8()
        var valid = true
        loop: while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: break loop
            case .error: valid = false; break loop
            }
        }
        guard valid else { return nil }
        self = String(decoding: data, as: UTF8.self)
    }
}

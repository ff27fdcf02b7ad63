// Which encoding the bytes are really in: BOM first, then the bytes themselves (valid UTF-8 is
// trusted over a Latin-1 label), then the HTTP charset, then the XML declaration.
internal import CLibXML2
internal import Foundation

/// How the parser should read the input bytes.
enum InputEncoding: Equatable {
    /// The bytes are UTF-8 already; skip `bomLength` bytes.
    case utf8(bomLength: Int)
    /// The bytes were converted to these UTF-8 bytes.
    case converted([UInt8])
    /// An encoding only libxml2 knows (e.g. KOI8-R, Shift_JIS): let it decode.
    case libxml(String)
}

/// Decides the input encoding and explains any repair in warnings.
enum EncodingDetector {
    /// Labels that mean "Latin-1, read as Windows-1252" (the WHATWG reading; feeds mean `’`, not C1 controls).
    static let latin1Labels: Set<String> = ["iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "latin-1", "l1",
                                            "windows-1252", "cp1252", "x-cp1252", "us-ascii", "ascii", "iso-ir-100"]
    static let utf8Labels: Set<String> = ["utf-8", "utf8", "unicode-1-1-utf-8"]

    static func decide(_ b: UnsafeRawBufferPointer, httpCharset: String?) -> (InputEncoding, [String]) {
        if let bom = byteOrderMark(b) { return (bom, []) }
        // A label nobody knows ("x-bogus", a typo) says nothing: the other one, or the bytes, decide.
        let http = normalize(httpCharset).flatMap(known)
        let declared = normalize(declaredEncoding(b)).flatMap(known)
        var label = http ?? declared
        var warnings: [String] = []
        // A server that calls everything UTF-8 is wrong when the bytes are not and the document
        // names its own encoding: that one is believed (the check runs only on this disagreement).
        if let http, utf8Labels.contains(http), let declared, !utf8Labels.contains(declared),
           Transcoder.firstInvalidUTF8(b) != nil {
            label = declared
            warnings.append("encoding: HTTP says \(http) but the bytes are not UTF-8; read as the declared \(declared)")
        }
        if let wide = label, wide.hasPrefix("utf-16") || wide.hasPrefix("utf-32") || wide == "ucs-2" {
            // A declaration read in ASCII means ASCII-compatible bytes: the UTF-16 label is a lie.
            label = (b.count > 1 && (b[0] == 0 || b[1] == 0)) ? wide : nil
        }
        if let label, label.hasPrefix("utf-16") || label.hasPrefix("utf-32") || label == "ucs-2" {
            // No BOM: guess the byte order from the first `<`.
            let bigEndian = b.count > 1 && b[0] == 0
            let out = label.hasPrefix("utf-32") ? Transcoder.fromUTF32(b, bigEndian: bigEndian)
                                                : Transcoder.fromUTF16(b, bigEndian: bigEndian)
            return (.converted(out), [])
        }
        // Declared (or presumed) UTF-8 is trusted without a validation pass: libxml2 checks every
        // byte anyway, and a document that fails is re-read through `repairedUTF8`.
        guard let label, !utf8Labels.contains(label) else { return (.utf8(bomLength: 0), []) }
        guard Transcoder.firstInvalidUTF8(b) != nil else {
            if hasNonASCII(b) {
                return (.utf8(bomLength: 0), ["encoding: declared \(label) but the bytes are valid UTF-8; read as UTF-8"])
            }
            return (.utf8(bomLength: 0), [])
        }
        if latin1Labels.contains(label) {
            return (.converted(Transcoder.fromCP1252(b)), warnings)
        }
        return (.libxml(label), warnings)
    }

    /// `label` when some decoder here or in libxml2 knows it, else nil.
    private static func known(_ label: String) -> String? {
        if utf8Labels.contains(label) || latin1Labels.contains(label) || label.hasPrefix("utf-16") || label.hasPrefix("utf-32")
            || label == "ucs-2" {
            return label
        }
        guard let handler = xmlFindCharEncodingHandler(label) else { return nil }
        xmlCharEncCloseFunc(handler)
        return label
    }

    /// Bytes taken for UTF-8 that are not: well-formed sequences kept, other bytes read as
    /// Windows-1252, with the warning that says so. Nil when the bytes are valid UTF-8.
    /// A document that is mostly not UTF-8 (a legacy encoding, where well-formed sequences are
    /// coincidences: Latin-1 "Â«", EUC-JP "Í¥") is read as Windows-1252 throughout, as browsers
    /// and feedparser read an undeclared one; a UTF-8 byte order mark keeps the mixed reading.
    static func repairedUTF8(_ b: UnsafeRawBufferPointer, httpCharset: String?) -> ([UInt8], String)? {
        guard let bad = Transcoder.firstInvalidUTF8(b) else { return nil }
        let line = b[..<bad].reduce(1) { $0 + ($1 == 0x0A ? 1 : 0) }
        let label = normalize(httpCharset) ?? normalize(declaredEncoding(b))
        let what = label.map { "declared \($0)" } ?? "no encoding declared"
        let hasBOM = b.count >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF
        let (sequences, strays) = Transcoder.countNonASCII(b)
        if !hasBOM, strays > 2 * sequences {
            return (Transcoder.fromCP1252(b),
                    "encoding: \(what) but bytes are mostly not UTF-8 (first at line \(line)); read as Windows-1252")
        }
        return (Transcoder.repairUTF8(b),
                "encoding: \(what) but bytes are not UTF-8 (first at line \(line)); non-UTF-8 bytes read as Windows-1252")
    }

    private static func byteOrderMark(_ b: UnsafeRawBufferPointer) -> InputEncoding? {
        let n = b.count
        if n >= 3, b[0] == 0xEF, b[1] == 0xBB, b[2] == 0xBF {
            // Concatenating generators sometimes write the mark twice: skip every copy.
            var length = 3
            while length + 3 <= n, b[length] == 0xEF, b[length + 1] == 0xBB, b[length + 2] == 0xBF { length += 3 }
            return .utf8(bomLength: length)
        }
        if n >= 4, b[0] == 0xFF, b[1] == 0xFE, b[2] == 0, b[3] == 0 {
            return .converted(Transcoder.fromUTF32(UnsafeRawBufferPointer(rebasing: b[4...]), bigEndian: false))
        }
        if n >= 4, b[0] == 0, b[1] == 0, b[2] == 0xFE, b[3] == 0xFF {
            return .converted(Transcoder.fromUTF32(UnsafeRawBufferPointer(rebasing: b[4...]), bigEndian: true))
        }
        if n >= 2, b[0] == 0xFF, b[1] == 0xFE {
            return .converted(Transcoder.fromUTF16(UnsafeRawBufferPointer(rebasing: b[2...]), bigEndian: false))
        }
        if n >= 2, b[0] == 0xFE, b[1] == 0xFF {
            return .converted(Transcoder.fromUTF16(UnsafeRawBufferPointer(rebasing: b[2...]), bigEndian: true))
        }
        // UTF-32 without a BOM: `<` in one of four bytes, the other three NUL (before UTF-16's test,
        // which `3C 00 00 00` would otherwise half match).
        if n >= 8, b[0] == 0x3C, b[1] == 0, b[2] == 0, b[3] == 0, b[4] != 0 { return .converted(Transcoder.fromUTF32(b, bigEndian: false)) }
        if n >= 8, b[0] == 0, b[1] == 0, b[2] == 0, b[3] == 0x3C { return .converted(Transcoder.fromUTF32(b, bigEndian: true)) }
        // UTF-16 without a BOM still starts with `<` next to a NUL byte.
        if n >= 4, b[0] == 0x3C, b[1] == 0, b[2] != 0 { return .converted(Transcoder.fromUTF16(b, bigEndian: false)) }
        if n >= 4, b[0] == 0, b[1] == 0x3C, b[3] != 0 { return .converted(Transcoder.fromUTF16(b, bigEndian: true)) }
        return nil
    }

    private static func hasNonASCII(_ b: UnsafeRawBufferPointer) -> Bool { b.contains { $0 >= 0x80 } }

    /// Lowercased, trimmed label without quotes; nil when empty.
    static func normalize(_ label: String?) -> String? {
        guard let label else { return nil }
        let cleaned = label.trimmingCharacters(in: CharacterSet(charactersIn: " \t\"'")).lowercased()
        return cleaned.isEmpty ? nil : cleaned
    }

    /// The `encoding` of the XML declaration, read from the first bytes only.
    static func declaredEncoding(_ b: UnsafeRawBufferPointer) -> String? {
        let prefix = Array(b.prefix(512))
        guard let declStart = find(Array("<?xml".utf8), in: prefix, from: 0),
              let declEnd = find(Array("?>".utf8), in: prefix, from: declStart),
              let key = find(Array("encoding".utf8), in: prefix, from: declStart), key < declEnd else { return nil }
        var i = key + 8
        while i < declEnd, prefix[i] == 0x20 || prefix[i] == 0x3D || prefix[i] == 0x09 { i += 1 }
        guard i < declEnd, prefix[i] == 0x22 || prefix[i] == 0x27 else { return nil }
        let quote = prefix[i]
        guard let close = prefix[(i + 1)..<declEnd].firstIndex(of: quote) else { return nil }
        return String(decoding: prefix[(i + 1)..<close], as: UTF8.self)
    }

    static func find(_ needle: [UInt8], in hay: [UInt8], from: Int) -> Int? {
        guard hay.count >= needle.count, from <= hay.count - needle.count else { return nil }
        for i in from...(hay.count - needle.count) where hay[i] == needle[0] {
            if hay[i..<(i + needle.count)].elementsEqual(needle) { return i }
        }
        return nil
    }
}

/// The one escaper behind HTML pages, Atom/OPML documents and e-mail digests.
public enum MarkupEscaping {
    /// `text` escaped for HTML content and attribute values; with `xml`, characters that XML 1.0
    /// forbids (controls, U+FFFE/U+FFFF) are dropped and `'` becomes `&apos;`.
    public static func escape(_ text: String, xml: Bool = false) -> String {
        // Most titles and names need nothing: one pass over the bytes, and the string is returned as is.
        let needsWork = text.utf8.contains { byte -> Bool in
            switch byte {
            case UInt8(ascii: "&"), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "\""), UInt8(ascii: "'"): return true
            case 0..<0x20, 0xEF: return xml  // controls, and the lead byte of U+FFFE/U+FFFF
            default: return false
            }
        }
        if !needsWork { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += xml ? "&apos;" : "&#39;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                let v = scalar.value
                if xml && (v < 0x20 || (0xFFFE...0xFFFF).contains(v)) { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

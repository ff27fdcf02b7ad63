import Foundation

/// Makes an uploaded file's name safe to store, show and send back in Content-Disposition.
public enum FileNames {
    /// The longest name kept, in UTF-8 bytes (file systems allow 255; room is left for the type's extension).
    public static let maxBytes = 180

    /// The name without any folder, `..`, control or bidirectional-override characters or
    /// characters that file systems refuse, cut to `maxBytes` with its extension kept; never empty.
    public static func neutralise(_ raw: String) -> String {
        // Browsers on Windows may send the full path: keep what follows the last separator.
        let base = raw.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        var cleaned = String(String.UnicodeScalarView(base.unicodeScalars.compactMap { scalar -> Unicode.Scalar? in
            switch scalar.value {
            case 0..<0x20, 0x7F..<0xA0: return nil
            case 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: return nil  // could disguise "exe.pdf" as "fdp.exe"
            default: break
            }
            return "<>:\"|?*".unicodeScalars.contains(scalar) ? "_" : scalar
        }))
        while cleaned.contains("..") { cleaned = cleaned.replacingOccurrences(of: "..", with: ".") }
        cleaned = cleaned.trimmingCharacters(in: .whitespaces)
        while cleaned.hasPrefix(".") { cleaned.removeFirst() }
        cleaned = cleaned.trimmingCharacters(in: .whitespaces)
        if cleaned.isEmpty { return "document" }
        return shorten(cleaned)
    }

    /// The extension after the last dot, lower-cased ("" when none).
    public static func fileExtension(_ name: String) -> String {
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return "" }
        return String(name[name.index(after: dot)...]).lowercased()
    }

    private static func shorten(_ name: String) -> String {
        guard name.utf8.count > maxBytes else { return name }
        let ext = fileExtension(name)
        let suffix = ext.isEmpty || ext.utf8.count > 10 ? "" : "." + ext
        var stem = suffix.isEmpty ? name : String(name.dropLast(suffix.count))
        // Cut whole characters, never in the middle of a UTF-8 sequence.
        while stem.utf8.count + suffix.utf8.count > maxBytes { stem.removeLast() }
        return stem + suffix
    }
}

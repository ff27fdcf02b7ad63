import Foundation

/// Header text for mail: RFC 2047 encoded words for anything that is not plain ASCII, and no line
/// breaks from the caller (a CR or LF in a value would let it inject headers).
enum HeaderEncoding {
    /// The longest encoded word RFC 2047 allows.
    static let maximumWordLength = 75

    /// `text` with control characters (CR and LF included) turned into spaces.
    static func singleLine(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : $0 }))
    }

    /// Whether `text` can go into a header as it is: printable ASCII, and nothing that a reader
    /// would take for the start of an encoded word.
    static func isPlain(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F } && !text.contains("=?")
    }

    /// The value of an unstructured header (Subject): as it is when plain, else encoded words
    /// ("=?UTF-8?B?…?=") separated by folding whitespace, each within 75 characters and each
    /// holding whole characters so that every word decodes on its own.
    static func unstructured(_ text: String) -> String {
        let line = singleLine(text)
        if isPlain(line) { return line }
        return encodedWords(line).joined(separator: "\r\n ")
    }

    /// `text` as a run of base64 encoded words (RFC 2047 "B" encoding), split between characters.
    static func encodedWords(_ text: String) -> [String] {
        let prefix = "=?UTF-8?B?", suffix = "?="
        // 42 bytes of text make 56 base64 characters (a multiple of 3 needs no padding), a 68-character
        // word: within RFC 2047's 75, and "Subject: " plus the first word stays within 78 per line.
        let budget = 42
        var words: [String] = [], chunk: [UInt8] = []
        for character in text {
            let bytes = Array(String(character).utf8)
            if !chunk.isEmpty && chunk.count + bytes.count > budget {
                words.append(prefix + Data(chunk).base64EncodedString() + suffix)
                chunk.removeAll(keepingCapacity: true)
            }
            chunk += bytes
        }
        if !chunk.isEmpty || words.isEmpty { words.append(prefix + Data(chunk).base64EncodedString() + suffix) }
        return words
    }

    /// A display name as a phrase (RFC 5322 §3.2.5): atoms as they are, a quoted string when it
    /// holds specials, encoded words when it is not ASCII.
    static func phrase(_ name: String) -> String {
        let line = singleLine(name).trimmingCharacters(in: .whitespaces)
        guard isPlain(line) else { return encodedWords(line).joined(separator: " ") }
        let atext = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "!#$%&'*+-/=?^_`{|}~ "))
        if line.unicodeScalars.allSatisfy({ atext.contains($0) }) { return line }
        let escaped = line.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return "\"\(escaped)\""
    }

    /// A header line "Name: value", folded so that no line of it passes 78 characters when the
    /// value has spaces to fold at (encoded words are already separated by folding whitespace).
    static func field(_ name: String, _ value: String) -> String {
        var lines: [String] = []
        var current = name + ":"
        for (index, piece) in value.components(separatedBy: "\r\n ").enumerated() {
            if index > 0 {
                lines.append(current)
                current = ""
            }
            for word in piece.split(separator: " ", omittingEmptySubsequences: false) {
                if current.count + 1 + word.count > 78 && !current.trimmingCharacters(in: .whitespaces).isEmpty
                    && current != name + ":" {
                    lines.append(current)
                    current = ""
                }
                current += " " + word
            }
        }
        lines.append(current)
        return lines.joined(separator: "\r\n")
    }
}

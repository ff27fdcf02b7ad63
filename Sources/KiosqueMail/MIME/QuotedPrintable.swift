import Foundation

/// Quoted-printable body encoding (RFC 2045 §6.7) of UTF-8 text, lines cut at 76 characters.
enum QuotedPrintable {
    /// The longest encoded line, soft line break included.
    static let maximumLineLength = 76

    /// `text` encoded: line breaks become CRLF, bytes outside printable ASCII and `=` become `=XX`,
    /// a space or tab before a line break is encoded, longer lines end in soft breaks (`=`).
    static func encode(_ text: String) -> String {
        var output = ""
        output.reserveCapacity(text.utf8.count + text.utf8.count / 8)
        let normalised = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        let lines = normalised.split(separator: "\n", omittingEmptySubsequences: false)
        for (index, line) in lines.enumerated() {
            if index > 0 { output += "\r\n" }
            encodeLine(Array(line.utf8), into: &output)
        }
        return output
    }

    private static let hex = Array("0123456789ABCDEF")

    private static func encodeLine(_ bytes: [UInt8], into output: inout String) {
        var length = 0
        for (index, byte) in bytes.enumerated() {
            let isLast = index == bytes.count - 1
            let token: String
            if (byte == 0x20 || byte == 0x09) && !isLast {
                token = String(UnicodeScalar(byte))
            } else if byte == 0x2E && length == 0 {
                // A leading dot is encoded too: some relays mishandle it even after SMTP dot-stuffing.
                token = "=2E"
            } else if (0x21...0x7E).contains(byte) && byte != 0x3D {
                token = String(UnicodeScalar(byte))
            } else {
                token = "=" + String(hex[Int(byte >> 4)]) + String(hex[Int(byte & 0x0F)])
            }
            // Keep room for the soft break "=" unless this token ends the line.
            let room = isLast ? maximumLineLength : maximumLineLength - 1
            if length + token.count > room {
                output += "=\r\n"
                length = 0
                if token == "." { output += "=2E"; length = 3; continue }
            }
            output += token
            length += token.count
        }
    }
}

import Foundation

/// Quoted-printable body encoding (RFC 2045 §6.7) of UTF-8 text, lines cut at 76 characters.
/// Works on bytes into a byte buffer: a digest's HTML part is tens of kilobytes and 10,000 of
/// them go out in one run (string tokens per byte made this most of a digest run's time).
enum QuotedPrintable {
    /// The longest encoded line, soft line break included.
    static let maximumLineLength = 76

    /// `text` encoded: line breaks (CRLF, LF or CR) become CRLF, bytes outside printable ASCII and
    /// `=` become `=XX`, a space or tab before a line break is encoded, longer lines end in soft
    /// breaks (`=`).
    static func encode(_ text: String) -> String {
        let bytes = Array(text.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + bytes.count / 4)
        var start = 0, index = 0, first = true
        while index <= bytes.count {
            if index == bytes.count || bytes[index] == 0x0A || bytes[index] == 0x0D {
                if !first { output.append(0x0D); output.append(0x0A) }
                first = false
                encodeLine(bytes[start..<index], into: &output)
                if index < bytes.count - 1 && bytes[index] == 0x0D && bytes[index + 1] == 0x0A { index += 1 }
                start = index + 1
            }
            index += 1
        }
        return String(decoding: output, as: UTF8.self)
    }

    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? 0x30 + nibble : 0x37 + nibble  // "0"..."9", "A"..."F"
    }

    // Single appends only: an array literal per escaped byte (`output += [a, b, c]`) allocated
    // and showed as the top of a digest run's profile.
    private static func encodeLine(_ bytes: ArraySlice<UInt8>, into output: inout [UInt8]) {
        var length = 0
        let last = bytes.endIndex - 1
        for index in bytes.indices {
            let byte = bytes[index]
            let isLast = index == last
            let escaped: Bool
            if (byte == 0x20 || byte == 0x09) && !isLast {
                escaped = false
            } else if byte == 0x2E && length == 0 {
                // A leading dot is encoded too: some relays mishandle it even after SMTP dot-stuffing.
                escaped = true
            } else {
                escaped = !(byte >= 0x21 && byte <= 0x7E && byte != 0x3D)
            }
            let count = escaped ? 3 : 1
            // Keep room for the soft break "=" unless this byte ends the line.
            let room = isLast ? maximumLineLength : maximumLineLength - 1
            if length + count > room {
                output.append(0x3D); output.append(0x0D); output.append(0x0A)
                length = 0
                if byte == 0x2E && !escaped {
                    output.append(0x3D); output.append(0x32); output.append(0x45)
                    length = 3
                    continue
                }
            }
            if escaped {
                output.append(0x3D); output.append(hexDigit(byte >> 4)); output.append(hexDigit(byte & 0x0F))
            } else {
                output.append(byte)
            }
            length += count
        }
    }
}

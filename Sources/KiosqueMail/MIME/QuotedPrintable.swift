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
        var text = text
        return text.withUTF8 { bytes in
            // Worst case: every byte escaped (3 bytes), each a line of its own (CRLF), plus a
            // soft break (3 bytes) per 72 bytes of output.
            let capacity = 5 * bytes.count + (3 * bytes.count / 72 + 2) * 3 + 16
            return String(unsafeUninitializedCapacity: capacity) { output in
                var written = 0
                var start = 0, index = 0, first = true
                while index <= bytes.count {
                    if index == bytes.count || bytes[index] == 0x0A || bytes[index] == 0x0D {
                        if !first { output[written] = 0x0D; output[written + 1] = 0x0A; written += 2 }
                        first = false
                        encodeLine(bytes, from: start, to: index, into: output, at: &written)
                        if index < bytes.count - 1 && bytes[index] == 0x0D && bytes[index + 1] == 0x0A { index += 1 }
                        start = index + 1
                    }
                    index += 1
                }
                return written
            }
        }
    }

    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? 0x30 + nibble : 0x37 + nibble  // "0"..."9", "A"..."F"
    }

    // On raw buffers: a digest's HTML part is tens of kilobytes and 10,000 go out in one run
    // (an array literal per escaped byte, then array appends, topped a digest run's profile).
    private static func encodeLine(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int,
                                   into output: UnsafeMutableBufferPointer<UInt8>, at written: inout Int) {
        var length = 0
        let last = end - 1
        var index = start
        while index < end {
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
            index += 1
            if length + count > room {
                output[written] = 0x3D; output[written + 1] = 0x0D; output[written + 2] = 0x0A
                written += 3
                length = 0
                if byte == 0x2E && !escaped {
                    output[written] = 0x3D; output[written + 1] = 0x32; output[written + 2] = 0x45
                    written += 3
                    length = 3
                    continue
                }
            }
            if escaped {
                output[written] = 0x3D; output[written + 1] = hexDigit(byte >> 4); output[written + 2] = hexDigit(byte & 0x0F)
                written += 3
            } else {
                output[written] = byte
                written += 1
            }
            length += count
        }
    }
}

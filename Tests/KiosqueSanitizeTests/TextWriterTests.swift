@testable import KiosqueSanitize
import Testing

/// The text writer copies runs of ordinary bytes whole; it must collapse exactly as the plain
/// byte-by-byte rule does (kept here as the reference).
@Suite("Text writer")
struct TextWriterTests {
    /// The rule, byte by byte: whitespace and U+00A0 become one pending space, a line break
    /// wins over a space, nothing leads.
    struct Reference {
        var bytes: [UInt8] = []
        var pending: UInt8 = 0
        mutating func lineBreak() { if !bytes.isEmpty { pending = 0x0A } }
        mutating func space() { if !bytes.isEmpty, pending == 0 { pending = 0x20 } }
        mutating func text(_ input: [UInt8]) {
            var i = 0
            while i < input.count {
                let byte = input[i]
                if [0x20, 0x09, 0x0A, 0x0D, 0x0C].contains(byte) {
                    space()
                } else if byte == 0xC2, i + 1 < input.count, input[i + 1] == 0xA0 {
                    space()
                    i += 1
                } else {
                    if pending != 0 { bytes.append(pending); pending = 0 }
                    bytes.append(byte)
                }
                i += 1
            }
        }
    }

    static let pieces: [[UInt8]] = [
        Array("Conseil".utf8), Array(" ".utf8), Array("\t\n\r\u{0C}".utf8), [0xC2, 0xA0], [0xC2], Array("é".utf8),
        Array("municipal,".utf8), Array("  ".utf8), Array("é\u{00A0}à".utf8), [0xC2, 0x41], Array("x".utf8),
    ]

    @Test func runsCollapseAsByteByByte() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            var mine = TextWriter(capacity: 16), reference = Reference()
            for _ in 0..<Int.random(in: 0...6, using: &generator) {
                switch Int.random(in: 0..<8, using: &generator) {
                case 0: mine.lineBreak(); reference.lineBreak()
                case 1: mine.space(); reference.space()
                default:
                    let node = (0..<Int.random(in: 0...8, using: &generator)).flatMap { _ in Self.pieces.randomElement(using: &generator)! }
                    (node + [0]).withUnsafeBufferPointer { mine.text($0.baseAddress!) }
                    reference.text(node)
                }
            }
            #expect(mine.bytes == reference.bytes, "\(String(decoding: reference.bytes, as: UTF8.self))")
            if mine.bytes != reference.bytes { return }
        }
    }
}

/// Our own HTML serializer: writes only what the walker allows, with every text and attribute
/// value escaped, into a UTF-8 byte buffer. libxml2's serializer is not used because it writes
/// whatever the tree holds and escapes attribute values in its own, context-dependent way.
struct HTMLWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int) { bytes.reserveCapacity(capacity) }

    /// Writes `<name`; attributes follow, then `finishStartTag()`.
    mutating func startTag(_ name: [UInt8]) {
        bytes.append(0x3C)
        bytes.append(contentsOf: name)
    }

    /// Writes ` name="value"` with `&`, `"`, `<` and `>` escaped.
    mutating func attribute(_ name: String, _ value: String) {
        bytes.append(0x20)
        bytes.append(contentsOf: name.utf8)
        bytes.append(contentsOf: [0x3D, 0x22])  // ="
        for byte in value.utf8 {
            switch byte {
            case 0x26: bytes.append(contentsOf: Self.amp)
            case 0x22: bytes.append(contentsOf: Self.quot)
            case 0x3C: bytes.append(contentsOf: Self.lt)
            case 0x3E: bytes.append(contentsOf: Self.gt)
            case 0x0D: bytes.append(0x0A)  // a lone CR would come back as LF: write LF now
            default: bytes.append(byte)
            }
        }
        bytes.append(0x22)
    }

    /// Writes a valueless attribute such as ` controls`.
    mutating func flag(_ name: String) {
        bytes.append(0x20)
        bytes.append(contentsOf: name.utf8)
    }

    /// Writes the `>` that ends a start tag.
    mutating func finishStartTag() { bytes.append(0x3E) }

    /// Writes `</name>`.
    mutating func endTag(_ name: [UInt8]) {
        bytes.append(contentsOf: [0x3C, 0x2F])
        bytes.append(contentsOf: name)
        bytes.append(0x3E)
    }

    /// Writes a NUL-terminated UTF-8 text node with `&`, `<` and `>` escaped and line ends as LF.
    mutating func text(_ start: UnsafePointer<UInt8>) {
        var cursor = start
        var runStart = start
        while true {
            let byte = cursor.pointee
            if byte == 0 { break }
            if byte == 0x26 || byte == 0x3C || byte == 0x3E || byte == 0x0D {
                bytes.append(contentsOf: UnsafeBufferPointer(start: runStart, count: cursor - runStart))
                switch byte {
                case 0x26: bytes.append(contentsOf: Self.amp)
                case 0x3C: bytes.append(contentsOf: Self.lt)
                case 0x3E: bytes.append(contentsOf: Self.gt)
                default: if cursor[1] != 0x0A { bytes.append(0x0A) }  // CRLF → LF, CR → LF
                }
                runStart = cursor + 1
            }
            cursor += 1
        }
        bytes.append(contentsOf: UnsafeBufferPointer(start: runStart, count: cursor - runStart))
    }

    private static let amp: [UInt8] = Array("&amp;".utf8)
    private static let quot: [UInt8] = Array("&quot;".utf8)
    private static let lt: [UInt8] = Array("&lt;".utf8)
    private static let gt: [UInt8] = Array("&gt;".utf8)
}

/// Collects plain text for search and summaries: whitespace runs collapse to one space, block
/// boundaries become one line break, and nothing leads or trails.
struct TextWriter {
    private(set) var bytes: [UInt8] = []
    private var pending: UInt8 = 0  // 0 nothing, 0x20 a space, 0x0A a line break

    init(capacity: Int) { bytes.reserveCapacity(capacity) }

    /// Marks a block boundary: the next text starts on a new line.
    mutating func lineBreak() { if !bytes.isEmpty { pending = 0x0A } }

    /// Marks a soft boundary (between table cells): the next text is separated by a space.
    mutating func space() { if !bytes.isEmpty, pending == 0 { pending = 0x20 } }

    /// Appends a NUL-terminated UTF-8 text node, collapsing whitespace and no-break spaces.
    /// Runs of other bytes are copied whole: appending byte by byte was a visible part of a fetch
    /// cycle's CPU (every article's text passes here).
    mutating func text(_ start: UnsafePointer<UInt8>) {
        var cursor = start
        var run = start  // the first byte not appended yet of a run of ordinary bytes
        while true {
            let byte = cursor.pointee
            let isSpace = byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x0C
            let isNoBreakSpace = byte == 0xC2 && cursor[1] == 0xA0  // cursor[1] is at most the NUL
            guard byte == 0 || isSpace || isNoBreakSpace else {
                cursor += 1
                continue
            }
            if cursor > run {
                if pending != 0 {
                    bytes.append(pending)
                    pending = 0
                }
                bytes.append(contentsOf: UnsafeBufferPointer(start: run, count: cursor - run))
            }
            if byte == 0 { break }
            space()
            cursor += isNoBreakSpace ? 2 : 1
            run = cursor
        }
    }
}

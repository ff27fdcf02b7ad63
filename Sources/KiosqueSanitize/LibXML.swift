import CLibXML2

/// The small part of libxml2's HTML parser the sanitizer uses.
enum LibXML {
    /// No network, no error output, no implied html/body, keep going on errors, ignore any
    /// `<meta charset>` in the content (we hand over UTF-8), and no default DOCTYPE node.
    /// Entities are never expanded from outside: the HTML parser only knows HTML 4's own.
    static let options = Int32(
        HTML_PARSE_NONET.rawValue | HTML_PARSE_NOERROR.rawValue | HTML_PARSE_NOWARNING.rawValue
            | HTML_PARSE_NOIMPLIED.rawValue | HTML_PARSE_RECOVER.rawValue
            | HTML_PARSE_IGNORE_ENC.rawValue | HTML_PARSE_NODEFDTD.rawValue)

    private static let initialized: Bool = {
        xmlInitParser()
        return true
    }()

    /// Initialises libxml2 once per process, before any parser runs on any thread.
    static func initialize() { _ = initialized }

    /// Parses `html` as the content of a `<kiosque-root>` element, so that text at the top level
    /// is not wrapped in an implied `<p>` and the walker always starts from the same context.
    /// The wrapper has a name no HTML tag can close and is left open (an unterminated attribute
    /// would otherwise swallow a closing tag). NUL bytes are removed first: libxml2 ends
    /// attribute values at a NUL. The caller frees the document.
    static func parseFragment(_ html: String) -> htmlDocPtr? {
        initialize()
        var buffer: [UInt8] = []
        buffer.reserveCapacity(html.utf8.count + wrapperOpen.count)
        buffer.append(contentsOf: wrapperOpen)
        buffer.append(contentsOf: html.utf8)
        if buffer.contains(0) { buffer.removeAll { $0 == 0 } }
        guard buffer.count < Int(Int32.max) else { return nil }
        return buffer.withUnsafeBufferPointer { bytes in
            bytes.baseAddress!.withMemoryRebound(to: CChar.self, capacity: bytes.count) { chars in
                htmlReadMemory(chars, Int32(bytes.count), nil, "UTF-8", options)
            }
        }
    }

    /// Frees a document returned by `parseFragment`.
    static func free(_ doc: htmlDocPtr) { xmlFreeDoc(doc) }

    /// True when libxml2 ends an open `parent` element on meeting a `child` start tag.
    static func autoCloses(child: [UInt8], parent: [UInt8]) -> Bool {
        let childName = child + [0]
        let parentName = parent + [0]
        return childName.withUnsafeBufferPointer { childPointer in
            parentName.withUnsafeBufferPointer { parentPointer in
                var node = xmlNode()
                node.name = childPointer.baseAddress
                return htmlAutoCloseTag(nil, parentPointer.baseAddress, &node) != 0
            }
        }
    }

    /// True when libxml2's HTML 4 table knows `name` as an empty element.
    static func isEmpty(_ name: String) -> Bool {
        guard let description = htmlTagLookup(name) else { return false }
        return description.pointee.empty != 0
    }

    /// True when `<name><name>` does not nest (as with p, li, a): found by parsing it.
    static func closesItself(_ name: [UInt8]) -> Bool {
        let tag = String(decoding: name, as: UTF8.self)
        guard let doc = parseFragment("<\(tag)><\(tag)></\(tag)></\(tag)>") else { return false }
        defer { free(doc) }
        guard let wrapper = firstElement(doc.pointee.children),
              let outer = firstElement(wrapper.pointee.children) else { return false }
        return firstElement(outer.pointee.children) == nil
    }

    /// The first element node in a sibling list.
    static func firstElement(_ start: xmlNodePtr?) -> xmlNodePtr? {
        var node = start
        while let current = node, current.pointee.type != XML_ELEMENT_NODE { node = current.pointee.next }
        return node
    }

    /// The name of the element every fragment is parsed inside.
    static let wrapperName = "kiosque-root"
    private static let wrapperOpen: [UInt8] = Array("<\(wrapperName)>".utf8)
}

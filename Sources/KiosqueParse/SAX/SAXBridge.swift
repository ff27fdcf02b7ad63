// The small, sharp bridge between libxml2's SAX2 push parser and the feed readers.
// One instance per parse, used synchronously by that one call (libxml2 calls back on our thread).
internal import CLibXML2
internal import Foundation

/// Drives libxml2 over a UTF-8 (or libxml2-decodable) buffer and forwards events to a `SAXReader`.
final class SAXBridge {
    /// Decides which reader handles the document from its root element (nil: not a feed).
    typealias RootDispatch = (XMLName, SAXAttributes, SAXBridge) -> SAXReader?

    let documentURL: String?
    private let dispatch: RootDispatch
    private(set) var reader: SAXReader?
    /// The same reader, called on every event without a retain/release pair (`reader` owns it).
    private var activeReader: Unmanaged<SAXReader>?
    /// Why the root element was refused, when it was.
    var rejection: String?
    let names = NameCache()
    static let maxDepth = 200

    // The state below is touched on every SAX event. The bridge is used by one synchronous parse
    // and no method holds an access to these properties across a call that could reach them
    // again, so the dynamic exclusivity checks (a measurable share of the parse) are switched off.
    @exclusivity(unchecked) private(set) var depth = 0

    // Capture state: the element at `captureDepth` collects its content into `buffer`.
    @exclusivity(unchecked) private var captureDepth = -1
    @exclusivity(unchecked) private var mode = CaptureMode.text
    @exclusivity(unchecked) private var buffer: [UInt8] = []
    @exclusivity(unchecked) private var voidDepths: [Int] = []
    @exclusivity(unchecked) private var xhtmlChildren = 0, xhtmlDivStart = -1, xhtmlDivEnd = -1, xhtmlLooseText = false
    @exclusivity(unchecked) private var sawOwnText = false
    /// Where the content of the element that just ended sits in `buffer`, when it was captured.
    @exclusivity(unchecked) private var capturedRange: Range<Int>?

    /// Whether the element that just ended was captured: a nested element of the same name (an
    /// `<image><title>` inside an entry) ends too, and must not blank the field read before it.
    var hasCaptured: Bool { capturedRange != nil }

    /// The content of the element that just ended, when it was captured (else empty).
    var captured: String {
        guard let range = capturedRange else { return "" }
        return buffer.withUnsafeBufferPointer { PlainText.string(UnsafeBufferPointer(rebasing: $0[range])) }
    }

    /// That content as HTML for later, given its plain text `plain` just made from it. Text
    /// without markup, entities or odd spacing (most plain descriptions) reads the same both
    /// ways: the String is then shared rather than kept as bytes and validated a second time.
    /// `isText` marks plain text that still needs escaping to become HTML.
    func capturedHTML(plain: String?, isText: Bool = false) -> DeferredHTML {
        guard let range = capturedRange else { return DeferredHTML(bytes: []) }
        return buffer.withUnsafeBufferPointer { all in
            let bytes = UnsafeBufferPointer(rebasing: all[range])
            if var plain, plain.utf8.count == bytes.count,
               plain.withUTF8({ bytes.isEmpty || memcmp($0.baseAddress!, bytes.baseAddress!, bytes.count) == 0 }),
               !isText || !bytes.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E }) {
                return DeferredHTML(string: plain)
            }
            return DeferredHTML(bytes: Array(bytes), isText: isText)
        }
    }

    /// That content read as a date into `draft` (with its warning, if any), without a String.
    func capturedDate(_ draft: inout FeedDraft, at place: @autoclosure () -> String) -> Date? {
        guard let range = capturedRange else { return draft.date(UnsafeBufferPointer(start: nil, count: 0), at: place()) }
        return buffer.withUnsafeBufferPointer { draft.date(UnsafeBufferPointer(rebasing: $0[range]), at: place()) }
    }

    /// That content as HTML escaped from plain text, without the intermediate String.
    var capturedEscaped: String {
        guard let range = capturedRange else { return "" }
        return buffer.withUnsafeBufferPointer { PlainText.escapeHTML(UnsafeBufferPointer(rebasing: $0[range])) }
    }

    /// That content as plain text from HTML, without building the intermediate String.
    var capturedPlainFromHTML: String? {
        guard let range = capturedRange else { return nil }
        return buffer.withUnsafeBufferPointer { PlainText.fromHTML(UnsafeBufferPointer(rebasing: $0[range])) }
    }

    /// That content with whitespace collapsed (text constructs that are plain already).
    var capturedCollapsed: String? {
        guard let range = capturedRange else { return nil }
        return buffer.withUnsafeBufferPointer { PlainText.collapse(UnsafeBufferPointer(rebasing: $0[range])) }
    }

    /// In-scope xml:base values, absolute, with the depth that declared them.
    @exclusivity(unchecked) private var bases: [(depth: Int, url: String)] = []

    // Errors: the first few are kept verbatim, the rest counted.
    private(set) var errorMessages: [String] = []
    private(set) var errorCount = 0
    private(set) var depthExceeded = false
    /// When set, the first error stops the parse so the caller can retry on repaired bytes
    /// (libxml2 drops every named entity reference once a document is known to be malformed).
    var stopOnFirstError = false
    private(set) var stoppedOnError = false
    fileprivate var context: xmlParserCtxtPtr?

    init(documentURL: String?, dispatch: @escaping RootDispatch) {
        self.documentURL = documentURL
        self.dispatch = dispatch
    }

    /// The base URL in scope: the nearest xml:base, else the document's URL.
    var currentBase: String? { bases.last?.url ?? documentURL }

    /// The nearest xml:base in scope, when the document declares one (content HTML is then
    /// resolved against it rather than against the item's link).
    var declaredBase: String? { bases.last?.url }

    /// Starts collecting the current element's content, delivered as `captured` in its `end`.
    func capture(_ mode: CaptureMode) {
        captureDepth = depth
        self.mode = mode
        buffer.removeAll(keepingCapacity: true)
        xhtmlChildren = 0; xhtmlDivStart = -1; xhtmlDivEnd = -1; xhtmlLooseText = false; sawOwnText = false
    }

    /// Stops the parse for good (root refused, depth bound, first error in the first pass).
    /// Not `xmlStopParser`: in libxml2 2.9 it frees the input buffer that `xmlParseChunk`, our
    /// caller, still reads after the callback returns (a crash the fuzzer found). Marking the
    /// context finished and SAX disabled halts the same loop without freeing anything.
    func stop() {
        stopped = true
        if let context {
            context.pointee.instate = XML_PARSER_EOF
            context.pointee.disableSAX = 1
        }
    }

    private var stopped = false

    /// The value of attribute `local` in namespace `ns`, with libxml2's `&#38;` escape undone.
    func attribute(_ local: LocalName, ns: XMLNamespace = .none, in attributes: SAXAttributes) -> String? {
        guard let array = attributes.pointer else { return nil }
        for i in 0..<attributes.count {
            guard let name = array[i * 5], names.local(name) == local,
                  names.namespace(array[i * 5 + 2]) == ns,
                  let start = array[i * 5 + 3], let end = array[i * 5 + 4] else { continue }
            let value = UnsafeBufferPointer(start: start, count: end - start)
            // Most values hold no `&` at all: decode them in place, without the unescaped copy.
            if !value.contains(0x26) { return String(decoding: value, as: UTF8.self) }
            return String(decoding: Self.unescapeAmp(value), as: UTF8.self)
        }
        return nil
    }

    /// libxml2 (without entity substitution) reports `&amp;` in attribute values as `&#38;`.
    static func unescapeAmp(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            if bytes[i] == 0x26, i + 4 < bytes.count, bytes[i + 1] == 0x23, bytes[i + 2] == 0x33,
               bytes[i + 3] == 0x38, bytes[i + 4] == 0x3B {
                out.append(0x26)
                i += 5
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return out
    }

    // MARK: events (called from the C callbacks)

    fileprivate func startElement(_ localname: UnsafePointer<UInt8>, _ prefix: UnsafePointer<UInt8>?,
                                  _ uri: UnsafePointer<UInt8>?, _ attributes: SAXAttributes) {
        depth += 1
        guard depth <= Self.maxDepth else {
            depthExceeded = true
            stop()
            return
        }
        if captureDepth >= 0 {
            if mode != .text && mode != .ownText { serializeStart(localname, prefix, uri, attributes) }
            return
        }
        var name = XMLName(ns: namespace(uri, prefix), local: names.local(localname))
        if activeReader == nil, name.ns == .other, prefix == nil, let uri, name.local == .rss || name.local == .feed {
            // `<rss xmlns="…">` or `<feed xmlns="…">` in a namespace nobody knows (a typo, a draft):
            // the document is read by its element names, as feedparser reads it.
            name.ns = name.local == .rss ? .none : (attribute(.version, in: attributes) == "0.3" ? .atom03 : .atom)
            names.alias(uri, as: name.ns)
        }
        if attributes.count > 0, let base = attribute(.base, ns: .xml, in: attributes) {
            let resolved = URLResolver.resolve(base, against: currentBase) ?? base
            bases.append((depth, resolved))
        }
        if let activeReader {
            activeReader._withUnsafeGuaranteedRef { $0.start(name, attributes, self) }
        } else if let chosen = dispatch(name, attributes, self) {
            reader = chosen
            activeReader = Unmanaged.passUnretained(chosen)
            chosen.start(name, attributes, self)
        } else {
            let root = String(cString: UnsafeRawPointer(localname).assumingMemoryBound(to: CChar.self))
            rejection = "root element <\(root.prefix(40))> is not rss, feed or rdf:RDF"
            stop()
        }
    }

    fileprivate func endElement(_ localname: UnsafePointer<UInt8>, _ prefix: UnsafePointer<UInt8>?,
                                _ uri: UnsafePointer<UInt8>?) {
        defer { depth -= 1 }
        guard depth <= Self.maxDepth else { return }
        if captureDepth >= 0 && depth > captureDepth {
            if mode != .text && mode != .ownText { serializeEnd(localname, prefix, uri) }
            return
        }
        let name = XMLName(ns: namespace(uri, prefix), local: names.local(localname))
        if depth == captureDepth {
            capturedRange = finishCapture()
            captureDepth = -1
        }
        activeReader?._withUnsafeGuaranteedRef { $0.end(name, self) }
        capturedRange = nil
        if let last = bases.last, last.depth == depth { bases.removeLast() }
    }

    fileprivate func characters(_ ch: UnsafePointer<UInt8>, _ length: Int) {
        guard captureDepth >= 0 else { return }
        let text = UnsafeBufferPointer(start: ch, count: length)
        let nested = depth > captureDepth
        if mode == .ownText {
            if nested { if sawOwnText { return } } else if !sawOwnText { sawOwnText = text.contains { $0 > 0x20 } }
        }
        if mode == .xhtml && !nested && !xhtmlLooseText {
            xhtmlLooseText = text.contains { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }
        }
        if mode == .xhtml || (mode == .markup && nested) {
            MarkupWriter.appendEscaped(text, to: &buffer, quotes: false)
        } else {
            buffer.append(contentsOf: text)
        }
    }

    fileprivate func error(_ error: UnsafePointer<xmlError>) {
        let level = error.pointee.level
        guard level == XML_ERR_ERROR || level == XML_ERR_FATAL else { return }
        errorCount += 1
        if errorMessages.count < 5 {
            let message = error.pointee.message.map { String(cString: $0) } ?? "malformed XML"
            let trimmed = message.trimmingCharacters(in: .whitespacesAndNewlines)
                .replacingOccurrences(of: "\n", with: " ")
            errorMessages.append("XML line \(error.pointee.line): \(trimmed)")
        }
        // Namespace errors (an undeclared `dc:` prefix…) leave entity handling intact: no retry needed.
        if stopOnFirstError && error.pointee.domain != Int32(XML_FROM_NAMESPACE.rawValue) {
            stoppedOnError = true
            stop()
        }
    }

    /// The namespace of an element; a prefix used without its declaration (`dc:creator` in a feed
    /// that forgot `xmlns:dc`) or declared with a misspelt URI (`…/modules/content` without its
    /// final slash) is read by its conventional meaning, as feedparser does.
    private func namespace(_ uri: UnsafePointer<UInt8>?, _ prefix: UnsafePointer<UInt8>?) -> XMLNamespace {
        guard let prefix else { return names.namespace(uri) }
        let ns = uri == nil ? .other : names.namespace(uri)
        return ns == .other ? names.conventionalNamespace(prefix: prefix) : ns
    }

    // MARK: capture helpers

    private func serializeStart(_ localname: UnsafePointer<UInt8>, _ prefix: UnsafePointer<UInt8>?,
                                _ uri: UnsafePointer<UInt8>?, _ attributes: SAXAttributes) {
        let topLevel = depth == captureDepth + 1
        if mode == .xhtml && topLevel {
            xhtmlChildren += 1
            if xhtmlChildren == 1, names.namespace(uri) == .xhtml, names.local(localname) == .div {
                xhtmlDivStart = -2 // marks "first child is the wrapper div"; offset set below
            }
        }
        // `<h:p>` in XHTML content is HTML's `<p>`: the prefix would hide the element from browsers.
        let isVoid = MarkupWriter.writeStart(localname, names.namespace(uri) == .xhtml ? nil : prefix, attributes, to: &buffer)
        if isVoid { voidDepths.append(depth) }
        if xhtmlDivStart == -2 { xhtmlDivStart = buffer.count }
    }

    private func serializeEnd(_ localname: UnsafePointer<UInt8>, _ prefix: UnsafePointer<UInt8>?, _ uri: UnsafePointer<UInt8>?) {
        if mode == .xhtml && depth == captureDepth + 1 && xhtmlChildren == 1 && xhtmlDivStart >= 0 {
            xhtmlDivEnd = buffer.count
        }
        if let last = voidDepths.last, last == depth {
            voidDepths.removeLast()
            return
        }
        MarkupWriter.writeEnd(localname, names.namespace(uri) == .xhtml ? nil : prefix, to: &buffer)
    }

    private func finishCapture() -> Range<Int> {
        voidDepths.removeAll()
        var range = 0..<buffer.count
        if mode == .xhtml, xhtmlChildren == 1, xhtmlDivStart >= 0, xhtmlDivEnd >= xhtmlDivStart, !xhtmlLooseText {
            range = xhtmlDivStart..<xhtmlDivEnd
        }
        return MojibakeRepair.repair(&buffer, range)
    }

    // MARK: driving libxml2

    /// Parses `bytes` (UTF-8 unless `encoding` names another charset for libxml2 to decode).
    func parse(_ bytes: UnsafeRawBufferPointer, encoding: String?) {
        var handler = xmlSAXHandler()
        handler.initialized = XML_SAX2_MAGIC
        handler.startElementNs = { ctx, localname, prefix, uri, _, _, count, _, attributes in
            guard let ctx, let localname else { return }
            // The parse call keeps the bridge alive: borrow it without a retain/release per event.
            Unmanaged<SAXBridge>.fromOpaque(ctx)._withUnsafeGuaranteedRef {
                $0.startElement(localname, prefix, uri, SAXAttributes(pointer: attributes, count: Int(count)))
            }
        }
        handler.endElementNs = { ctx, localname, prefix, uri in
            guard let ctx, let localname else { return }
            Unmanaged<SAXBridge>.fromOpaque(ctx)._withUnsafeGuaranteedRef { $0.endElement(localname, prefix, uri) }
        }
        handler.characters = { ctx, ch, length in
            guard let ctx, let ch else { return }
            Unmanaged<SAXBridge>.fromOpaque(ctx)._withUnsafeGuaranteedRef { $0.characters(ch, Int(length)) }
        }
        handler.cdataBlock = handler.characters
        handler.serror = { ctx, error in
            guard let ctx, let error else { return }
            Unmanaged<SAXBridge>.fromOpaque(ctx).takeUnretainedValue().error(error)
        }
        let me = Unmanaged.passUnretained(self).toOpaque()
        // Errors raised outside the context (I/O warnings) go to the thread's structured handler:
        // route them to us for this parse so nothing reaches stderr, then restore the previous one.
        let savedHandler = __xmlStructuredError().pointee
        let savedContext = __xmlStructuredErrorContext().pointee
        xmlSetStructuredErrorFunc(me, handler.serror)
        defer { xmlSetStructuredErrorFunc(savedContext, savedHandler) }

        guard let ctxt = xmlCreatePushParserCtxt(&handler, me, nil, 0, nil) else { return }
        context = ctxt
        var options = Int32(XML_PARSE_RECOVER.rawValue | XML_PARSE_NONET.rawValue)
        if let encoding, let charset = xmlFindCharEncodingHandler(encoding) {
            xmlSwitchToEncoding(ctxt, charset)
            options |= Int32(XML_PARSE_IGNORE_ENC.rawValue)
        } else {
            xmlSwitchEncoding(ctxt, XML_CHAR_ENCODING_UTF8)
            options |= Int32(XML_PARSE_IGNORE_ENC.rawValue)
        }
        xmlCtxtUseOptions(ctxt, options)
        let chunk = 1 << 18
        var offset = 0
        let base = bytes.baseAddress?.assumingMemoryBound(to: CChar.self)
        repeat {
            let size = min(chunk, bytes.count - offset)
            let last = offset + size >= bytes.count
            let status = xmlParseChunk(ctxt, base.map { $0 + offset }, Int32(size), last ? 1 : 0)
            offset += size
            if stopped || ctxt.pointee.instate == XML_PARSER_EOF || (status != 0 && ctxt.pointee.disableSAX != 0) { break }
        } while offset < bytes.count
        if let doc = ctxt.pointee.myDoc {
            // A DOCTYPE with an internal subset makes libxml2 build a document even in SAX mode.
            xmlFreeDoc(doc)
            ctxt.pointee.myDoc = nil
        }
        xmlFreeParserCtxt(ctxt)
        context = nil
    }
}

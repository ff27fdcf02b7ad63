import CLibXML2

/// Walks a parsed fragment once, writing the allowed HTML and/or its plain text.
///
/// The walk is iterative (an explicit stack of open elements), so depth costs heap, never the
/// call stack. Two rules make the output read back exactly as written (idempotence):
/// an element that libxml2 would end on meeting its child (a `<p>` met by a `<div>` after an
/// unknown wrapper was unwrapped) loses its own tags instead, and output nesting is capped at
/// `maxDepth`, below the parser's own depth limit.
struct TreeWalker {
    let policy: CompiledPolicy
    let urls: URLFilter
    let wantHTML: Bool
    let wantText: Bool
    private(set) var html: HTMLWriter
    private(set) var text: TextWriter
    /// The attributes of the element being written; nil value means a valueless flag.
    private var attributes: [(name: String, value: String?)] = []

    init(policy: CompiledPolicy, urls: URLFilter, wantHTML: Bool, wantText: Bool, capacity: Int) {
        self.policy = policy
        self.urls = urls
        self.wantHTML = wantHTML
        self.wantText = wantText
        html = HTMLWriter(capacity: wantHTML ? capacity : 0)
        text = TextWriter(capacity: wantText ? capacity / 2 : 0)
    }

    private struct Frame {
        let node: xmlNodePtr
        /// Rule id of the element written for this node, or -1 when its tags were left out.
        let written: Int
        let textBreak: TextBreak
    }

    /// Walks the whole document produced by `LibXML.parseFragment`.
    mutating func walk(_ doc: htmlDocPtr) {
        var stack: [Frame] = []
        var open: [Int] = [policy.rootID]  // rule ids of the elements written and still open
        var node: xmlNodePtr? = doc.pointee.children
        var wrapperSeen = false
        while true {
            guard let current = node else {
                guard let frame = stack.popLast() else { break }
                if frame.written >= 0 {
                    let rule = policy.rules[frame.written]
                    if wantHTML && !rule.isVoid { html.endTag(rule.name) }
                    open.removeLast()
                }
                breakText(frame.textBreak)
                node = frame.node.pointee.next
                continue
            }
            switch current.pointee.type {
            case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                if let content = current.pointee.content {
                    if wantHTML { html.text(content) }
                    if wantText { text.text(content) }
                }
                node = current.pointee.next
            case XML_ELEMENT_NODE where !wrapperSeen:
                // Our own wrapper around the fragment: its content is the top level.
                wrapperSeen = true
                stack.append(Frame(node: current, written: -1, textBreak: .none))
                node = current.pointee.children
            case XML_ELEMENT_NODE:
                node = enter(current, stack: &stack, open: &open)
            default:  // comments, processing instructions, DTD nodes
                node = current.pointee.next
            }
        }
    }

    /// Handles one element; returns the next node to visit.
    private mutating func enter(_ element: xmlNodePtr, stack: inout [Frame], open: inout [Int]) -> xmlNodePtr? {
        let name = String(cString: element.pointee.name)
        let textBreak = TextBreak.of(name)
        guard let action = policy.actions[name] else {
            return unwrap(element, textBreak, &stack)  // unknown element: keep its content only
        }
        guard case .keep(let ruleID) = action else { return element.pointee.next }
        let rule = policy.rules[ruleID]
        guard wantHTML else {
            // Text only: attributes do not matter; an iframe's fallback content is never shown.
            return rule.role == .iframe ? element.pointee.next : unwrap(element, textBreak, &stack)
        }
        let decision = prepare(element, rule: rule)
        guard case .write(let outID) = decision else {
            // A void element has no content of its own; any children it has (libxml2 reads
            // `<mailto:img>` as `img`) are kept, as in text-only mode.
            let keepContent = decision == .unwrap || rule.isVoid
            return keepContent ? unwrap(element, textBreak, &stack) : element.pointee.next
        }
        let out = policy.rules[outID]
        let parent = open[open.count - 1]
        if open.count > policy.maxDepth || policy.closes[parent * policy.rules.count + outID] {
            // Written here, it would not read back the same: keep the content, not the tags.
            return out.role == .iframe ? element.pointee.next : unwrap(element, textBreak, &stack)
        }
        breakText(textBreak)
        html.startTag(out.name)
        for attribute in attributes {
            if let value = attribute.value {
                html.attribute(attribute.name, value)
            } else {
                html.flag(attribute.name)
            }
        }
        html.finishStartTag()
        if out.isVoid && element.pointee.children == nil { return element.pointee.next }
        if out.isVoid && out.parserEmpty {
            // Children of an element libxml2 knows as empty read back as its siblings: write
            // them in the parent's context.
            stack.append(Frame(node: element, written: -1, textBreak: textBreak))
            return element.pointee.children
        }
        if out.role == .iframe {
            html.endTag(out.name)
            return element.pointee.next
        }
        stack.append(Frame(node: element, written: outID, textBreak: textBreak))
        open.append(outID)
        return element.pointee.children
    }

    private mutating func unwrap(_ element: xmlNodePtr, _ textBreak: TextBreak, _ stack: inout [Frame]) -> xmlNodePtr? {
        breakText(textBreak)
        stack.append(Frame(node: element, written: -1, textBreak: textBreak))
        return element.pointee.children
    }

    private mutating func breakText(_ kind: TextBreak) {
        guard wantText else { return }
        switch kind {
        case .line: text.lineBreak()
        case .cell: text.space()
        case .none: break
        }
    }

    // MARK: - Attributes and element roles

    /// Fills `attributes` for `element` and decides how it is written.
    private mutating func prepare(_ element: xmlNodePtr, rule: ElementRule) -> TreeWalkerDecision {
        attributes.removeAll(keepingCapacity: true)
        var lazySource: String?
        var markedLevel: Int?
        var property = element.pointee.properties
        while let attribute = property {
            property = attribute.pointee.next
            let name = String(cString: attribute.pointee.name)
            if let kind = rule.attributes[name] {
                if kind == .flag {
                    attributes.append((name, nil))
                } else if let value = AttributeValues.clean(Self.value(of: attribute), as: kind, urls: urls) {
                    attributes.append((name, value))
                }
            } else if rule.role == .image, AttributeValues.lazySourceNames.contains(name) {
                lazySource = lazySource ?? Self.value(of: attribute)
            } else if case .heading = rule.role, name == ElementRoles.levelAttribute {
                markedLevel = Self.value(of: attribute).flatMap { Int($0) }
            }
        }
        switch rule.role {
        case .plain: return .write(rule.id)
        case .link: return ElementRoles.link(&attributes, rule)
        case .image: return ElementRoles.image(&attributes, rule, lazySource: lazySource, urls: urls, policy: policy)
        case .iframe: return ElementRoles.iframe(&attributes, rule, policy: policy)
        case .media: return ElementRoles.media(&attributes, rule)
        case .source: return ElementRoles.source(&attributes, rule)
        case .heading(let level): return ElementRoles.heading(&attributes, level: level, marked: markedLevel, policy: policy)
        }
    }

    /// The decoded value of an attribute; nil when it has none (`<video controls>`).
    private static func value(of attribute: xmlAttrPtr) -> String? {
        guard let child = attribute.pointee.children else { return nil }
        if child.pointee.next == nil, let content = child.pointee.content { return String(cString: content) }
        guard let joined = xmlNodeListGetString(attribute.pointee.doc, child, 1) else { return nil }
        defer { kiosque_xmlFree(joined) }
        return String(cString: joined)
    }
}

/// How an element separates its text from its neighbours' in extracted text.
enum TextBreak {
    case none, line, cell

    static func of(_ name: String) -> TextBreak {
        if lineElements.contains(name) { return .line }
        return name == "td" || name == "th" ? .cell : .none
    }

    /// Block-level elements (as written in the input): their text stands on its own lines.
    static let lineElements: Set<String> = [
        "p", "br", "hr", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "dl", "dt", "dd",
        "blockquote", "pre", "figure", "figcaption", "table", "caption", "thead", "tbody", "tfoot", "tr",
        "section", "article", "header", "footer", "main", "aside", "nav", "address", "center", "details",
        "summary", "form", "fieldset", "legend", "body", "html", "hgroup", "picture", "video", "audio",
    ]
}

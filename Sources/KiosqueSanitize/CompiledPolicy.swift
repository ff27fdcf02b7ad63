import CLibXML2

/// Elements whose output needs more than copying allowed attributes.
enum ElementRole: Sendable, Equatable {
    case plain, link, image, iframe, media, source
    case heading(Int)
}

/// One element as written out: its name, allowed attributes and role.
struct ElementRule: Sendable {
    let id: Int
    let name: [UInt8]
    let attributes: [String: AttributeKind]
    let isVoid: Bool
    /// libxml2 knows it as empty (img, br…), unlike HTML5-only voids (source, wbr).
    let parserEmpty: Bool
    let role: ElementRole
}

/// What the walker does with an input element.
enum TagAction: Sendable {
    /// Write it as the rule with this id (its own name or the renamed one).
    case keep(Int)
    /// Remove it and its content.
    case drop
}

/// A `SanitizerPolicy` turned into lookup tables once, when a sanitizer is created.
final class CompiledPolicy: Sendable {
    let rules: [ElementRule]
    let actions: [String: TagAction]
    /// `closes[parent * rules.count + child]`: libxml2 would end `parent` on meeting `child`,
    /// so writing `child` inside `parent` would not read back as written.
    let closes: [Bool]
    /// The rule standing for the wrapper element every fragment is parsed in (never written).
    let rootID: Int
    /// Rule ids of h1…h6 (index 1…6), -1 when a level is not allowed.
    let headingIDs: [Int]
    let maxDepth: Int
    let urlSchemes: Set<String>
    let iframeHosts: Set<String>
    let trackerHosts: [String]

    init(_ policy: SanitizerPolicy) {
        LibXML.initialize()
        var rules: [ElementRule] = []
        var idByName: [String: Int] = [:]
        let names = policy.allowedElements.keys.sorted() + [LibXML.wrapperName]
        for name in names {
            let id = rules.count
            rules.append(ElementRule(id: id, name: Array(name.utf8),
                                     attributes: policy.allowedElements[name] ?? [:],
                                     isVoid: Self.voidElements.contains(name), parserEmpty: LibXML.isEmpty(name),
                                     role: Self.role(of: name)))
            idByName[name] = id
        }
        var actions: [String: TagAction] = [:]
        for name in policy.droppedElements { actions[name] = .drop }
        for (from, to) in policy.renamedElements {
            if let id = idByName[to], policy.allowedElements[from] == nil { actions[from] = .keep(id) }
        }
        for name in policy.allowedElements.keys { actions[name] = .keep(idByName[name]!) }
        self.rules = rules
        self.actions = actions
        self.rootID = idByName[LibXML.wrapperName]!
        self.headingIDs = [-1] + (1...6).map { idByName["h\($0)"] ?? -1 }
        self.closes = Self.nestingTable(rules)
        self.maxDepth = max(1, min(policy.maxDepth, 200))  // libxml2 stops parsing at depth 256
        self.urlSchemes = Set(policy.urlSchemes.map { $0.lowercased() })
        self.iframeHosts = Set(policy.iframeHosts.map { $0.lowercased() })
        self.trackerHosts = policy.trackerHosts.map { $0.lowercased() }
    }

    /// True when `host` is a tracker host or one of its subdomains.
    func isTracker(host: String) -> Bool {
        trackerHosts.contains { host == $0 || host.hasSuffix("." + $0) }
    }

    /// Elements written without an end tag. libxml2 (an HTML 4 parser) does not know `source`,
    /// `track` and `wbr` as empty, so after them it nests the following siblings inside; the
    /// walker writes such children after the start tag, which reads back the same way.
    static let voidElements: Set<String> = ["br", "hr", "img", "wbr", "col", "source", "track"]

    private static func role(of name: String) -> ElementRole {
        switch name {
        case "a": .link
        case "img": .image
        case "iframe": .iframe
        case "audio", "video": .media
        case "source": .source
        case "h1", "h2", "h3", "h4", "h5", "h6": .heading(Int(String(name.last!))!)
        default: .plain
        }
    }

    /// Asks libxml2 itself which allowed elements end which: `htmlAutoCloseTag` answers for two
    /// different names; for an element inside one of its own kind, a two-element parse does.
    private static func nestingTable(_ rules: [ElementRule]) -> [Bool] {
        let count = rules.count
        var closes = [Bool](repeating: false, count: count * count)
        for parent in rules {
            for child in rules {
                closes[parent.id * count + child.id] = parent.id == child.id
                    ? LibXML.closesItself(parent.name)
                    : LibXML.autoCloses(child: child.name, parent: parent.name)
            }
        }
        return closes
    }
}

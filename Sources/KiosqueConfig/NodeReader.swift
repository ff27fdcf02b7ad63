import Foundation
import Yams

/// Reads a composed YAML tree field by field, recording every problem with its line and column
/// instead of stopping at the first one.
final class NodeReader {
    let file: String
    private(set) var diagnostics: [ConfigDiagnostic] = []
    /// Declared catalogue ids by kind (`source`, `channel`…), with the node that declared each.
    var declared: [String: [String: Node]] = [:]
    /// Cross-references waiting to be checked.
    var pendingReferences: [Reference] = []

    init(file: String) {
        self.file = file
    }

    func location(_ node: Node?) -> SourceLocation? {
        node?.mark.map { SourceLocation(line: $0.line, column: $0.column) }
    }

    func error(_ node: Node?, _ message: String) {
        diagnostics.append(ConfigDiagnostic(.error, file: file, at: location(node), message))
    }

    func warning(_ node: Node?, _ message: String) {
        diagnostics.append(ConfigDiagnostic(.warning, file: file, at: location(node), message))
    }

    /// The key/value pairs of a mapping whose keys must all be in `allowed`; unknown keys are reported
    /// (with a suggestion when one is close). Returns nil (and reports) when the node is not a mapping.
    func fields(_ node: Node, in context: String, allowed: [String]) -> Fields? {
        guard case .mapping(let mapping) = node else {
            error(node, "\(context) must be a mapping of `key: value` pairs, found \(describe(node))")
            return nil
        }
        var result = Fields(node: node, context: context)
        for (keyNode, value) in mapping {
            guard let key = keyNode.scalar?.string else {
                error(keyNode, "\(context): keys must be plain words")
                continue
            }
            guard allowed.contains(key) else {
                var message = "\(context): unknown key `\(key)`"
                if let near = Self.closest(to: key, in: allowed) { message += " (did you mean `\(near)`?)" }
                message += "; allowed keys: \(allowed.joined(separator: ", "))"
                error(keyNode, message)
                continue
            }
            result.values[key] = (keyNode, value)
        }
        return result
    }

    /// A list node's elements; reports and returns nil when the node is not a list.
    func list(_ node: Node, field: String) -> [Node]? {
        guard case .sequence(let sequence) = node else {
            error(node, "`\(field)` must be a list (`[a, b]` or one `- item` per line), found \(describe(node))")
            return nil
        }
        return Array(sequence)
    }

    func string(_ node: Node, field: String) -> String? {
        guard case .scalar(let scalar) = node else {
            error(node, "`\(field)` must be text, found \(describe(node))")
            return nil
        }
        if scalar.tag == .init(.null) && scalar.style == .plain { return nil }
        return scalar.string
    }

    func nonEmptyString(_ node: Node, field: String) -> String? {
        guard let s = string(node, field: field) else { return nil }
        let trimmed = s.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty {
            error(node, "`\(field)` must not be empty")
            return nil
        }
        return trimmed
    }

    func bool(_ node: Node, field: String) -> Bool? {
        if let scalar = node.scalar {
            switch scalar.string.lowercased() {
            case "true", "yes", "on", "oui": return true
            case "false", "no", "off", "non": return false
            default: break
            }
        }
        error(node, "`\(field)` must be true or false, found \(describe(node))")
        return nil
    }

    func int(_ node: Node, field: String, range: ClosedRange<Int>) -> Int? {
        guard let text = node.scalar?.string, let value = Int(text) else {
            error(node, "`\(field)` must be a whole number, found \(describe(node))")
            return nil
        }
        guard range.contains(value) else {
            error(node, "`\(field)` must be between \(range.lowerBound) and \(range.upperBound), found \(value)")
            return nil
        }
        return value
    }

    func duration(_ node: Node, field: String, minimum: TimeInterval = 1) -> TimeInterval? {
        guard let text = node.scalar?.string, let seconds = ConfigUnits.duration(text) else {
            error(node, "`\(field)` must be a duration such as 30s, 15m, 2h or 1d, found \(describe(node))")
            return nil
        }
        guard seconds >= minimum else {
            error(node, "`\(field)` must be at least \(ConfigUnits.format(duration: minimum)), found \(node.scalar?.string ?? "")")
            return nil
        }
        return seconds
    }

    func size(_ node: Node, field: String) -> Int64? {
        guard let text = node.scalar?.string, let bytes = ConfigUnits.size(text), bytes > 0 else {
            error(node, "`\(field)` must be a size such as 512KB, 5MB or 1GB, found \(describe(node))")
            return nil
        }
        return bytes
    }

    func stringList(_ node: Node, field: String) -> [String]? {
        guard let elements = list(node, field: field) else { return nil }
        return elements.compactMap { nonEmptyString($0, field: "\(field) entry") }
    }

    /// A human description of a node, for "found …" in messages.
    func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let s):
            if s.tag == .init(.null) && s.style == .plain { return "nothing" }
            return "`\(s.string)`"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    /// The allowed word nearest to a misspelt key, if it is close enough to be a likely typo.
    static func closest(to word: String, in candidates: [String]) -> String? {
        let scored = candidates.map { ($0, editDistance(word, $0)) }.min { $0.1 < $1.1 }
        guard let (best, distance) = scored, distance <= (word.count >= 5 ? 2 : 1) else { return nil }
        return best
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            }
            previous = current
        }
        return previous[b.count]
    }
}

/// The known fields found in one mapping, by key.
struct Fields {
    let node: Node
    let context: String
    var values: [String: (key: Node, value: Node)] = [:]

    subscript(_ key: String) -> Node? { values[key]?.value }
}

/// Ids declared and referenced in the catalogue, kept with their nodes so that cross-reference
/// errors point at the exact place.
extension NodeReader {
    /// Records a declared id; reports a duplicate at the second place, naming the first.
    func declare(kind: String, id: String, node: Node) {
        if let first = declared[kind]?[id] {
            let line = location(first).map { " (first declared at line \($0.line))" } ?? ""
            error(node, "duplicate \(kind) id `\(id)`\(line)")
        } else {
            declared[kind, default: [:]][id] = node
        }
    }

    /// A list of ids that must name declared entries of `kind`; checked once everything is read.
    func references(_ node: Node, field: String, kind: String, owner: String) -> [String]? {
        guard let elements = list(node, field: field) else { return nil }
        var ids: [String] = []
        for element in elements {
            guard let id = nonEmptyString(element, field: "\(field) entry") else { continue }
            if ids.contains(id) {
                warning(element, "\(owner) lists \(kind) `\(id)` twice")
                continue
            }
            ids.append(id)
            pendingReferences.append(Reference(kind: kind, id: id, owner: owner, node: element))
        }
        return ids
    }
}

/// A use of an id in the catalogue, to be checked against the declared ids.
struct Reference {
    let kind: String
    let id: String
    let owner: String
    let node: Node
}

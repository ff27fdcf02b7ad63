public import Foundation

/// Why a search text could not be understood; `description` is a message for the agent.
public enum SearchQueryError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Nothing to search for.
    case empty
    /// A `"` was opened at this character offset and never closed.
    case unterminatedQuote(position: Int)
    /// An operator such as `canal:` was given no value.
    case missingValue(operator: String)
    /// A date operator's value is not YYYY-MM-DD (or YYYY-MM, YYYY).
    case invalidDate(operator: String, value: String)
    /// Only exclusions or filters: at least one word must be searched for positively.
    case onlyExclusions
    /// More words or characters than a search may hold.
    case tooLong(maxTerms: Int, maxCharacters: Int)

    /// A French message for the agent (the web layer may translate by case).
    public var description: String {
        switch self {
        case .empty: return "Saisissez au moins un mot à rechercher."
        case .unterminatedQuote(let position):
            return "Le guillemet ouvert au caractère \(position + 1) n'est pas refermé : ajoutez un \" à la fin de l'expression."
        case .missingValue(let op): return "« \(op): » attend une valeur, par exemple \(op):exemple."
        case .invalidDate(let op, let value):
            return "« \(value) » n'est pas une date pour \(op): ; écrivez-la AAAA-MM-JJ, par exemple \(op):2025-01-31."
        case .onlyExclusions: return "Ajoutez au moins un mot à rechercher en plus des exclusions (-mot)."
        case .tooLong(let terms, let characters):
            return "La recherche est trop longue : au plus \(terms) mots et \(characters) caractères."
        }
    }
}

/// A parsed search: pure value, no SQL. Built by `SearchQuery.parse`, turned into FTS5 by the store.
///
/// Syntax: words (all must match), "exact phrase", -word or -"phrase" (exclusion), word* (prefix),
/// canal:ID / channel:ID, source:ID, depuis:DATE / since:DATE, avant:DATE / before:DATE,
/// service:ID and type:X (for departmental documents). Unknown `x:y` stays plain text.
public struct SearchQuery: Sendable, Hashable {
    /// A searched word or phrase.
    public struct Term: Sendable, Hashable {
        /// The text as typed (one word, or several for a phrase).
        public var text: String
        /// Whether it was quoted.
        public var isPhrase: Bool
        /// Whether it ended with `*`.
        public var isPrefix: Bool

        /// Creates a value with every field.
        public init(text: String, isPhrase: Bool, isPrefix: Bool) {
            self.text = text
            self.isPhrase = isPhrase
            self.isPrefix = isPrefix
        }
    }

    /// Terms that must all match.
    public var required: [Term] = []
    /// Terms that must not match.
    public var excluded: [Term] = []
    /// Restrict to these channels (any of them).
    public var channels: [String] = []
    /// Restrict to these sources (any of them).
    public var sources: [String] = []
    /// Restrict to these departments' documents.
    public var services: [String] = []
    /// Restrict to these kinds ("article", or a document type).
    public var types: [String] = []
    /// Items dated on or after this instant.
    public var since: Date?
    /// Items dated strictly before this instant.
    public var before: Date?

    /// Whether the query has words for the full-text index (else it only filters).
    public var hasText: Bool { !required.isEmpty }

    /// Whether articles can match: `service:` and document types other than articles name
    /// departmental documents, which have their own search.
    public var findsArticles: Bool {
        services.isEmpty && types.allSatisfy { ["article", "articles", "actualite"].contains($0) }
    }

    /// Parses a search text; `timeZone` interprets dates (the town's local day).
    public static func parse(_ text: String, timeZone: TimeZone = TimeZone(identifier: "Europe/Paris") ?? .current)
        throws(SearchQueryError) -> SearchQuery {
        // Bounded so that a pasted page cannot become a thousand-term FTS5 expression.
        let maxTerms = 32, maxCharacters = 1_000
        guard text.count <= maxCharacters else { throw .tooLong(maxTerms: maxTerms, maxCharacters: maxCharacters) }
        var query = SearchQuery()
        var tokens: [(text: String, quoted: Bool, negated: Bool)] = []
        let chars = Array(withoutControlCharacters(text))
        var i = 0
        while i < chars.count {
            if chars[i].isWhitespace { i += 1; continue }
            var negated = false
            if chars[i] == "-" && i + 1 < chars.count && !chars[i + 1].isWhitespace { negated = true; i += 1 }
            if chars[i] == "\"" || chars[i] == "«" || chars[i] == "“" {
                let open = i
                let closers: Set<Character> = chars[i] == "«" ? ["»"] : (chars[i] == "“" ? ["”", "\""] : ["\""])
                i += 1
                var phrase = ""
                while i < chars.count && !closers.contains(chars[i]) { phrase.append(chars[i]); i += 1 }
                guard i < chars.count else { throw .unterminatedQuote(position: open) }
                i += 1
                var star = false
                if i < chars.count && chars[i] == "*" { star = true; i += 1 }
                tokens.append((phrase + (star ? "*" : ""), true, negated))
                continue
            }
            var word = ""
            while i < chars.count && !chars[i].isWhitespace { word.append(chars[i]); i += 1 }
            tokens.append((word, false, negated))
        }
        for token in tokens {
            if !token.quoted, !token.negated, let colon = token.text.firstIndex(of: ":"),
               let op = Operator(rawValue: token.text[..<colon].lowercased()) {
                let value = String(token.text[token.text.index(after: colon)...])
                guard !value.isEmpty else { throw .missingValue(operator: String(token.text[..<colon])) }
                try query.apply(op, value: value, name: String(token.text[..<colon]), timeZone: timeZone)
                continue
            }
            var body = token.text
            let prefix = body.hasSuffix("*")
            if prefix { body.removeLast() }
            // A term without any letter or digit ("--", "…") would be an empty FTS5 phrase.
            guard body.unicodeScalars.contains(where: { WordScanner.wordScalar($0.value) != nil }) else { continue }
            let term = Term(text: body, isPhrase: token.quoted, isPrefix: prefix)
            if token.negated { query.excluded.append(term) } else { query.required.append(term) }
        }
        if query.required.count + query.excluded.count > maxTerms {
            throw .tooLong(maxTerms: maxTerms, maxCharacters: maxCharacters)
        }
        if query.required.isEmpty {
            if !query.excluded.isEmpty { throw .onlyExclusions }
            let filters = !query.channels.isEmpty || !query.sources.isEmpty || !query.services.isEmpty
                || !query.types.isEmpty || query.since != nil || query.before != nil
            if !filters { throw .empty }
        }
        return query
    }

    /// A query for clients that cannot show a syntax message (the API): what `parse` would refuse
    /// is repaired instead — an unclosed quote is closed, an operator without a usable value is
    /// dropped, a text that is too long is cut. Nil when nothing searchable is left.
    public static func forgiving(_ text: String, timeZone: TimeZone = TimeZone(identifier: "Europe/Paris") ?? .current) -> SearchQuery? {
        var text = String(withoutControlCharacters(text).prefix(1_000))
        for _ in 0..<40 {
            do {
                return try parse(text, timeZone: timeZone)
            } catch {
                switch error {
                case .empty, .onlyExclusions: return nil
                case .unterminatedQuote:
                    text = String(text.unicodeScalars.filter { !"\"«»“”".unicodeScalars.contains($0) }.map(Character.init))
                case .missingValue(let op), .invalidDate(let op, _):
                    let words = text.split(whereSeparator: \.isWhitespace)
                    text = words.filter { !$0.lowercased().hasPrefix(op.lowercased() + ":") }.joined(separator: " ")
                case .tooLong(let maxTerms, _):
                    text = text.split(whereSeparator: \.isWhitespace).prefix(maxTerms).joined(separator: " ")
                    if text.split(whereSeparator: \.isWhitespace).count <= 1 { text = String(text.prefix(100)) }
                }
            }
        }
        return nil
    }

    /// Control characters (NUL above all: FTS5 reads its query as a C string) become spaces, so a
    /// pasted or scanned query never reaches the index with bytes it cannot take.
    static func withoutControlCharacters(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else { return text }
        var cleaned = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            cleaned.append(scalar.properties.generalCategory == .control ? " " : scalar)
        }
        return String(cleaned)
    }

    private enum Operator: String {
        case canal, channel, source, service, type, depuis, since, avant, before
    }

    private mutating func apply(_ op: Operator, value: String, name: String, timeZone: TimeZone) throws(SearchQueryError) {
        switch op {
        case .canal, .channel: channels.append(value)
        case .source: sources.append(value)
        case .service: services.append(value)
        case .type: types.append(value.lowercased())
        case .depuis, .since:
            guard let range = Self.dayRange(value, timeZone: timeZone) else { throw .invalidDate(operator: name, value: value) }
            since = range.start
        case .avant, .before:
            guard let range = Self.dayRange(value, timeZone: timeZone) else { throw .invalidDate(operator: name, value: value) }
            before = range.start
        }
    }

    /// The start of the day, month or year written as YYYY-MM-DD, YYYY-MM or YYYY.
    static func dayRange(_ text: String, timeZone: TimeZone) -> DateInterval? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard (1...3).contains(parts.count), parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              parts[0].count == 4, let year = Int(parts[0]) else { return nil }
        let month = parts.count > 1 ? Int(parts[1]) ?? 0 : 1
        let day = parts.count > 2 ? Int(parts[2]) ?? 0 : 1
        guard (1...12).contains(month), (1...31).contains(day) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let components = DateComponents(year: year, month: month, day: day)
        guard let start = calendar.date(from: components),
              calendar.component(.day, from: start) == day else { return nil }
        return DateInterval(start: start, duration: 86_400)
    }

    /// Creates a value with every field.
    public init(required: [Term] = [], excluded: [Term] = [], channels: [String] = [], sources: [String] = [],
                services: [String] = [], types: [String] = [], since: Date? = nil, before: Date? = nil) {
        self.required = required
        self.excluded = excluded
        self.channels = channels
        self.sources = sources
        self.services = services
        self.types = types
        self.since = since
        self.before = before
    }
}

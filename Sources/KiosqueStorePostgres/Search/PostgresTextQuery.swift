public import KiosqueStoreContract
import PostgresNIO
import Logging

/// The agents' query syntax as a PostgreSQL `tsquery` expression.
///
/// No text typed by an agent is ever parsed as tsquery syntax: words and phrases go through
/// `phraseto_tsquery` as bound parameters (which reads any text as words), and a prefix term is
/// reduced to its letters and digits before `:*` is appended. Terms are combined with the
/// `&&` and `!!` operators on tsquery values, so no operator of the agent's can reach the parser.
enum PostgresTextQuery {
    /// The SQL expression of the query's words, or nil when it only filters.
    static func expression(_ query: SearchQuery, into builder: inout SQLBuilder) -> String? {
        guard query.hasText else { return nil }
        var parts: [String] = []
        for term in query.required {
            if let part = tsquery(term, into: &builder) { parts.append(part) }
        }
        guard !parts.isEmpty else { return "''::tsquery" }
        for term in query.excluded {
            if let part = tsquery(term, into: &builder) { parts.append("!!" + part) }
        }
        return "(" + parts.joined(separator: " && ") + ")"
    }

    /// One term: a phrase (or a single word) stemmed like the index, or an unstemmed prefix.
    static func tsquery(_ term: SearchQuery.Term, into builder: inout SQLBuilder) -> String? {
        guard term.isPrefix else {
            let phrase = "phraseto_tsquery('kiosque_french', \(builder.bind(term.text)))"
            guard let variant = numberVariant(term.text) else { return phrase }
            return "(\(phrase) || phraseto_tsquery('kiosque_french', \(builder.bind(variant))))"
        }
        let chunks = words(term.text)
        guard let last = chunks.last else { return nil }
        var parts = chunks.dropLast().map { "phraseto_tsquery('kiosque_french', \(builder.bind($0)))" }
        parts.append("to_tsquery('kiosque_prefix', \(builder.bind(last + ":*")))")
        return "(" + parts.joined(separator: " && ") + ")"
    }

    /// The word pairs that every match of the query's required phrases holds (v22-postgres-search-word-pairs),
    /// one tsquery text a phrase that has pairs, computed by the database from the phrase as
    /// `phraseto_tsquery` reads it. A phrase of one word, a prefix or an exclusion adds none.
    static func phrasePairs(_ query: SearchQuery, connection: PostgresConnection, logger: Logger) async throws -> [String] {
        let phrases = query.required.filter { !$0.isPrefix && words($0.text).count > 1 }.map(\.text)
        guard !phrases.isEmpty else { return [] }
        var pairs: [String] = []
        for try await text in try await connection.query("SELECT kiosque_phrase_pairs(p)::text FROM unnest(\(phrases)) p",
                                                         logger: logger).decode(String?.self) {
            if let text, !text.isEmpty { pairs.append(text) }
        }
        return pairs
    }

    /// A single word's other number (élus → élu, elu → elus), searched too: Snowball's French
    /// stemmer keeps a plural s after a vowel (élus and élu are two stems), where Kiosque's own
    /// stemmer (SQLite) folds singular and plural. Nil for a phrase or a short word.
    static func numberVariant(_ text: String) -> String? {
        let word = text.lowercased()
        guard word.count >= 3, word.allSatisfy(\.isLetter) else { return nil }
        if word.hasSuffix("s") || word.hasSuffix("x") { return String(word.dropLast()) }
        return word + "s"
    }

    /// The runs of letters and digits of a text: nothing else can reach `to_tsquery`.
    static func words(_ text: String) -> [String] {
        text.lowercased().split { !($0.isLetter || $0.isNumber) || !$0.unicodeScalars.allSatisfy(isWordScalar) }.map(String.init)
    }

    private static func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isAlphabetic || scalar.properties.numericType != nil
    }
}

import Foundation

/// The interface strings in each language, from `Resources/Locales/<lang>.json`.
/// French is the reference: a key missing in another language falls back to French.
struct Localizer: Sendable {
    static let supported = ["fr", "en"]
    private let catalogs: [String: [String: String]]
    let defaultLanguage: String

    init(defaultLanguage: String, directory: URL) throws {
        var catalogs: [String: [String: String]] = [:]
        for language in Self.supported {
            let url = directory.appendingPathComponent("\(language).json")
            let data = try Data(contentsOf: url)
            catalogs[language] = try JSONDecoder().decode([String: String].self, from: data)
        }
        let french = catalogs["fr"] ?? [:]
        for (language, strings) in catalogs where language != "fr" {
            catalogs[language] = french.merging(strings) { $1 }
        }
        self.catalogs = catalogs
        self.defaultLanguage = Self.supported.contains(defaultLanguage) ? defaultLanguage : "fr"
    }

    /// Every string of a language, for templates (`{{t.key}}`).
    func strings(_ language: String) -> [String: String] {
        catalogs[language] ?? catalogs[defaultLanguage] ?? [:]
    }

    /// One string.
    func text(_ key: String, _ language: String) -> String {
        strings(language)[key] ?? key
    }

    /// The language to use: the agent's choice, else the best of Accept-Language, else the portal default.
    func negotiate(agentChoice: String?, acceptLanguage: String?) -> String {
        if let choice = agentChoice, Self.supported.contains(choice) { return choice }
        guard let header = acceptLanguage else { return defaultLanguage }
        let ranked = header.split(separator: ",").compactMap { part -> (String, Double)? in
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let tag = pieces.first?.lowercased(), !tag.isEmpty else { return nil }
            var quality = 1.0
            for parameter in pieces.dropFirst() where parameter.hasPrefix("q=") {
                quality = Double(parameter.dropFirst(2)) ?? 0
            }
            return (String(tag.prefix(while: { $0 != "-" })), quality)
        }
        let best = ranked.filter { $0.1 > 0 && Self.supported.contains($0.0) }.max { $0.1 < $1.1 }
        return best?.0 ?? defaultLanguage
    }
}

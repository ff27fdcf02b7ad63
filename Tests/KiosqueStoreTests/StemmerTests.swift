import Testing
@testable import KiosqueStore

/// The French stemmer, through the tokenizer's token function (folded stem bytes).
struct StemmerTests {
    static func token(_ word: String) -> String {
        String(decoding: FrenchTokenizer.token(word.lowercased().unicodeScalars.map(\.value)), as: UTF8.self)
    }

    /// Pairs of forms an agent expects to find each other.
    static let pairs: [(String, String)] = [
        ("délibérations", "délibération"), ("élus", "élu"), ("élues", "élu"), ("élue", "élu"),
        ("conseils", "conseil"), ("conseiller", "conseil"), ("conseillers", "conseillère"),
        ("municipaux", "municipal"), ("municipales", "municipal"), ("municipale", "municipal"),
        ("budgets", "budget"), ("écoles", "école"), ("scolaires", "scolaire"),
        ("habitants", "habitant"), ("habitante", "habitant"), ("associations", "association"),
        ("associative", "associatif"), ("culturelle", "culturel"), ("culturels", "culturel"),
        ("sports", "sport"), ("rénovations", "rénovation"), ("rénover", "rénovation"), ("rénovée", "rénové"),
        ("logements", "logement"), ("mairies", "mairie"), ("transports", "transport"), ("transporter", "transport"),
        ("publics", "public"), ("publiques", "publique"), ("développement", "développer"), ("développé", "développer"),
        ("environnementale", "environnemental"), ("voiries", "voirie"), ("jeunes", "jeune"),
        ("financement", "financer"), ("financières", "financière"), ("sécurités", "sécurité"),
        ("nationaux", "national"), ("nationales", "national"), ("recrutements", "recrutement"), ("recruter", "recrute"),
        ("marchés", "marché"), ("aménagements", "aménager"), ("communes", "commune"), ("communaux", "communal"),
        ("réunions", "réunion"), ("administrations", "administration"), ("administrative", "administratif"),
        ("chantait", "chanter"), ("chanteront", "chanter"), ("finissons", "finir"), ("finissaient", "finit"),
        ("votera", "voter"), ("votaient", "votée"), ("votés", "voter"), ("adoptées", "adopter"), ("adoptions", "adopté"),
        ("décidé", "décider"), ("décisions", "décision"), ("rapidement", "rapide"), ("heureusement", "heureuse"),
        ("inscriptions", "inscription"), ("quartiers", "quartier"), ("nouveaux", "nouveau"), ("nouvelles", "nouvelle"),
        ("animaux", "animal"), ("chevaux", "cheval"), ("journaux", "journal"), ("citoyennes", "citoyen"),
        ("agents", "agent"), ("élections", "élection"), ("électorale", "électoral"), ("électeurs", "électeur"),
        ("projets", "projet"), ("services", "service"),
        // Accents and case folded: agents type without accents, feeds write in capitals.
        ("deliberation", "Délibération"), ("ELUS", "élu"), ("ecole", "École"), ("oeuvres", "œuvre"),
        // English stays sane: plural s removed the same way on both sides.
        ("meetings", "meeting"), ("events", "event"), ("parkings", "parking"), ("councils", "council"),
    ]

    @Test(arguments: pairs)
    func formsShareAStem(_ pair: (String, String)) {
        #expect(Self.token(pair.0) == Self.token(pair.1), "\(pair.0) → \(Self.token(pair.0)), \(pair.1) → \(Self.token(pair.1))")
    }

    @Test func atLeastFiftyPairs() { #expect(Self.pairs.count >= 50) }

    /// Words that must stay apart, or search would drown agents in noise.
    @Test(arguments: [("conseil", "conserve"), ("élu", "élan"), ("musée", "musique"), ("public", "publicité"),
                      ("vote", "voirie"), ("sport", "support")])
    func distinctWordsStayDistinct(_ pair: (String, String)) {
        #expect(Self.token(pair.0) != Self.token(pair.1))
    }

    @Test(arguments: [("délibérations", "deliber"), ("élus", "elu"), ("municipaux", "municipal"),
                      ("travaux", "traval"), ("2025", "2025"), ("covid19", "covid19")])
    func knownStems(_ pair: (String, String)) {
        #expect(Self.token(pair.0) == pair.1)
    }

    @Test func shortAndOddWordsAreSafe() {
        for word in ["", "a", "à", "ée", "ss", "ieu", "yyyy", "ùùùù", String(repeating: "é", count: 200)] {
            _ = Self.token(word)
        }
        #expect(Self.token(String(repeating: "é", count: 200)).utf8.count <= 64)
    }
}

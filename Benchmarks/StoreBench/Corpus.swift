import BenchmarkSupport
import Foundation

/// French municipal-news text with a Zipf-like word distribution and inflected forms.
struct Corpus {
    /// Common words first: the sampler favours the head of the list.
    static let words: [String] = """
    le la les des du de un une et à en pour sur par avec dans au aux est sont a été sera ont qui que ne pas plus ce cette \
    ces son sa ses leur leurs nous vous il elle ils elles on tout tous toute toutes très aussi mais ou donc car \
    ville commune mairie conseil municipal municipale municipaux élus élu maire adjoint adjointe séance délibération \
    délibérations vote voté votée budget budgets dépenses recettes investissement fonctionnement subvention subventions \
    associations association habitants habitant quartier quartiers travaux voirie rue rues avenue place chantier chantiers \
    école écoles maternelle élémentaire collège lycée scolaire scolaires cantine restauration inscriptions inscription \
    enfants enfant jeunesse jeunes familles famille crèche petite enfance sport sports gymnase piscine stade équipements \
    culture culturel culturelle théâtre musée médiathèque bibliothèque concert concerts exposition expositions festival \
    fête musique spectacle spectacles patrimoine église château jardin jardins parc parcs environnement climat transition \
    énergétique énergie rénovation rénovations logement logements social sociale sociaux habitat urbanisme plan local \
    permis construire construction aménagement aménagements projet projets développement économique emploi emplois \
    entreprises entreprise commerce commerces marché marchés public publique publics publiques recrutement recrutements \
    agents agent service services personnel formation formations santé centre hôpital médecins prévention sécurité \
    routière police stationnement circulation transport transports bus tramway vélo vélos piste pistes cyclables \
    déchets collecte tri propreté eau assainissement réseau réseaux numérique fibre internet démarches administratives \
    état civil élections électorales listes électeurs citoyens citoyenne participation concertation réunion réunions \
    publique enquête consultation débat préfet préfecture région département métropole intercommunalité communauté \
    solidarité seniors personnes âgées handicap accessibilité insertion aide aides dispositif dispositifs appel projets \
    horaires ouverture fermeture travaux report annulation nouvelle nouveau nouveaux nouvelles première premier semaine \
    mois année janvier février mars avril mai juin juillet septembre octobre novembre décembre lundi mardi mercredi jeudi \
    vendredi samedi dimanche matin soir après-midi prochain prochaine dernier dernière ans millions euros hausse baisse \
    sécheresse canicule inondations risques alerte plan communal sauvegarde forêt arbres plantation biodiversité
    """.split(separator: " ").map(String.init).filter { !$0.isEmpty }

    static let streets = ["Victor-Hugo", "Jean-Jaurès", "de la République", "Pasteur", "du Général-de-Gaulle",
                          "Gambetta", "des Lilas", "de la Gare", "Émile-Zola", "Jules-Ferry"]

    private var rng: SplitMix
    private let cumulative: [Double]

    init(seed: UInt64) {
        rng = SplitMix(state: seed)
        var total = 0.0
        cumulative = Self.words.indices.map { i in total += 1.0 / Double(i + 8); return total }
    }

    mutating func word() -> String {
        let x = Double.random(in: 0..<cumulative.last!, using: &rng)
        var lo = 0, hi = cumulative.count - 1
        while lo < hi { let mid = (lo + hi) / 2; if cumulative[mid] < x { lo = mid + 1 } else { hi = mid } }
        return Self.words[lo]
    }

    mutating func sentence(_ range: ClosedRange<Int>) -> String {
        var parts: [String] = []
        let n = Int.random(in: range, using: &rng)
        for i in 0..<n {
            if i == n / 2 && Int.random(in: 0..<6, using: &rng) == 0 {
                parts.append("rue " + Self.streets.randomElement(using: &rng)!)
            } else {
                parts.append(word())
            }
        }
        var s = parts.joined(separator: " ")
        s = s.prefix(1).uppercased() + s.dropFirst()
        return s + "."
    }

    mutating func int(_ range: Range<Int>) -> Int { Int.random(in: range, using: &rng) }
}

/// A Snowball-style French stemmer working on lowercase Unicode scalars (accents kept).
///
/// Written from the Snowball French algorithm description: vowel marking, the RV/R1/R2
/// regions, standard suffixes (step 1), i-verb and other verb suffixes (2a, 2b), the
/// residual step (4), undoubling (5) and un-accenting (6). One deliberate change for search:
/// a final `s` after `i` or `u` is also removed ("élus" → "élu", "amis" → "ami"), because
/// municipal texts use these plural participles constantly and the index must conflate them.
public enum FrenchStemmer {
    /// The stem of one lowercase word (accents kept; the caller folds them afterwards).
    public static func stem(_ word: String) -> String {
        var scalars = word.unicodeScalars.map(\.value)
        stem(&scalars)
        var out = String.UnicodeScalarView()
        for value in scalars { if let s = Unicode.Scalar(value) { out.append(s) } }
        return String(out)
    }

    /// Stems `w` in place; `w` holds lowercase scalars of a single word.
    public static func stem(_ w: inout [UInt32]) {
        guard w.count > 2 else { return }
        markVowels(&w)
        var r = Regions(w)
        let step1 = standardSuffix(&w, &r)
        var altered = step1 != .none
        // Verb endings are tried when step 1 removed nothing, or removed an adverbial -ment.
        if step1 == .none || step1 == .alteredMent {
            if iVerbSuffix(&w, r) || otherVerbSuffix(&w, r) { altered = true }
        }
        if altered {
            if let last = w.last {
                if last == S.Y { w[w.count - 1] = S.i } else if last == S.cedilla { w[w.count - 1] = S.c }
            }
        } else {
            residual(&w, r)
        }
        undouble(&w)
        unaccent(&w)
        for i in w.indices {
            switch w[i] {
            case S.I: w[i] = S.i
            case S.U: w[i] = S.u
            case S.Y: w[i] = S.y
            default: break
            }
        }
    }

    // MARK: - Preparation and regions

    /// Marks u/i between vowels, y next to a vowel and u after q as consonants (upper case).
    private static func markVowels(_ w: inout [UInt32]) {
        for i in w.indices {
            let c = w[i]
            let prevVowel = i > 0 && isVowel(w[i - 1])
            let nextVowel = i + 1 < w.count && isVowel(w[i + 1])
            if (c == S.u || c == S.i) && prevVowel && nextVowel {
                w[i] = c == S.u ? S.U : S.I
            } else if c == S.y && (prevVowel || nextVowel) {
                w[i] = S.Y
            } else if c == S.u && i > 0 && w[i - 1] == S.q {
                w[i] = S.U
            }
        }
    }

    /// Start indexes of the RV, R1 and R2 regions.
    struct Regions {
        var rv: Int, r1: Int, r2: Int
        init(_ w: [UInt32]) {
            let n = w.count
            rv = n
            if n >= 2 && isVowel(w[0]) && isVowel(w[1]) {
                rv = min(3, n)
            } else if n >= 3, ["par", "col", "tap"].contains(where: { p in w.starts(with: p.unicodeScalars.map(\.value)) }) {
                rv = 3
            } else {
                var i = 1
                while i < n { if isVowel(w[i]) { rv = i + 1; break }; i += 1 }
            }
            r1 = Regions.after(w, from: 0)
            r2 = Regions.after(w, from: r1)
        }
        /// The position after the first non-vowel following a vowel, searching from `from`.
        static func after(_ w: [UInt32], from: Int) -> Int {
            var i = from + 1
            while i < w.count {
                if !isVowel(w[i]) && isVowel(w[i - 1]) { return i + 1 }
                i += 1
            }
            return w.count
        }
    }

    // MARK: - Step 1

    enum Step1Result { case none, altered, alteredMent }

    private static func standardSuffix(_ w: inout [UInt32], _ r: inout Regions) -> Step1Result {
        guard let (suffix, start) = longest(w, Suffixes.step1) else { return .none }
        let inR2 = start >= r.r2, inR1 = start >= r.r1, inRV = start >= r.rv
        func cut(_ to: String) { w.removeSubrange(start...); w.append(contentsOf: to.unicodeScalars.map(\.value)) }
        switch suffix {
        case "ance", "iqUe", "isme", "able", "iste", "eux", "ances", "iqUes", "ismes", "ables", "istes":
            guard inR2 else { return .none }
            cut("")
        case "atrice", "ateur", "ation", "atrices", "ateurs", "ations":
            guard inR2 else { return .none }
            cut("")
            if ends(w, "ic") { if w.count - 2 >= r.r2 { w.removeLast(2) } else { w.removeLast(2); append(&w, "iqU") } }
        case "logie", "logies":
            guard inR2 else { return .none }
            cut("log")
        case "usion", "ution", "usions", "utions":
            guard inR2 else { return .none }
            cut("u")
        case "ence", "ences":
            guard inR2 else { return .none }
            cut("ent")
        case "ement", "ements":
            guard inRV else { return .none }
            cut("")
            if ends(w, "iv") {
                if w.count - 2 >= r.r2 {
                    w.removeLast(2)
                    if ends(w, "at") && w.count - 2 >= r.r2 { w.removeLast(2) }
                }
            } else if ends(w, "eus") {
                if w.count - 3 >= r.r2 { w.removeLast(3) } else if w.count - 3 >= r.r1 { w.removeLast(3); append(&w, "eux") }
            } else if ends(w, "abl") || ends(w, "iqU") {
                if w.count - 3 >= r.r2 { w.removeLast(3) }
            } else if ends(w, "ièr") || ends(w, "Ièr") {
                if w.count - 3 >= r.rv { w.removeLast(3); append(&w, "i") }
            }
        case "ité", "ités":
            guard inR2 else { return .none }
            cut("")
            if ends(w, "abil") {
                if w.count - 4 >= r.r2 { w.removeLast(4) } else { w.removeLast(4); append(&w, "abl") }
            } else if ends(w, "ic") {
                if w.count - 2 >= r.r2 { w.removeLast(2) } else { w.removeLast(2); append(&w, "iqU") }
            } else if ends(w, "iv") && w.count - 2 >= r.r2 {
                w.removeLast(2)
            }
        case "if", "ive", "ifs", "ives":
            guard inR2 else { return .none }
            cut("")
            if ends(w, "at") && w.count - 2 >= r.r2 {
                w.removeLast(2)
                if ends(w, "ic") { if w.count - 2 >= r.r2 { w.removeLast(2) } else { w.removeLast(2); append(&w, "iqU") } }
            }
        case "eaux":
            cut("eau")
        case "aux":
            guard inR1 else { return .none }
            cut("al")
        case "euse", "euses":
            if inR2 { cut("") } else if inR1 { cut("eux") } else { return .none }
        case "issement", "issements":
            guard inR1, start > 0, !isVowel(w[start - 1]) else { return .none }
            cut("")
        case "amment":
            guard inRV else { return .none }
            cut("ant")
            return .alteredMent
        case "emment":
            guard inRV else { return .none }
            cut("ent")
            return .alteredMent
        case "ment", "ments":
            guard start > 0, start - 1 >= r.rv, isVowel(w[start - 1]) else { return .none }
            cut("")
            return .alteredMent
        default:
            return .none
        }
        return .altered
    }

    // MARK: - Step 2

    private static func iVerbSuffix(_ w: inout [UInt32], _ r: Regions) -> Bool {
        guard let (_, start) = longest(w, Suffixes.iVerb, minStart: r.rv) else { return false }
        guard start > 0, start - 1 >= r.rv, !isVowel(w[start - 1]) else { return false }
        w.removeSubrange(start...)
        return true
    }

    private static func otherVerbSuffix(_ w: inout [UInt32], _ r: Regions) -> Bool {
        guard let (suffix, start) = longest(w, Suffixes.otherVerb, minStart: r.rv) else { return false }
        if suffix == "ions" {
            guard start >= r.r2 else { return false }
            w.removeSubrange(start...)
        } else if Suffixes.deleteWithE.contains(suffix) {
            w.removeSubrange(start...)
            if ends(w, "e") && w.count - 1 >= r.rv { w.removeLast() }
        } else {
            w.removeSubrange(start...)
        }
        return true
    }

    // MARK: - Steps 4 to 6

    private static func residual(_ w: inout [UInt32], _ r: Regions) {
        if let last = w.last, last == S.s, w.count >= 2 {
            let before = w[w.count - 2]
            // Snowball keeps the s after a, i, o, u, è, s; we let i and u go (see the type comment).
            if ![S.a, S.o, S.eGrave, S.s].contains(before) { w.removeLast() }
        }
        guard let (suffix, start) = longest(w, Suffixes.residual, minStart: r.rv) else { return }
        switch suffix {
        case "ion":
            if start >= r.r2, start > 0, start - 1 >= r.rv, w[start - 1] == S.s || w[start - 1] == S.t {
                w.removeSubrange(start...)
            }
        case "ier", "ière", "Ier", "Ière":
            w.removeSubrange(start...); w.append(S.i)
        case "e":
            w.removeLast()
        case "ë":
            if start >= 2 && w[start - 2] == S.g && w[start - 1] == S.u { w.removeLast() }
        default: break
        }
    }

    private static func undouble(_ w: inout [UInt32]) {
        for d in ["enn", "onn", "ett", "ell", "eill"] where ends(w, d) { w.removeLast(); return }
    }

    private static func unaccent(_ w: inout [UInt32]) {
        var i = w.count - 1
        var consonants = 0
        while i >= 0 && !isVowel(w[i]) { consonants += 1; i -= 1 }
        if consonants > 0 && i >= 0 && (w[i] == S.eAcute || w[i] == S.eGrave) { w[i] = S.e }
    }

    // MARK: - Helpers

    static func isVowel(_ c: UInt32) -> Bool { S.vowels.contains(c) }

    private static func ends(_ w: [UInt32], _ s: String) -> Bool {
        let t = s.unicodeScalars.map(\.value)
        return w.count >= t.count && w[(w.count - t.count)...].elementsEqual(t)
    }

    private static func append(_ w: inout [UInt32], _ s: String) { w.append(contentsOf: s.unicodeScalars.map(\.value)) }

    /// The longest suffix of `w` from `list` (sorted longest first) starting at or after `minStart`.
    private static func longest(_ w: [UInt32], _ list: [(String, [UInt32])], minStart: Int = 0) -> (String, Int)? {
        for (name, t) in list where t.count <= w.count - minStart {
            if w[(w.count - t.count)...].elementsEqual(t) { return (name, w.count - t.count) }
        }
        return nil
    }

    /// Scalar constants (upper-case I, U, Y mark vowels used as consonants).
    enum S {
        static let a: UInt32 = 0x61, c: UInt32 = 0x63, e: UInt32 = 0x65, g: UInt32 = 0x67, i: UInt32 = 0x69
        static let o: UInt32 = 0x6F, q: UInt32 = 0x71, s: UInt32 = 0x73, t: UInt32 = 0x74, u: UInt32 = 0x75, y: UInt32 = 0x79
        static let I: UInt32 = 0x49, U: UInt32 = 0x55, Y: UInt32 = 0x59
        static let eAcute: UInt32 = 0xE9, eGrave: UInt32 = 0xE8, cedilla: UInt32 = 0xE7
        static let vowels: Set<UInt32> = Set("aeiouyâàëéêèïîôûù".unicodeScalars.map(\.value))
    }

    /// Suffix tables, longest first so that the first match is the longest.
    enum Suffixes {
        static func table(_ words: [String]) -> [(String, [UInt32])] {
            words.map { ($0, $0.unicodeScalars.map(\.value)) }.sorted { $0.1.count > $1.1.count }
        }
        static let step1 = table([
            "ance", "iqUe", "isme", "able", "iste", "eux", "ances", "iqUes", "ismes", "ables", "istes",
            "atrice", "ateur", "ation", "atrices", "ateurs", "ations", "logie", "logies",
            "usion", "ution", "usions", "utions", "ence", "ences", "ement", "ements", "ité", "ités",
            "if", "ive", "ifs", "ives", "eaux", "aux", "euse", "euses", "issement", "issements",
            "amment", "emment", "ment", "ments",
        ])
        static let iVerb = table([
            "îmes", "ît", "îtes", "i", "ie", "ies", "ir", "ira", "irai", "iraIent", "irais", "irait", "iras",
            "irent", "irez", "iriez", "irions", "irons", "iront", "is", "issaIent", "issais", "issait",
            "issant", "issante", "issantes", "issants", "isse", "issent", "isses", "issez", "issiez",
            "issions", "issons", "it",
        ])
        static let deleteWithE: Set<String> = [
            "âmes", "ât", "âtes", "a", "ai", "aIent", "ais", "ait", "ant", "ante", "antes", "ants", "as",
            "asse", "assent", "asses", "assiez", "assions",
        ]
        static let otherVerb = table([
            "ions", "é", "ée", "ées", "és", "èrent", "er", "era", "erai", "eraIent", "erais", "erait", "eras",
            "erez", "eriez", "erions", "erons", "eront", "ez", "iez",
        ] + Array(deleteWithE))
        static let residual = table(["ion", "ier", "ière", "Ier", "Ière", "e", "ë"])
    }
}

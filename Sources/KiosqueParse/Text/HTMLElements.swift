// Which `<name>` is an HTML tag: text fields that hold no HTML element at all keep their angle
// brackets (`std::vector<int>`, `AT&T <rocks>`), as feedparser keeps them; text that does hold HTML
// loses every tag, unknown ones (`<o:p>`) included.

/// HTML element names, looked at only where a text field has a `<` followed by a letter.
enum HTMLElements {
    /// The names, bucketed by length (the longest is 10 bytes).
    private static let buckets: [[[UInt8]]] = {
        let names = """
            a abbr acronym address area article aside audio b base bdi bdo big blink blockquote body br button canvas \
            caption center cite code col colgroup data datalist dd del details dfn dialog dir div dl dt em embed \
            fieldset figcaption figure font footer form frame frameset h1 h2 h3 h4 h5 h6 head header hgroup hr html \
            i iframe img input ins kbd label legend li link main map mark marquee math menu meta meter nav nobr \
            noscript object ol optgroup option output p param picture pre progress q rp rt ruby s samp script \
            section select small source span strike strong style sub summary sup svg table tbody td template \
            textarea tfoot th thead time title tr track tt u ul var video wbr
            """
        var table = [[[UInt8]]](repeating: [], count: 11)
        for name in names.split(separator: " ") { table[name.utf8.count].append(Array(name.utf8)) }
        return table
    }()

    /// Whether the tag starting at `i` (`<`) is an HTML element's, a comment, a declaration or a
    /// processing instruction (all markup); `<int>` or `<o:p>` are not.
    static func isMarkup(_ b: UnsafeBufferPointer<UInt8>, at i: Int) -> Bool {
        var j = i + 1
        guard j < b.count else { return false }
        if b[j] == 0x21 || b[j] == 0x3F { return true }
        if b[j] == 0x2F { j += 1 }
        let start = j
        while j < b.count, HTMLEntities.isAlnum(b[j]), j - start <= 10 { j += 1 }
        let length = j - start
        guard length > 0, length <= 10 else { return false }
        if j < b.count, !(b[j] == 0x3E || b[j] == 0x2F || b[j] == 0x20 || b[j] == 0x0A || b[j] == 0x09 || b[j] == 0x0D) { return false }
        return buckets[length].contains { name in
            for k in 0..<length where b[start + k] | 0x20 != name[k] { return false }
            return true
        }
    }

    /// Whether any tag in `b` is an HTML element's (the text is HTML, so every tag is markup).
    static func containsElement(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        while i < b.count {
            if b[i] == 0x3C, isMarkup(b, at: i), b.count > i + 1, b[i + 1] != 0x21, b[i + 1] != 0x3F { return true }
            i += 1
        }
        return false
    }
}

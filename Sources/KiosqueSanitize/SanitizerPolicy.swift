/// What an allowed attribute's value may hold; the sanitizer checks and normalises it by kind.
public enum AttributeKind: Sendable, Hashable {
    /// A URL: resolved against the item's link, kept only with an allowed scheme.
    case url
    /// A `srcset` list: each candidate URL filtered like `.url`, descriptors checked.
    case imageCandidates
    /// A small non-negative integer (dimensions, spans); "600px" becomes "600".
    case number
    /// Free text, escaped on output (alt, title).
    case text
    /// One of a fixed set of values, compared exactly.
    case choice([String])
    /// A MIME type such as `video/mp4`.
    case mediaType
    /// Present or absent, without a value (`reversed`, `allowfullscreen`).
    case flag
}

/// The sanitizer's rules as readable data: which elements and attributes survive, which URLs,
/// which embedded players and which trackers. Anything not listed here is dropped.
public struct SanitizerPolicy: Sendable {
    /// Allowed elements and, for each, its allowed attributes. Unlisted elements are unwrapped
    /// (their content kept) unless listed in `droppedElements`.
    public var allowedElements: [String: [String: AttributeKind]]
    /// Container elements written under another allowed name (`section` → `div`), so that
    /// block structure survives without widening the allowlist.
    public var renamedElements: [String: String]
    /// Elements removed together with everything inside them.
    public var droppedElements: Set<String>
    /// URL schemes accepted in links and media, lowercase.
    public var urlSchemes: Set<String>
    /// Hosts whose `https` pages may be embedded in an `<iframe>` (video players from channels.yml).
    public var iframeHosts: [String]
    /// Hosts whose images are tracking pixels; a host matches itself and its subdomains.
    public var trackerHosts: [String]
    /// Deepest element nesting written out; deeper elements keep only their text.
    public var maxDepth: Int

    /// Creates a policy from its tables.
    public init(allowedElements: [String: [String: AttributeKind]], renamedElements: [String: String],
                droppedElements: Set<String>, urlSchemes: Set<String>, iframeHosts: [String],
                trackerHosts: [String], maxDepth: Int) {
        self.allowedElements = allowedElements
        self.renamedElements = renamedElements
        self.droppedElements = droppedElements
        self.urlSchemes = urlSchemes
        self.iframeHosts = iframeHosts
        self.trackerHosts = trackerHosts
        self.maxDepth = maxDepth
    }

    /// The policy used for feed content in Kiosque.
    public static let standard = SanitizerPolicy(
        allowedElements: standardElements,
        renamedElements: [
            "section": "div", "article": "div", "header": "div", "footer": "div", "main": "div",
            "aside": "div", "nav": "div", "center": "div", "address": "div", "details": "div",
            "hgroup": "div", "tt": "code", "kbd": "code", "samp": "code", "strike": "s", "del": "s",
            "ins": "u", "big": "strong", "summary": "p",
        ],
        droppedElements: [
            // Executable or styling content.
            "script", "style", "template", "noembed", "noframes",
            // Hidden where script runs; lazy-load plugins put a duplicate of the image there.
            "noscript", "link", "meta", "base", "head", "title",
            // Foreign content: SVG and MathML have their own parsing rules and event attributes.
            "svg", "math",
            // Embeds and plugins. (An <iframe> is allowed only from `iframeHosts`, else dropped.)
            "frame", "frameset", "object", "embed", "applet", "param", "canvas", "portal",
            // Forms: controls and their raw text; the <form> itself is unwrapped. (Not <keygen>:
            // libxml2 does not know it as empty and would drop the siblings it nests inside.)
            "input", "button", "select", "option", "optgroup", "textarea", "datalist", "output",
            "isindex", "dialog",
            // Image maps carry their own links, and raw-text relics of old HTML.
            "map", "area", "xmp", "plaintext", "listing", "xml",
        ],
        urlSchemes: ["http", "https", "mailto"],
        iframeHosts: ["www.youtube-nocookie.com", "www.youtube.com", "player.vimeo.com", "www.dailymotion.com"],
        trackerHosts: [
            "feeds.feedburner.com", "feedproxy.google.com", "pixel.wp.com", "stats.wordpress.com",
            "www.google-analytics.com", "google-analytics.com", "doubleclick.net", "pixel.quantserve.com",
            "feeds.feedblitz.com", "pi.feedsportal.com", "www.facebook.com", "ad.doubleclick.net",
            "counter.theconversation.com", "analytics.twitter.com", "sb.scorecardresearch.com",
        ],
        maxDepth: 64
    )

    /// The element table of `standard`: tag → allowed attributes.
    public static let standardElements: [String: [String: AttributeKind]] = [
        // Text structure.
        "p": [:], "br": [:], "hr": [:], "div": [:], "wbr": [:],
        "h1": [:], "h2": [:], "h3": [:], "h4": [:], "h5": [:], "h6": [:],
        "ul": [:], "ol": ["start": .number, "reversed": .flag, "type": .choice(["1", "a", "A", "i", "I"])],
        "li": ["value": .number], "dl": [:], "dt": [:], "dd": [:],
        "blockquote": ["cite": .url], "pre": [:],
        // Phrasing.
        "code": [:], "em": [:], "strong": [:], "b": [:], "i": [:], "u": [:], "s": [:],
        "sub": [:], "sup": [:], "small": [:], "mark": [:], "abbr": ["title": .text], "cite": [:],
        "q": ["cite": .url], "time": ["datetime": .text], "var": [:], "dfn": [:],
        // Figures and tables.
        "figure": [:], "figcaption": [:],
        "table": [:], "caption": [:], "colgroup": ["span": .number], "col": ["span": .number],
        "thead": [:], "tbody": [:], "tfoot": [:], "tr": [:],
        "th": ["colspan": .number, "rowspan": .number, "scope": .choice(["row", "col", "rowgroup", "colgroup"])],
        "td": ["colspan": .number, "rowspan": .number],
        // Links and media.
        "a": ["href": .url, "title": .text],
        "img": ["src": .url, "srcset": .imageCandidates, "sizes": .text, "alt": .text, "title": .text,
                "width": .number, "height": .number],
        "picture": [:],
        "source": ["src": .url, "srcset": .imageCandidates, "sizes": .text, "type": .mediaType, "media": .text],
        "audio": ["src": .url, "preload": .choice(["none", "metadata"])],
        "video": ["src": .url, "poster": .url, "width": .number, "height": .number,
                  "preload": .choice(["none", "metadata"])],
        "iframe": ["src": .url, "width": .number, "height": .number, "title": .text, "allowfullscreen": .flag],
    ]
}

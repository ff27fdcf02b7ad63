public import Foundation

/// Makes feed HTML safe to show inside the intranet: parses it with libxml2's HTML parser and
/// writes back only what its `SanitizerPolicy` allows. Output is idempotent: sanitizing it
/// again returns it unchanged.
public struct HTMLSanitizer: Sendable {
    /// The rules this sanitizer applies.
    public let policy: SanitizerPolicy
    private let compiled: CompiledPolicy

    /// Creates a sanitizer; compiling the policy takes about a millisecond, so keep one around.
    public init(policy: SanitizerPolicy = .standard) {
        self.policy = policy
        self.compiled = CompiledPolicy(policy)
    }

    /// Returns the safe HTML for a fragment; relative URLs resolve against `baseURL` (the item's
    /// link) and are dropped when it is nil.
    public func sanitize(_ html: String, baseURL: URL?) -> String {
        run(html, baseURL: baseURL, wantHTML: true, wantText: false).html
    }

    /// Returns the safe HTML and the plain text of a fragment, from a single parse.
    public func sanitizeAndExtract(_ html: String, baseURL: URL?) -> (html: String, text: String) {
        run(html, baseURL: baseURL, wantHTML: true, wantText: true)
    }

    func run(_ html: String, baseURL: URL?, wantHTML: Bool, wantText: Bool) -> (html: String, text: String) {
        guard !html.isEmpty, let doc = LibXML.parseFragment(html) else { return ("", "") }
        defer { LibXML.free(doc) }
        var walker = TreeWalker(policy: compiled, urls: URLFilter(base: baseURL, schemes: compiled.urlSchemes),
                                wantHTML: wantHTML, wantText: wantText, capacity: html.utf8.count)
        walker.walk(doc)
        return (String(decoding: walker.html.bytes, as: UTF8.self), String(decoding: walker.text.bytes, as: UTF8.self))
    }
}

import KiosqueModel

/// Escapes text for HTML content and attribute values.
func htmlEscape(_ text: String) -> String {
    MarkupEscaping.escape(text, xml: false)
}

/// HTML or, with `xml`, XML 1.0 escaping (Atom and OPML documents).
func markupEscape(_ text: String, xml: Bool) -> String {
    MarkupEscaping.escape(text, xml: xml)
}

import Foundation

/// An item's link as the portal may hand it on (item page, Atom, API): http(s) addresses, or a
/// path of this portal (document items link to `/documents/…`). Feeds are not trusted: any other
/// scheme (`javascript:`, `data:`, `vbscript:`…) or a protocol-relative address is dropped.
func publishableLink(_ link: String?) -> String? {
    guard let link = link?.trimmingCharacters(in: .whitespacesAndNewlines), !link.isEmpty,
          !link.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return nil }
    let lower = link.lowercased()
    if lower.hasPrefix("http://") || lower.hasPrefix("https://") { return link }
    if link.hasPrefix("/"), !link.hasPrefix("//"), !link.contains("\\") { return link }
    return nil
}

import Hummingbird
import KiosqueMedia
import KiosqueModel

/// The thumbnail of a list row: through `/media/…?taille=vignette` in proxy mode, straight from the site in
/// direct mode; fixed width and height so the page does not jump while pictures arrive, lazy below the fold.
struct RowPictures: Sendable {
    /// Signs addresses (proxy mode); nil links the original address (direct mode).
    let rewriter: MediaRewriter?
    /// Rows above this index load eagerly: they are on screen when the page opens.
    static let eagerRows = 3

    /// The `<img>` of a row, or nil when the item has no picture or its picture is known refused.
    func html(_ picture: ItemPicture?, index: Int) -> String? {
        guard let picture else { return nil }
        let source: String
        if let rewriter {
            guard !rewriter.isRefused(rewriter.signer.mac(picture.url)),
                  let local = rewriter.address(for: picture.url, thumbnail: true) else { return nil }
            source = local
        } else {
            source = picture.url
        }
        let loading = index < Self.eagerRows ? "" : " loading=\"lazy\""
        // The source's alt text; empty (decorative) when it gave none: the title next to it already says what it is.
        return "<img class=\"item__picture\" src=\"\(htmlEscape(source))\" alt=\"\(htmlEscape(picture.alt))\" width=\"96\" height=\"72\""
            + "\(loading) decoding=\"async\">"
    }
}

extension AccountController {
    /// `POST /compte/images`: the agent hides (box ticked) or shows pictures in lists. CSRF-checked by the middleware.
    @Sendable func pictures(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let agent = context.agent, let form = context.form else { return .seeOther("/connexion") }
        try await store.setHidePictures(userID: agent.id, hide: form["masquer"] == "1")
        return .seeOther("/compte?images=ok")
    }
}

import Foundation
import Hummingbird
import KiosqueConfig
import KiosqueMedia
import KiosqueStoreContract
import Mustache

/// Renders Mustache pages with what every page needs (strings, agent, CSRF token, navigation),
/// so a controller only supplies its own view model. Templates escape by default.
struct ViewRenderer: Sendable {
    let library: MustacheLibrary
    let localizer: Localizer
    let secrets: Secrets
    let portalTitle: String
    let hasThemeCSS: Bool
    let hasThemeLogo: Bool
    let secureCookies: Bool
    /// A theme's own `item-row.mustache`: rows are then rendered through it rather than `ItemRowView`.
    var themedItemRow = false
    /// Rewrites article pictures to `/media/…` (`media.mode: proxy`); nil leaves them pointing at their sites.
    var mediaRewriter: MediaRewriter?
    /// OpenID providers are configured (`auth.oidc`): the accounts page links to each account's identities.
    var oidcConfigured = false
    let dates = DateDisplay()

    /// A full HTML page.
    func page(_ template: String, _ data: [String: Any], context: AppRequestContext, navigation: String? = nil,
              status: HTTPResponse.Status = .ok) -> Response {
        htmlResponse(ByteBuffer(string: html(template, data, context: context, navigation: navigation)), context: context, status: status)
    }

    /// A page's HTML: the controller's view model plus what every page needs.
    func html(_ template: String, _ data: [String: Any], context: AppRequestContext, navigation: String? = nil) -> String {
        var values = data
        values["t"] = localizer.strings(context.language)
        values["portal"] = ["title": portalTitle]
        values["csrf"] = csrfToken(context)
        if hasThemeCSS { values["theme_css"] = true }
        if hasThemeLogo { values["theme_logo"] = true }
        if oidcConfigured { values["oidc_configured"] = true }
        if let navigation { values["nav"] = [navigation: true] }
        if let agent = context.agent {
            var agentValues: [String: Any] = ["name": agent.name.isEmpty ? agent.login : agent.name, "login": agent.login]
            if let email = agent.email { agentValues["email"] = email }
            if agent.isAdmin { agentValues["is_admin"] = true }
            values["agent"] = agentValues
        }
        return library.render(values, withTemplate: template) ?? "template \(template) missing"
    }

    /// An HTML response around an already rendered page (also for pages served from a cache).
    func htmlResponse(_ body: ByteBuffer, context: AppRequestContext, status: HTTPResponse.Status = .ok) -> Response {
        var response = Response(status: status, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: body))
        if let binding = context.newAnonymousBinding {
            response.setCookie(Cookie(name: WebCookies.anonymous, value: binding, path: "/", secure: secureCookies,
                                      httpOnly: true, sameSite: .strict))
        }
        return response
    }

    /// The error page, in the agent's language.
    func error(_ status: HTTPResponse.Status, messageKey: String, context: AppRequestContext) -> Response {
        page("error", ["status": Int(status.code), "message": localizer.text(messageKey, context.language)],
             context: context, status: status)
    }

    /// The page for a store refusal: 404 for what the agent may not see, 403 for what they may not
    /// do, `conflictKey`'s message (409) for a conflict when given; anything else goes on to the
    /// error middleware.
    func storeRefusal(_ failure: any Error, context: AppRequestContext, conflictKey: String? = nil) throws -> Response {
        switch failure as? StoreError {
        case .notFound?: return error(.notFound, messageKey: "error_not_found", context: context)
        case .forbidden?: return error(.forbidden, messageKey: "error_forbidden", context: context)
        case .conflict?:
            guard let conflictKey else { throw failure }
            return error(.conflict, messageKey: conflictKey, context: context)
        default: throw failure
        }
    }

    func csrfToken(_ context: AppRequestContext) -> String {
        guard let binding = context.csrfBinding ?? context.newAnonymousBinding else { return "" }
        return secrets.csrfToken(for: binding)
    }

    func text(_ key: String, _ context: AppRequestContext) -> String {
        localizer.text(key, context.language)
    }

    /// List rows as HTML, for templates that print `{{{items_html}}}`.
    func itemRowsHTML(_ items: [ItemSummary], context: AppRequestContext, returnTo: String, showChannel: Bool = true,
                      csrf: String? = nil, pictures: Bool = true) -> String {
        let csrf = csrf ?? csrfToken(context)
        let thumbnails = pictures ? RowPictures(rewriter: mediaRewriter) : nil
        if themedItemRow {
            return items.enumerated().map { index, item in
                var row = itemRow(item, context: context, returnTo: returnTo, showChannel: showChannel, csrf: csrf)
                if let picture = thumbnails?.html(item.picture, index: index) { row["picture_html"] = picture }
                return library.render(row, withTemplate: "item-row") ?? ""
            }.joined()
        }
        var view = ItemRowView(strings: localizer.strings(context.language), dates: dates, language: context.language, csrf: csrf,
                               returnTo: returnTo, showChannel: showChannel)
        view.pictures = thumbnails
        return view.html(items)
    }

    /// One item as a list row. Everything the row shows is computed here, flat, so that the
    /// template does plain look-ups (nested sections made each look-up climb the context stack).
    func itemRow(_ item: ItemSummary, context: AppRequestContext, returnTo: String, showChannel: Bool = true,
                 csrf: String? = nil) -> [String: Any] {
        let t = localizer.strings(context.language)
        var row: [String: Any] = [
            "id": item.id, "title": item.title ?? "—", "source_title": item.sourceTitle, "return_to": returnTo,
            "is_read": item.isRead, "csrf": csrf ?? csrfToken(context),
            "read_action": item.isRead ? "non-lu" : "lu", "read_label": t[item.isRead ? "mark_unread" : "mark_read"] ?? "",
            "star_action": item.isStarred ? "retirer" : "garder", "star_label": t[item.isStarred ? "unstar" : "star"] ?? "",
            "star_pressed": item.isStarred ? "true" : "false",
        ]
        // Badges and the channel link are built from escaped parts: the row template prints them raw.
        var badges = ""
        if !item.isRead { badges += " <span class=\"badge badge--new\">\(htmlEscape(t["new_badge"] ?? ""))</span>" }
        if item.isUpdated { badges += " <span class=\"badge\">\(htmlEscape(t["updated_badge"] ?? ""))</span>" }
        if item.isStarred { badges += " <span class=\"badge badge--star\">\(htmlEscape(t["starred"] ?? ""))</span>" }
        row["badges"] = badges
        let date = item.published ?? item.sortDate
        row["date"] = dates.format(date, language: context.language)
        row["date_iso"] = dates.iso(date)
        if let summary = item.summary, !summary.isEmpty { row["summary"] = summary }
        if showChannel, let channel = item.channel {
            row["channel_id"] = channel.id
            row["channel_title"] = channel.title
            row["channel_link"] = " · <a href=\"/canaux/\(htmlEscape(FormData.percentEncode(channel.id)))\">\(htmlEscape(channel.title))</a>"
        } else {
            row["channel_link"] = ""
        }
        return row
    }
}

/// Cookie names.
enum WebCookies {
    static let session = "kiosque_session"
    static let anonymous = "kiosque_csrf"
}

extension Response {
    /// 303 See Other: the answer to a form POST.
    static func seeOther(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }

    /// A JSON body.
    static func json(_ object: Any, status: HTTPResponse.Status = .ok) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// A redirect target from a form, accepted only when it stays on this site.
func localPath(_ candidate: String?, fallback: String = "/") -> String {
    guard let path = candidate, path.hasPrefix("/"), !path.hasPrefix("//"), !path.contains("\\"),
          !path.unicodeScalars.contains(where: { $0.value < 0x20 }) else { return fallback }
    return path
}

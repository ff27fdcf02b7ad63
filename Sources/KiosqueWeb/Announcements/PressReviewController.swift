import Foundation
import Hummingbird
import KiosqueStoreContract

/// The press review: the writers of a publisher department (Communication) add items from any
/// channel ("Ajouter à la revue de presse" on an item), order them, write an introduction and a
/// line of comment per item, and publish the review as an announcement of category "Revue de
/// presse" (title, source, date, link, comment per item), which prints cleanly (print stylesheet).
struct PressReviewController {
    let store: any PortalStore
    let views: ViewRenderer
    static let category = "Revue de presse"

    func register(agents: RouterGroup<AppRequestContext>) {
        agents.post("/articles/:id/revue-de-presse", use: add)
        agents.get("/revue-de-presse", use: page)
        agents.post("/revue-de-presse", use: save)
        agents.post("/revue-de-presse/publier", use: publish)
    }

    @Sendable func add(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.documentViewer()
        guard let itemID = context.parameters.get("id", as: Int64.self) else { return notFound(context) }
        let departments = try await store.pressReviewDepartments(viewer: viewer)
        let department = context.form?["department"] ?? departments.first?.id ?? ""
        do {
            try await store.addToPressReview(departmentID: department, itemID: itemID, viewer: viewer)
        } catch { return try failure(error, context) }
        return .seeOther("/revue-de-presse?service=\(FormData.percentEncode(department))")
    }

    @Sendable func page(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.documentViewer()
        let departments = try await store.pressReviewDepartments(viewer: viewer)
        guard let department = request.query["service"] ?? departments.first?.id else {
            return views.error(.forbidden, messageKey: "error_forbidden", context: context)
        }
        let review: PressReviewDraft
        do { review = try await store.pressReview(departmentID: department, viewer: viewer) } catch { return try failure(error, context) }
        let today = views.dates.format(Date(), language: context.language)
        return views.page("press-review", [
            "department_id": review.departmentID, "department_title": review.departmentTitle, "intro": review.intro,
            "empty": review.entries.isEmpty, "default_title": "\(Self.category) du \(today)",
            "entries": review.entries.enumerated().map { index, entry -> [String: Any] in
                ["id": entry.id, "item_id": entry.itemID, "title": entry.title, "source": entry.source, "position": index + 1,
                 "date": views.dates.format(entry.date, language: context.language), "comment": entry.comment]
            },
            "departments": departments.map { ["id": $0.id, "title": $0.title] },
        ], context: context, navigation: "announcements")
    }

    @Sendable func save(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.documentViewer()
        let form = context.form ?? FormData(encoded: "")
        let department = form["department"] ?? ""
        var comments: [Int64: String] = [:], positions: [(Int64, Int)] = [], removed = Set<Int64>()
        for (name, values) in form.fields {
            guard let value = values.first else { continue }
            if name.hasPrefix("comment_"), let id = Int64(name.dropFirst(8)) { comments[id] = String(value.prefix(1_000)) }
            if name.hasPrefix("position_"), let id = Int64(name.dropFirst(9)), let position = Int(value) { positions.append((id, position)) }
            if name.hasPrefix("remove_"), let id = Int64(name.dropFirst(7)) { removed.insert(id) }
        }
        let order = positions.sorted { ($0.1, $0.0) < ($1.1, $1.0) }.map(\.0)
        do {
            try await store.savePressReview(departmentID: department, intro: String((form["intro"] ?? "").prefix(5_000)), comments: comments,
                                            order: order, removed: removed, viewer: viewer)
        } catch { return try failure(error, context) }
        return .seeOther("/revue-de-presse?service=\(FormData.percentEncode(department))")
    }

    @Sendable func publish(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.documentViewer()
        let form = context.form ?? FormData(encoded: "")
        let department = form["department"] ?? ""
        do {
            let review = try await store.pressReview(departmentID: department, viewer: viewer)
            guard !review.entries.isEmpty else { return .seeOther("/revue-de-presse?service=\(FormData.percentEncode(department))") }
            let title = String((form.trimmed("title") ?? "\(Self.category) — \(review.departmentTitle)").prefix(300))
            let content = Self.content(review, title: title, language: context.language, dates: views.dates, now: Date())
            let record = try await store.createAnnouncement(departmentID: department, content: content, by: viewer)
            try await store.clearPressReview(departmentID: department, viewer: viewer)
            return .seeOther("/annonces/\(record.id)")
        } catch { return try failure(error, context) }
    }

    /// The review as an announcement: Markdown to edit later, and HTML built here from escaped
    /// values then passed through the sanitizer like every announcement body.
    static func content(_ review: PressReviewDraft, title: String, language: String, dates: DateDisplay, now: Date) -> AnnouncementContent {
        var markdown = review.intro.isEmpty ? "" : review.intro + "\n\n"
        var html = review.intro.isEmpty ? "" : "<p>" + htmlEscape(review.intro).replacingOccurrences(of: "\n", with: "<br>") + "</p>"
        html += "<ol class=\"press-review\">"
        for (index, entry) in review.entries.enumerated() {
            let date = dates.format(entry.date, language: language)
            let link = entry.link.flatMap { $0.hasPrefix("https://") || $0.hasPrefix("http://") ? $0 : nil }
            markdown += "\(index + 1). **\(Self.plain(entry.title))** — \(Self.plain(entry.source)), \(date)"
                + (link.map { " <\($0)>" } ?? "") + (entry.comment.isEmpty ? "" : "\n   \(Self.plain(entry.comment))") + "\n"
            html += "<li><h3>" + (link.map { "<a href=\"\(htmlEscape($0))\">\(htmlEscape(entry.title))</a>" } ?? htmlEscape(entry.title))
                + "</h3><p><em>\(htmlEscape(entry.source)) — \(htmlEscape(date))</em></p>"
                + (link.map { "<p>\(htmlEscape($0))</p>" } ?? "")
                + (entry.comment.isEmpty ? "" : "<p>\(htmlEscape(entry.comment))</p>") + "</li>"
        }
        html += "</ol>"
        let safe = AnnouncementInput.renderer.sanitizer.sanitizeAndExtract(html, baseURL: nil)
        return AnnouncementContent(title: title, summary: review.intro.split(separator: "\n").first.map(String.init) ?? "",
                                   bodyMarkdown: markdown, bodyHTML: safe.html, bodyText: safe.text, category: category,
                                   audience: .everyone, publishAt: now)
    }

    /// Text set in Markdown without its markup characters taking effect.
    static func plain(_ text: String) -> String {
        var out = ""
        for character in text {
            if "\\`*_{}[]()#+!<>|".contains(character) { out.append("\\") }
            out.append(character == "\n" ? " " : character)
        }
        return out
    }

    func notFound(_ context: AppRequestContext) -> Response {
        views.error(.notFound, messageKey: "error_not_found", context: context)
    }

    func failure(_ error: any Error, _ context: AppRequestContext) throws -> Response {
        try views.storeRefusal(error, context: context)
    }
}

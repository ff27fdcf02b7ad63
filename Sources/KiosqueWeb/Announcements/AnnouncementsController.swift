import Foundation
import Hummingbird
import KiosqueStoreContract

/// The announcement pages: the list, one announcement (with "J'ai pris connaissance"), the
/// writing form for a department's writers, approval, and the figures for writers and administrators.
/// Everything the agent may not see answers 404, as if it did not exist.
struct AnnouncementsController {
    let store: any PortalStore
    let views: ViewRenderer
    /// The pictures' and attachments' files.
    let files: AnnouncementStorage

    func register(agents: RouterGroup<AppRequestContext>, admins: RouterGroup<AppRequestContext>) {
        admins.get("/admin/statistiques-publication", use: portalStatistics)
        agents.get("/documents/:id/statistiques", use: documentStatistics)
        agents.get("/annonces", use: list)
        agents.get("/annonces/statistiques", use: departmentStatistics)
        agents.get("/annonces/nouvelle", use: newForm)
        agents.post("/annonces/nouvelle", use: create)
        agents.get("/annonces/:id", use: show)
        agents.get("/annonces/:id/modifier", use: editForm)
        agents.post("/annonces/:id/modifier", use: edit)
        agents.post("/annonces/:id/confirmer", use: acknowledge)
        agents.post("/annonces/:id/approuver", use: approve)
        agents.post("/annonces/:id/supprimer", use: remove)
        agents.get("/annonces/:id/statistiques", use: statistics)
        agents.get("/annonces/:id/statistiques.csv", use: statisticsCSV)
        registerFiles(agents: agents)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.documentViewer()
        try await store.publishDueAnnouncements(now: context.now)
        let records = try await store.announcements(viewer: viewer, now: context.now)
        let departments = try await store.newsDepartments(viewer: viewer)
        let reviews = try await store.pressReviewDepartments(viewer: viewer)
        return views.page("announcements", [
            "announcements": records.map { row($0, context) }, "empty": records.isEmpty, "can_write": !departments.isEmpty,
            "can_review": !reviews.isEmpty, "can_see_figures": !departments.isEmpty || viewer.isAdmin,
        ], context: context, navigation: "announcements")
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.documentViewer()
        let id = context.parameters.get("id") ?? ""
        guard let record = try await store.announcement(id: id, viewer: viewer, now: context.now) else { return notFound(context) }
        try await store.recordAnnouncementView(id: id, viewer: viewer, now: context.now)
        var data = row(record, context)
        data["body_html"] = record.content.bodyHTML  // rendered from Markdown and sanitized when saved
        data.merge(try await fileValues(announcementID: id, viewer: viewer)) { $1 }
        data.merge(try await documentValues(announcementID: id, viewer: viewer, now: context.now)) { $1 }
        if record.content.mustRead && record.inAudience && (record.status == .published || record.status == .expired) {
            data["can_acknowledge"] = record.acknowledgedAt == nil
        }
        if record.canManage {
            data["can_manage"] = true
            let history = try await store.announcementHistory(id: id, viewer: viewer, now: context.now)
            // The writer of the version waiting (the newest revision) cannot approve it.
            data["can_approve"] = record.status == .pending && (history.first?.editedBy ?? record.author) != context.agent?.login
            data["history"] = history.map { revision -> [String: Any] in ["number": revision.number, "title": revision.title, "by": revision.editedBy ?? "—",
                                             "date": views.dates.format(revision.editedAt, language: context.language),
                                             "date_iso": views.dates.iso(revision.editedAt)] }
        }
        return views.page("announcement", data, context: context, navigation: "announcements")
    }

    @Sendable func newForm(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.documentViewer()
        let departments = try await store.newsDepartments(viewer: viewer)
        guard !departments.isEmpty else { return views.error(.forbidden, messageKey: "error_forbidden", context: context) }
        let chosen = request.query["service"] ?? departments[0].id
        return try await formPage(departments: departments, chosen: chosen, values: nil, id: nil, error: nil, context: context)
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.documentViewer()
        let departments = try await store.newsDepartments(viewer: viewer)
        let form = context.form ?? FormData(encoded: "")
        let department = form["department"] ?? ""
        guard departments.contains(where: { $0.id == department }) else {
            return views.error(.forbidden, messageKey: "error_forbidden", context: context)
        }
        do {
            let content = try AnnouncementInput.form(form).content(over: nil, now: context.now)
            let record = try await store.createAnnouncement(departmentID: department, content: content, by: viewer, now: context.now)
            return .seeOther("/annonces/\(record.id)")
        } catch {
            guard let message = refusalText(error, context) else { throw error }
            return try await formPage(departments: departments, chosen: department, values: form, id: nil, error: message, context: context)
        }
    }

    @Sendable func editForm(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.documentViewer()
        guard let record = try await store.announcement(id: context.parameters.get("id") ?? "", viewer: viewer, now: context.now) else {
            return notFound(context)
        }
        guard record.canManage else { return views.error(.forbidden, messageKey: "error_forbidden", context: context) }
        return try await formPage(departments: [], chosen: record.departmentID, values: nil, record: record, id: record.id, error: nil, context: context)
    }

    @Sendable func edit(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.documentViewer()
        let id = context.parameters.get("id") ?? ""
        guard let record = try await store.announcement(id: id, viewer: viewer, now: context.now) else { return notFound(context) }
        guard record.canManage else { return views.error(.forbidden, messageKey: "error_forbidden", context: context) }
        let form = context.form ?? FormData(encoded: "")
        do {
            let content = try AnnouncementInput.form(form).content(over: record.content, now: context.now)
            _ = try await store.updateAnnouncement(id: id, content: content, by: viewer, now: context.now)
            return .seeOther("/annonces/\(id)")
        } catch {
            guard let message = refusalText(error, context) else { throw error }
            return try await formPage(departments: [], chosen: record.departmentID, values: form, id: id, error: message, context: context)
        }
    }

    /// "J'ai pris connaissance": idempotent; back to the announcement, or to Ma page when asked from there.
    @Sendable func acknowledge(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.documentViewer()
        let id = context.parameters.get("id") ?? ""
        guard let record = try await store.announcement(id: id, viewer: viewer, now: context.now) else { return notFound(context) }
        guard record.content.mustRead, record.inAudience else { return views.error(.conflict, messageKey: "error_forbidden", context: context) }
        do { _ = try await store.acknowledgeAnnouncement(id: id, viewer: viewer, now: context.now) } catch { return try failure(error, context) }
        return .seeOther(localPath(context.form?["return_to"], fallback: "/annonces/\(id)"))
    }

    @Sendable func approve(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.documentViewer()
        let id = context.parameters.get("id") ?? ""
        do {
            _ = try await store.approveAnnouncement(id: id, by: viewer, now: context.now)
            return .seeOther("/annonces/\(id)")
        } catch {
            return try failure(error, context)
        }
    }

    @Sendable func remove(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.documentViewer()
        let id = context.parameters.get("id") ?? ""
        do {
            try await files.deleteAnnouncement(id: id, by: viewer, store: store)
            return .seeOther("/annonces")
        } catch {
            return try failure(error, context)
        }
    }

    func notFound(_ context: AppRequestContext) -> Response {
        views.error(.notFound, messageKey: "error_not_found", context: context)
    }

    /// The page for a store refusal (a conflict is an approval of what no longer waits for one).
    func failure(_ error: any Error, _ context: AppRequestContext) throws -> Response {
        try views.storeRefusal(error, context: context, conflictKey: "announcements_not_pending")
    }

    /// The list row / page head of an announcement.
    func row(_ record: Announcement, _ context: AppRequestContext) -> [String: Any] {
        Self.row(record, views: views, context: context)
    }

    static func row(_ record: Announcement, views: ViewRenderer, context: AppRequestContext) -> [String: Any] {
        let content = record.content
        var data: [String: Any] = [
            "id": record.id, "title": content.title, "summary": content.summary, "department_id": record.departmentID,
            "department_title": record.departmentTitle, "status": record.status.rawValue,
            "status_label": views.text("announcements_status_\(record.status.rawValue)", context),
            "date": views.dates.format(content.publishAt, language: context.language), "date_iso": views.dates.iso(content.publishAt),
            "pinned": content.pinned, "must_read": content.mustRead,
            "audience": content.audience.isEveryone ? views.text("announcements_audience_everyone", context)
                : (content.audience.departments + content.audience.groups).joined(separator: ", "),
        ]
        if let category = content.category { data["category"] = category }
        if let expire = content.expireAt {
            data["expire"] = views.dates.format(expire, language: context.language)
            data["expire_iso"] = views.dates.iso(expire)
        }
        if let acked = record.acknowledgedAt {
            data["acknowledged"] = views.dates.format(acked, language: context.language)
            data["acknowledged_iso"] = views.dates.iso(acked)
        }
        if record.status != .published && record.status != .expired { data["not_live"] = true }
        return data
    }

    /// What the form says about a refusal of the writer's own making (nil: not theirs).
    private func refusalText(_ error: any Error, _ context: AppRequestContext) -> String? {
        if let problem = error as? AnnouncementInput.Problem {
            return views.text("announcements_invalid", context) + " " + views.text("announcements_field_\(problem.field)", context)
        }
        if let text = documentRefusalText(error, context) { return text }
        if case .notFound(let what, let key)? = error as? StoreError, what == "department" {
            return views.text("announcements_unknown_department", context) + " " + key
        }
        return nil
    }
}

extension AnnouncementsController {
    /// "À la une" rows for Ma page (the page's CSRF token is the template's own `csrf`).
    /// "À la une" rows, each with its picture when it has one (`files`: the announcements' files by id).
    static func frontPage(_ records: [Announcement], files: [String: [AnnouncementFile]] = [:], views: ViewRenderer,
                          context: AppRequestContext) -> [[String: Any]] {
        records.map { record in
            var data = row(record, views: views, context: context)
            if record.content.mustRead && record.acknowledgedAt == nil { data["can_acknowledge"] = true }
            if let picture = files[record.id]?.first(where: { $0.role == .picture }) {
                var values: [String: Any] = ["src": "/annonces/\(record.id)/image", "alt": picture.file.alt]
                if let width = picture.file.width, let height = picture.file.height { values["width"] = width; values["height"] = height }
                data["picture"] = values
            }
            return data
        }
    }
}

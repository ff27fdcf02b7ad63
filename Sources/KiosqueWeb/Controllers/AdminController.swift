import Foundation
import Hummingbird
import KiosqueConfig
import KiosqueMedia
import KiosqueModel
import KiosqueRefresh
import KiosqueStoreContract

/// IT's pages: source health at a glance (sortable, filterable to failures), a source's history
/// with "fetch now", safe configuration reload, accounts and department rights, a dashboard.
struct AdminController {
    let store: any PortalStore
    let views: ViewRenderer
    let live: LiveConfiguration
    let scheduler: RefreshScheduler?
    let passwords: PasswordHasher
    let sessions: SessionStore
    /// The media cache, whose figures the dashboard shows (nil in `media.mode: direct`).
    var media: MediaService?

    func register(on admins: RouterGroup<AppRequestContext>) {
        admins.get("/admin", use: dashboard)
        admins.get("/admin/sources/:id", use: source)
        admins.post("/admin/sources/:id/recuperer", use: fetchNow)
        admins.post("/admin/recharger", use: reload)
        admins.get("/admin/utilisateurs", use: users)
        admins.post("/admin/utilisateurs", use: createUser)
        admins.post("/admin/utilisateurs/:id/:action", use: changeUser)
    }

    @Sendable func dashboard(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await dashboardPage(request, context: context, extra: [:])
    }

    private func dashboardPage(_ request: Request, context: AppRequestContext, extra: [String: Any],
                               status: HTTPResponse.Status = .ok) async throws -> Response {
        let configuration = live.current
        let health = Dictionary(try await store.allHealth().map { ($0.sourceID, $0) }, uniquingKeysWith: { a, _ in a })
        var rows = configuration.catalog.sources.map { SourceRow(source: $0, health: health[$0.id]) }
        let onlyFailing = request.query["etat"] == "echec"
        if onlyFailing { rows = rows.filter { $0.status == "failing" } }
        let sort = request.query["tri"] ?? "etat"
        rows.sort(by: SourceRow.order(sort))
        var data: [String: Any] = ["reload_errors": [String](), "warnings": [String]()]
        data.merge(extra) { $1 }
        data["only_failing"] = onlyFailing
        data["sources"] = rows.map { $0.values(views: views, context: context) }
        data["count_total"] = configuration.catalog.sources.count
        data["count_failing"] = configuration.catalog.sources.filter { SourceRow(source: $0, health: health[$0.id]).status == "failing" }.count
        data["count_ok"] = configuration.catalog.sources.filter { SourceRow(source: $0, health: health[$0.id]).status == "ok" }.count
        data["sort_\(sort)"] = true
        let counts = try await store.counts()
        data["items_total"] = counts["items"] ?? 0
        data["users_total"] = counts["users"] ?? 0
        let fortnight = Date().addingTimeInterval(-14 * 86_400)
        let perDay = Dictionary(try await store.itemsPerDay(since: fortnight).map { ($0.day, $0.count) }, uniquingKeysWith: { a, _ in a })
        data["channels_read"] = try await store.channelStatistics().sorted { $0.reads > $1.reads }.prefix(10).map {
            ["title": $0.channel.title, "id": $0.channel.id, "reads": $0.reads, "subscribers": $0.subscribers, "items": $0.items] as [String: Any]
        }
        let days = try await store.dailyActivity(since: fortnight)
        let byDay = Dictionary(grouping: days, by: \.day)
        data["activity"] = Set(byDay.keys).union(perDay.keys).sorted(by: >).map { day -> [String: Any] in
            let entries = byDay[day] ?? []
            func count(_ action: String) -> Int { entries.first { $0.action == action }?.events ?? 0 }
            return ["day": day, "items": perDay[day] ?? 0, "logins": count("login"), "reads": count("read"), "searches": count("search"),
                    "agents": entries.map(\.users).max() ?? 0]
        }
        data["bounces"] = try await store.mailBounces().map { bounce -> [String: Any] in
            ["address": bounce.address, "reason": bounce.reason, "logins": bounce.logins.joined(separator: ", "),
             "refusals": bounce.refusals, "since": views.dates.format(bounce.bouncedAt, language: context.language)]
        }
        if let media { data["media"] = await media.adminValues() }
        if request.query["rebond"] == "efface" { data["flash"] = views.text("admin_bounce_cleared", context) }
        return views.page("admin", data, context: context, navigation: "admin", status: status)
    }

    @Sendable func source(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = context.parameters.get("id") ?? ""
        guard let source = live.current.catalog.sources.first(where: { $0.id == id }) else {
            return views.error(.notFound, messageKey: "error_not_found", context: context)
        }
        let row = SourceRow(source: source, health: try await store.health(sourceID: id))
        let attempts = try await store.recentAttempts(sourceID: id, limit: 30)
        var preview: [[String: Any]] = []
        if let results = try? await store.search(query: "source:\(id)", userID: nil, limit: 10) {
            preview = results.items.map { ["id": $0.item.id, "title": $0.item.title ?? "—"] }
        }
        let data: [String: Any] = [
            "source": row.values(views: views, context: context),
            "attempts": attempts.map { SourceRow.attemptValues($0, views: views, context: context) },
            "preview": preview, "can_fetch": scheduler != nil,
            "flash": request.query["ok"] != nil ? views.text("admin_fetch_queued", context) : NSNull(),
        ].filter { !($0.value is NSNull) }
        return views.page("admin-source", data, context: context, navigation: "admin")
    }

    @Sendable func fetchNow(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = context.parameters.get("id") ?? ""
        guard let scheduler, scheduler.fetchNow(id) else {
            return views.error(.notFound, messageKey: "error_not_found", context: context)
        }
        return .seeOther("/admin/sources/\(FormData.percentEncode(id))?ok=1")
    }

    @Sendable func reload(_ request: Request, context: AppRequestContext) async throws -> Response {
        switch await live.reload() {
        case .applied(let warnings):
            return try await dashboardPage(request, context: context, extra: [
                "flash": views.text("admin_reloaded", context), "warnings": warnings.map(\.description),
            ])
        case .refused(let error):
            return try await dashboardPage(request, context: context, extra: [
                "reload_errors": error.diagnostics.map(\.description),
            ], status: .unprocessableContent)
        case .failed(let reason):
            return try await dashboardPage(request, context: context, extra: ["reload_errors": [reason]], status: .internalServerError)
        }
    }

    @Sendable func users(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await usersPage(context: context, extra: [:])
    }

    private func usersPage(context: AppRequestContext, extra: [String: Any], status: HTTPResponse.Status = .ok) async throws -> Response {
        let departments = live.current.catalog.departments
        var rows: [[String: Any]] = []
        for user in try await store.users() {
            let memberships = try await store.memberships(userID: user.id)
            rows.append([
                "id": user.id, "login": user.login, "name": user.name, "email": user.email ?? "",
                "is_admin": user.isAdmin, "is_disabled": user.isDisabled, "sso": user.passwordHash == nil,
                "memberships": memberships.map { "\($0.title)\($0.isEditor ? " (\(views.text("admin_editor", context)))" : "")" }.joined(separator: ", "),
            ])
        }
        var data = extra
        data["users"] = rows
        data["departments"] = departments.map { ["id": $0.id, "title": $0.title] }
        return views.page("admin-users", data, context: context, navigation: "admin", status: status)
    }

    @Sendable func createUser(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = context.form ?? FormData(encoded: "")
        guard let login = form.trimmed("login"), login.range(of: #"^[A-Za-z0-9._@-]{1,64}$"#, options: .regularExpression) != nil else {
            return try await usersPage(context: context, extra: ["error": views.text("admin_bad_login", context)], status: .badRequest)
        }
        if try await store.user(login: login) != nil {
            return try await usersPage(context: context, extra: ["error": views.text("admin_login_taken", context)], status: .conflict)
        }
        let temporary = Secrets.randomToken().prefix(16)
        let user = try await store.createUser(NewUser(login: login, name: form.trimmed("name") ?? login, email: form.trimmed("email"),
                                                      passwordHash: await passwords.hash(String(temporary)),
                                                      isAdmin: form["admin"] == "on", language: live.current.portal.language,
                                                      digestFrequency: live.current.mail.defaultDigest))
        _ = try await store.subscribeDefaults(userID: user.id)
        if let department = form.trimmed("department"), live.current.catalog.departments.contains(where: { $0.id == department }) {
            try await store.setMembership(userID: user.id, departmentID: department, isEditor: form["editor"] == "on")
        }
        return try await usersPage(context: context, extra: ["flash": "\(views.text("admin_user_created", context)) \(login) : \(temporary)"])
    }

    @Sendable func changeUser(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let id = context.parameters.get("id", as: Int64.self), let user = try await store.user(id: id) else {
            return views.error(.notFound, messageKey: "error_not_found", context: context)
        }
        let form = context.form ?? FormData(encoded: "")
        var update = UserUpdate()
        var message = views.text("admin_user_updated", context)
        switch context.parameters.get("action") ?? "" {
        case "desactiver":
            guard user.id != context.agent?.id else {
                return try await usersPage(context: context, extra: ["error": views.text("admin_not_yourself", context)], status: .badRequest)
            }
            update.isDisabled = true
            update.apiTokenHash = .some(nil)
            try await sessions.endAll(userID: user.id)
        case "reactiver": update.isDisabled = false
        case "admin": update.isAdmin = !user.isAdmin
        case "mot-de-passe":
            let temporary = String(Secrets.randomToken().prefix(16))
            update.passwordHash = .some(await passwords.hash(temporary))
            try await sessions.endAll(userID: user.id)
            message = "\(views.text("admin_password_reset", context)) \(user.login) : \(temporary)"
        case "service":
            guard let department = form.trimmed("department"), live.current.catalog.departments.contains(where: { $0.id == department }) else {
                return try await usersPage(context: context, extra: ["error": views.text("error_bad_request", context)], status: .badRequest)
            }
            switch form["role"] {
            case "none": try await store.removeMembership(userID: user.id, departmentID: department)
            default: try await store.setMembership(userID: user.id, departmentID: department, isEditor: form["role"] == "editor")
            }
        default:
            return views.error(.notFound, messageKey: "error_not_found", context: context)
        }
        if update != UserUpdate() { _ = try await store.updateUser(id: user.id, update) }
        return try await usersPage(context: context, extra: ["flash": message])
    }
}

/// One line of the source table.
struct SourceRow {
    let source: SourceDefinition
    let health: SourceHealth?

    var status: String {
        guard let attempt = health?.lastAttempt else { return "never" }
        return attempt.succeeded ? "ok" : "failing"
    }

    static func order(_ key: String) -> (SourceRow, SourceRow) -> Bool {
        switch key {
        case "nom": return { $0.source.id < $1.source.id }
        case "duree": return { ($0.health?.lastAttempt?.duration ?? 0) > ($1.health?.lastAttempt?.duration ?? 0) }
        case "succes": return { ($0.health?.lastSuccessAt ?? .distantPast) < ($1.health?.lastSuccessAt ?? .distantPast) }
        default:
            let rank = ["failing": 0, "never": 1, "ok": 2]
            return { (rank[$0.status] ?? 3, $0.source.id) < (rank[$1.status] ?? 3, $1.source.id) }
        }
    }

    func values(views: ViewRenderer, context: AppRequestContext) -> [String: Any] {
        var v: [String: Any] = ["id": source.id, "title": source.title ?? source.id, "url": source.url,
                                "status_\(status)": true, "failures": health?.consecutiveFailures ?? 0,
                                "discovered": [String](), "warnings": [String]()]
        if let success = health?.lastSuccessAt { v["last_success"] = views.dates.format(success, language: context.language) }
        if let next = health?.nextAttemptAt { v["next_attempt"] = views.dates.format(next, language: context.language) }
        if let attempt = health?.lastAttempt { v.merge(Self.attemptValues(attempt, views: views, context: context)) { _, b in b } }
        return v
    }

    static func attemptValues(_ attempt: FetchAttempt, views: ViewRenderer, context: AppRequestContext) -> [String: Any] {
        var v: [String: Any] = [
            "at": views.dates.format(attempt.startedAt, language: context.language), "ok": attempt.succeeded,
            "duration": String(format: "%.2f s", attempt.duration),
            "bytes": ByteCountFormatter.string(fromByteCount: attempt.bytes, countStyle: .file),
            "new_items": attempt.newItems, "updated_items": attempt.updatedItems, "not_modified": attempt.notModified,
        ]
        if let status = attempt.httpStatus { v["http_status"] = status }
        if let errorClass = attempt.errorClass { v["error_class"] = errorClass.rawValue }
        if let message = attempt.errorMessage { v["error_message"] = message }
        if let moved = attempt.permanentRedirect { v["redirect"] = moved }
        v["discovered"] = attempt.discoveredFeeds  // always set: templates test `empty(...)`
        v["warnings"] = attempt.warnings
        return v
    }
}

import Foundation
import Hummingbird
import KiosqueStoreContract

/// The sign-in audit log for administrators: every attempt (local, directory, proxy) with its
/// address and the reason of a failure, newest first, kept per `retention.activity_days`.
struct SignInLogController {
    let store: any PortalStore
    let views: ViewRenderer

    func register(on admins: RouterGroup<AppRequestContext>) {
        admins.get("/admin/connexions", use: page)
    }

    @Sendable func page(_ request: Request, context: AppRequestContext) async throws -> Response {
        let failuresOnly = request.query["echecs"] == "1"
        let events = try await store.signIns(limit: 500, failuresOnly: failuresOnly)
        let rows = events.map { event -> [String: Any] in
            var row: [String: Any] = ["at": views.dates.format(event.at, language: context.language),
                                      "method": views.text("signins_method_\(event.method)", context),
                                      "login": event.login, "address": event.address ?? "—", "success": event.success,
                                      "reason": event.reason ?? ""]
            if let provider = event.provider { row["provider"] = provider }
            return row
        }
        return views.page("admin-sign-ins", ["events": rows, "failures_only": failuresOnly, "empty": rows.isEmpty],
                          context: context, navigation: "admin")
    }
}

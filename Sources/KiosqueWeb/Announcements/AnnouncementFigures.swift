import Foundation
import Hummingbird
import KiosqueStoreContract

/// The publishers' figures of one announcement: totals, per day (an SVG chart drawn here with the
/// same figures in a table), a CSV export, and for a must-read one who in the audience confirmed.
/// A figure about fewer than 5 agents reads "< 5" so that no one is singled out, except the
/// confirmation list, which is the organisation's legitimate need (like a signed circular).
extension AnnouncementsController {
    /// Below this many agents a figure is shown as "< 5".
    static let threshold = 5

    static func masked(_ value: Int) -> String { value > 0 && value < threshold ? "< \(threshold)" : String(value) }

    @Sendable func statistics(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.documentViewer()
        let id = context.parameters.get("id") ?? ""
        do {
            guard let record = try await store.announcement(id: id, viewer: viewer) else { return notFound(context) }
            let totals = try await store.announcementStats(id: id, viewer: viewer)
            let days = try await store.announcementDays(id: id, viewer: viewer)
            var data = row(record, context)
            data["views"] = Self.masked(totals.views)
            data["readers"] = Self.masked(totals.readers)
            data["audience_size"] = totals.audience
            data["days"] = days.map { ["day": $0.day, "views": Self.masked($0.views), "readers": Self.masked($0.readers),
                                       "acknowledged": Self.masked($0.acknowledged)] }
            data["chart_svg"] = Self.chart(days, title: views.text("announcements_chart_title", context),
                                           masked: views.text("announcements_masked", context))
            if record.content.mustRead {
                let entries = try await store.announcementAcknowledgements(id: id, viewer: viewer)
                let done = entries.filter { $0.acknowledgedAt != nil }.count
                data["acknowledged_count"] = done
                data["acknowledged_rate"] = entries.isEmpty ? "—" : "\(done * 100 / entries.count) %"
                data["confirmed"] = entries.filter { $0.acknowledgedAt != nil }.map { entry -> [String: Any] in
                    ["name": entry.name.isEmpty ? entry.login : entry.name, "login": entry.login,
                     "date": entry.acknowledgedAt.map { views.dates.format($0, language: context.language) } ?? ""]
                }
                data["unconfirmed"] = entries.filter { $0.acknowledgedAt == nil }.map { ["name": $0.name.isEmpty ? $0.login : $0.name, "login": $0.login] }
            }
            return views.page("announcement-stats", data, context: context, navigation: "announcements")
        } catch {
            return try failure(error, context)
        }
    }

    @Sendable func statisticsCSV(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.documentViewer()
        let id = context.parameters.get("id") ?? ""
        do {
            let days = try await store.announcementDays(id: id, viewer: viewer)
            var csv = "day,views,readers,acknowledged\r\n"
            for day in days {
                csv += "\(day.day),\(Self.masked(day.views)),\(Self.masked(day.readers)),\(Self.masked(day.acknowledged))\r\n"
            }
            return Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8",
                                                   .contentDisposition: "attachment; filename=\"annonce-\(id.prefix(32))-statistiques.csv\""],
                            body: .init(byteBuffer: ByteBuffer(string: csv)))
        } catch {
            return try failure(error, context)
        }
    }

    /// Views per day as bars, with a title and a description for screen readers (the table below
    /// holds the same figures); a masked day draws no bar.
    static func chart(_ days: [AnnouncementDay], title: String, masked: String) -> String {
        let shown = days.suffix(60)
        let width = 640, height = 160, gap = 2
        let top = max(1, shown.map { $0.views >= threshold ? $0.views : 0 }.max() ?? 1)
        let barWidth = max(2, (width - gap * shown.count) / max(1, shown.count))
        var bars = ""
        for (index, day) in shown.enumerated() {
            let x = index * (barWidth + gap)
            let value = day.views >= threshold ? day.views : 0
            let barHeight = value * (height - 20) / top
            let label = value > 0 ? "\(day.day) : \(day.views)" : "\(day.day) : \(day.views == 0 ? "0" : masked)"
            bars += "<rect x=\"\(x)\" y=\(quote(height - barHeight)) width=\"\(barWidth)\" height=\"\(barHeight)\" class=\"chart__bar\">"
                + "<title>\(htmlEscape(label))</title></rect>"
        }
        return "<svg class=\"chart\" role=\"img\" aria-labelledby=\"chart-title\" viewBox=\"0 0 \(width) \(height)\" "
            + "xmlns=\"http://www.w3.org/2000/svg\"><title id=\"chart-title\">\(htmlEscape(title))</title>\(bars)</svg>"
    }

    private static func quote(_ value: Int) -> String { "\"\(value)\"" }
}

/// A department's figures for its writers, any department's for administrators: each published
/// announcement's totals and its channels' subscribers and reads per day, with the same "< 5" rule.
extension AnnouncementsController {
    @Sendable func departmentStatistics(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.documentViewer()
        let writable = try await store.newsDepartments(viewer: viewer)
        let all = viewer.isAdmin ? try await store.documentDepartments(viewer: viewer).map { ($0.id, $0.title) } : writable.map { ($0.id, $0.title) }
        guard let department = request.query["service"] ?? all.first?.0 else {
            return views.error(.forbidden, messageKey: "error_forbidden", context: context)
        }
        do {
            let figures = try await store.departmentFigures(departmentID: department, viewer: viewer)
            let documents = try await store.departmentDocumentFigures(departmentID: department, viewer: viewer)
            let totals = try await store.departmentDailyTotals(departmentID: department, viewer: viewer,
                                                               since: Date().addingTimeInterval(-Double(Self.totalsDays) * 86_400))
            return views.page("announcements-statistics", [
                "documents": documents.map { ["id": $0.id, "title": $0.title, "views": Self.masked($0.views),
                                              "readers": Self.masked($0.recentReaders)] },
                "has_documents": !documents.isEmpty,
                "totals": totals.reversed().map(Self.dayValues), "has_totals": !totals.isEmpty, "totals_days": Self.totalsDays,
                "is_admin": viewer.isAdmin,
                "department_title": figures.departmentTitle,
                "departments": all.map { ["id": $0.0, "title": $0.1, "current": $0.0 == department] },
                "announcements": figures.announcements.map { row -> [String: Any] in
                    var data: [String: Any] = ["id": row.announcement.id, "title": row.announcement.content.title,
                                               "views": Self.masked(row.stats.views), "readers": Self.masked(row.stats.readers),
                                               "audience": row.stats.audience]
                    if row.announcement.content.mustRead {
                        data["rate"] = row.stats.audience == 0 ? "—" : "\(row.stats.acknowledged * 100 / row.stats.audience) %"
                    }
                    return data
                },
                "channels": figures.channels.map { channel -> [String: Any] in
                    ["id": channel.id, "title": channel.title, "subscribers": Self.masked(channel.subscribers),
                     "days": channel.days.map { ["day": $0.day, "reads": Self.masked($0.reads), "readers": Self.masked($0.readers)] }]
                },
            ], context: context, navigation: "announcements")
        } catch {
            return try failure(error, context)
        }
    }
}

/// The portal's publishing figures for administrators (/admin/statistiques-publication): each
/// department's totals since the beginning and the portal's days, with the same "< 5" rule.
extension AnnouncementsController {
    /// Days of daily totals shown.
    static let totalsDays = 90

    static func dayValues(_ day: PublishingDay) -> [String: Any] {
        ["day": day.day, "announcement_views": masked(day.announcementViews), "document_views": masked(day.documentViews),
         "channel_reads": masked(day.channelReads), "acknowledgements": masked(day.acknowledgements)]
    }

    /// A document's views and readers per day, for its department's writers and administrators.
    @Sendable func documentStatistics(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.documentViewer()
        let id = context.parameters.get("id") ?? ""
        do {
            let days = try await store.documentDays(id: id, viewer: viewer)
            guard let record = try await store.document(id: id, viewer: viewer) else { return notFound(context) }
            return views.page("document-stats", [
                "id": id, "title": record.title, "department_id": record.departmentID,
                "views": Self.masked(days.reduce(0) { $0 + $1.views }),
                "days": days.reversed().map { ["day": $0.day, "views": Self.masked($0.views), "readers": Self.masked($0.readers)] },
                "chart_svg": Self.chart(days, title: views.text("announcements_chart_title", context), masked: views.text("announcements_masked", context)),
            ], context: context, navigation: "services")
        } catch {
            return try failure(error, context)
        }
    }

    @Sendable func portalStatistics(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.documentViewer()
        do {
            let figures = try await store.portalPublishing(viewer: viewer, since: Date().addingTimeInterval(-Double(Self.totalsDays) * 86_400))
            return views.page("admin-publishing", [
                "departments": figures.departments.map { department -> [String: Any] in
                    var values = Self.dayValues(department.totals)
                    values["id"] = department.id
                    values["title"] = department.title
                    values["announcements"] = department.announcements
                    values["documents"] = department.documents
                    return values
                },
                "days": figures.days.reversed().map(Self.dayValues), "has_days": !figures.days.isEmpty, "totals_days": Self.totalsDays,
            ], context: context, navigation: "admin")
        } catch {
            return try failure(error, context)
        }
    }
}

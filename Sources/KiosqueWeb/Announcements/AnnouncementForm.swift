import Foundation
import Hummingbird
import KiosqueStoreContract

/// The writing form (new and edit), filled from the record, or from what was sent when it is refused.
extension AnnouncementsController {
    func formPage(departments: [NewsDepartment], chosen: String, values: FormData?, record: Announcement? = nil, id: String?,
                  error: String?, context: AppRequestContext, status: HTTPResponse.Status? = nil) async throws -> Response {
        let viewer = try context.documentViewer()
        let all = try await store.documentDepartments(viewer: viewer)
        var data: [String: Any] = [:]
        if let record {
            let content = record.content
            data = ["title": content.title, "summary": content.summary, "body_markdown": content.bodyMarkdown,
                    "category": content.category ?? "", "publish_at": Self.local(content.publishAt),
                    "expire_at": content.expireAt.map(Self.local) ?? "", "pinned": content.pinned, "must_read": content.mustRead,
                    "draft": content.isDraft, "audience_groups": content.audience.groups.joined(separator: ", ")]
            data["chosen_departments"] = content.audience.departments
        } else if let values {
            data = ["title": values["title"] ?? "", "summary": values["summary"] ?? "", "body_markdown": values["body_markdown"] ?? "",
                    "category": values["category"] ?? "", "publish_at": values["publish_at"] ?? "", "expire_at": values["expire_at"] ?? "",
                    "pinned": values["pinned"] != nil, "must_read": values["must_read"] != nil, "draft": values["draft"] != nil,
                    "audience_groups": values["audience_groups"] ?? ""]
            data["chosen_departments"] = values.fieldsNamed("audience_department")
        } else {
            data = ["publish_at": Self.local(Date())]
        }
        let targeted = Set(data["chosen_departments"] as? [String] ?? [])
        data["audience_departments"] = all.map { department -> [String: Any] in
            ["id": department.id, "title": department.title, "checked": targeted.contains(department.id)]
        }
        data["has_audience_departments"] = !all.isEmpty
        data["departments"] = departments.map { department -> [String: Any] in
            ["id": department.id, "title": department.title, "selected": department.id == chosen, "approval": department.needsApproval]
        }
        data["single_department"] = departments.count == 1
        data.merge(try await documentChoices(departmentID: chosen, departmentTitle: all.first { $0.id == chosen }?.title ?? chosen,
                                             announcementID: id, sent: values, viewer: viewer, context: context)) { $1 }
        if let id {
            if let record, record.status == .published || record.status == .scheduled || record.status == .expired, !viewer.isAdmin,
               try await store.newsDepartments(viewer: viewer).first(where: { $0.id == record.departmentID })?.needsApproval == true {
                data["approved_again"] = true
            }
            data["id"] = id
            data["editing"] = true
            data.merge(try await fileValues(announcementID: id, viewer: viewer)) { $1 }
            data["max_mb"] = files.maxUploadBytes / 1_048_576
        } else {
            data["action"] = "/annonces/nouvelle"
        }
        if let error { data["error"] = error }
        return views.page("announcement-form", data, context: context, navigation: "announcements",
                          status: status ?? (error == nil ? .ok : .unprocessableContent))
    }

    /// A `datetime-local` value in the portal's time zone.
    static func local(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "Europe/Paris")
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm"
        return formatter.string(from: date)
    }
}

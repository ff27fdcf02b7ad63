import Foundation
import Hummingbird
import KiosqueDocuments
import KiosqueStoreContract

/// The editors' and administrators' changes. Browser forms with a file are multipart: their CSRF
/// token comes as the `_csrf` query parameter of the form's action (checked by CSRFMiddleware).
extension DocumentsController {
    @Sendable func publish(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.documentViewer()
        let id = context.parameters.get("id") ?? ""
        let department: DepartmentInfo
        do { department = try await library.requirePublisher(departmentID: id, viewer: viewer) } catch { return failure(error, context) }
        var fields: [String: String] = [:]
        do {
            let body = try await MultipartUpload.read(request, library: library)
            fields = body.fields
            guard let upload = body.upload, upload.size > 0 else {
                body.upload?.discard()
                return formPage(department, fields: fields, error: views.text("documents_refusal_field_file", context), context: context,
                                status: .unprocessableContent)
            }
            let metadata: DocumentMetadata
            do { metadata = try DocumentLibrary.metadata(fields: fields) } catch { upload.discard(); throw error }
            let record = try await library.publish(upload, originalName: body.fileName, departmentID: id, metadata: metadata, viewer: viewer)
            return .seeOther("/documents/\(record.id)")
        } catch let error as DocumentError {
            return formPage(department, fields: fields, error: message(error, context), context: context, status: error.status)
        }
    }

    @Sendable func newVersion(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.documentViewer()
        let id = context.parameters.get("id") ?? ""
        do {
            let record = try await library.requireManager(documentID: id, viewer: viewer, action: "add a version")
            do {
                let body = try await MultipartUpload.read(request, library: library)
                guard let upload = body.upload, upload.size > 0 else {
                    body.upload?.discard()
                    return try await editPage(record, viewer: viewer, error: views.text("documents_refusal_field_file", context),
                                              context: context, status: .unprocessableContent)
                }
                _ = try await library.addVersion(upload, originalName: body.fileName, documentID: id, viewer: viewer)
                return .seeOther("/documents/\(id)")
            } catch let error as DocumentError {
                return try await editPage(record, viewer: viewer, error: message(error, context), context: context, status: error.status)
            }
        } catch { return failure(error, context) }
    }

    @Sendable func edit(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.documentViewer()
        let id = context.parameters.get("id") ?? ""
        do {
            let record = try await library.requireManager(documentID: id, viewer: viewer, action: "edit")
            let fields = context.form?.fields.compactMapValues(\.first) ?? [:]
            let refusal: DocumentError
            do {
                _ = try await library.update(documentID: id, metadata: try DocumentLibrary.metadata(fields: fields), viewer: viewer)
                return .seeOther("/documents/\(id)")
            } catch {
                guard error.status == .unprocessableContent else { throw error }
                refusal = error
            }
            return try await editPage(record, viewer: viewer, error: message(refusal, context), context: context, status: refusal.status)
        } catch { return failure(error, context) }
    }

    func setStatus(_ request: Request, _ context: AppRequestContext, _ status: DocumentStatus) async throws -> Response {
        let viewer = try context.documentViewer()
        let id = context.parameters.get("id") ?? ""
        do {
            _ = try await library.setStatus(documentID: id, status, viewer: viewer)
            return .seeOther("/documents/\(id)")
        } catch { return failure(error, context) }
    }

    @Sendable func delete(_ request: Request, context: AppRequestContext) async throws -> Response {
        let viewer = try context.documentViewer()
        let agent = try context.requireAgent()
        let id = context.parameters.get("id") ?? ""
        do {
            let department = try await store.document(id: id, viewer: viewer)?.departmentID
            try await library.delete(documentID: id, viewer: viewer, login: agent.login)
            context.logger.notice("document deleted", metadata: ["document": "\(id)", "by": "\(agent.login)"])
            return .seeOther(department.map { "/services/\($0)" } ?? "/services")
        } catch { return failure(error, context) }
    }

    /// A refusal explained to the editor in their language (French or English catalogue), with
    /// advice for the field or the kind of file; an unknown field falls back to the generic message.
    func message(_ error: DocumentError, _ context: AppRequestContext) -> String {
        let key = error.messageKey
        var text = views.text(key, context)
        if text == key { text = views.text("documents_error_generic", context) }
        if case .tooLarge(let limit) = error { text = text.replacingOccurrences(of: "{limit}", with: String(limit / 1_048_576)) }
        return text
    }
}

import Foundation
import Hummingbird
import KiosqueStoreContract
import Mustache

/// Templates, locales and static files, shipped in the module's bundle; a theme folder from
/// channels.yml may override templates and add `theme.css` and `logo.svg`.
struct WebResources: Sendable {
    let templates: MustacheLibrary
    let localesDirectory: URL
    /// Shipped static files by name (`kiosque.css`, `kiosque.js`), read once at start.
    let staticFiles: [String: Data]
    /// Theme files by name.
    let themeFiles: [String: Data]
    /// Templates the theme folder overrides, by name (`item-row`, `layout`…).
    let themedTemplates: Set<String>
    /// The OpenAPI document of /api/v1.
    let openAPI: Data

    static func load(themeDirectory: URL?) throws -> WebResources {
        guard let root = Bundle.module.url(forResource: "Resources", withExtension: nil) else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "the web resources are missing from the build"])
        }
        var library = MustacheLibrary()
        try register(directory: root.appendingPathComponent("Templates"), into: &library)
        var themeFiles: [String: Data] = [:]
        var themedTemplates: Set<String> = []
        if let theme = themeDirectory {
            themedTemplates = try register(directory: theme.appendingPathComponent("templates"), into: &library)
            for name in ["theme.css", "logo.svg"] {
                if let data = FileManager.default.contents(atPath: theme.appendingPathComponent(name).path) { themeFiles[name] = data }
            }
        }
        var staticFiles: [String: Data] = [:]
        let publicDirectory = root.appendingPathComponent("Public")
        for name in (try? FileManager.default.contentsOfDirectory(atPath: publicDirectory.path)) ?? [] {
            staticFiles[name] = FileManager.default.contents(atPath: publicDirectory.appendingPathComponent(name).path)
        }
        let openAPI = try Data(contentsOf: root.appendingPathComponent("openapi.json"))
        return WebResources(templates: library, localesDirectory: root.appendingPathComponent("Locales"),
                            staticFiles: staticFiles, themeFiles: themeFiles, themedTemplates: themedTemplates, openAPI: openAPI)
    }

    func localizer(defaultLanguage: String) throws -> Localizer {
        try Localizer(defaultLanguage: defaultLanguage, directory: localesDirectory)
    }

    /// Registers every template of `directory`; returns their names.
    @discardableResult
    private static func register(directory: URL, into library: inout MustacheLibrary) throws -> Set<String> {
        guard FileManager.default.fileExists(atPath: directory.path) else { return [] }
        var registered: Set<String> = []
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        for name in names where name.hasSuffix(".mustache") {
            let text = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
            let template = String(name.dropLast(".mustache".count))
            try library.register(text, named: template)
            registered.insert(template)
        }
        return registered
    }
}

/// `/static/<file>` and `/theme/<file>`: a fixed set of files held in memory, so no path from a
/// request ever reaches the file system.
struct StaticFilesController {
    let resources: WebResources

    func register(on router: Router<AppRequestContext>) {
        router.get("/static/:file") { _, context in serve(resources.staticFiles, context.parameters.get("file")) }
        router.get("/theme/:file") { _, context in serve(resources.themeFiles, context.parameters.get("file")) }
        // Browsers ask for /favicon.ico on pages that name no icon (the digest preview, a JSON
        // answer opened in a tab): send them to the portal's icon instead of a logged 404.
        router.get("/favicon.ico") { _, _ in
            Response(status: .movedPermanently, headers: [.location: "/static/favicon.svg", .cacheControl: "public, max-age=86400"])
        }
        router.get("/api/v1/openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(bytes: resources.openAPI)))
        }
    }

    private func serve(_ files: [String: Data], _ name: String?) -> Response {
        guard let name, let data = files[name] else { return Response(status: .notFound) }
        let type: String
        switch (name as NSString).pathExtension {
        case "css": type = "text/css; charset=utf-8"
        case "js": type = "text/javascript; charset=utf-8"
        case "svg": type = "image/svg+xml"
        case "png": type = "image/png"
        default: type = "application/octet-stream"
        }
        return Response(status: .ok, headers: [.contentType: type, .cacheControl: "public, max-age=3600"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// Turns thrown errors and bare 404s into pages in the agent's language (JSON under /api/).
struct ErrorPageMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let views: ViewRenderer
    /// The Retry-After of a refusal because the store is busy.
    static let busyRetrySeconds = 2

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let api = request.uri.path.hasPrefix("/api/")
        do {
            return try await next(request, context)
        } catch let error as HTTPError {
            if api { return APIError.response(error.status, code: "http_\(error.status.code)", message: error.body ?? error.status.reasonPhrase) }
            let key = error.status == .notFound ? "error_not_found" : error.status.code < 500 ? "error_bad_request" : "error_internal"
            return views.error(error.status, messageKey: key, context: context)
        } catch StoreError.busy {
            // Too many of the same requests wait already (searches under overload): the agent is told
            // to try again in a moment, nothing failed.
            var response = api ? APIError.response(.serviceUnavailable, code: "busy", message: "Too many searches are waiting; try again in a moment.")
                               : views.error(.serviceUnavailable, messageKey: "error_busy", context: context)
            response.headers[.retryAfter] = String(Self.busyRetrySeconds)
            return response
        } catch {
            if Task.isCancelled {
                // The client went away while the request waited (a search queued behind others):
                // nothing failed, and nobody reads the answer.
                context.logger.debug("request abandoned by the client", metadata: ["path": "\(request.uri.path)"])
                return Response(status: .serviceUnavailable)
            }
            context.logger.error("request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            if api { return APIError.response(.internalServerError, code: "internal", message: "Internal error.") }
            return views.error(.internalServerError, messageKey: "error_internal", context: context)
        }
    }
}

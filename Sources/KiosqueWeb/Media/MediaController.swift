import Foundation
import Hummingbird
import KiosqueConfig
import KiosqueMedia
import KiosqueRefresh
import NIOCore

/// `/media/{id}`: pictures of articles, fetched once by the server and served from its cache. Registered before
/// the session middleware: the id is signed (it cannot name another address) and the bytes are outside pictures
/// already re-encoded, so no session lookup slows the dozens of requests a page makes.
struct MediaController {
    let media: MediaService

    func register(on router: Router<AppRequestContext>) {
        router.get("/media/:id") { request, context in try await serve(request, context) }
    }

    @Sendable func serve(_ request: Request, _ context: AppRequestContext) async throws -> Response {
        guard let id = context.parameters.get("id") else { return Self.notFound }
        let variant: MediaVariant = request.uri.queryParameters.get("taille") == "vignette" ? .thumbnail : .full
        guard case .image(let data, let mimeType, let etag) = await media.answer(id: id, variant: variant) else {
            return Self.notFound
        }
        var headers: HTTPFields = [
            .contentType: mimeType,
            .xContentTypeOptions: "nosniff",
            // Content-addressed and immutable: a new picture has a new address.
            .cacheControl: "public, max-age=31536000, immutable",
            .eTag: etag,
        ]
        if let match = request.headers[.ifNoneMatch], match.split(separator: ",").contains(where: {
            $0.trimmingCharacters(in: .whitespaces) == etag || $0.trimmingCharacters(in: .whitespaces) == "*"
        }) {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentLength] = String(data.count)
        if request.method == .head { return Response(status: .ok, headers: headers) }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// A short, cacheable-for-a-while 404 without a page around it: the page shows the alt text.
    static var notFound: Response {
        Response(status: .notFound, headers: [.contentType: "text/plain; charset=utf-8", .cacheControl: "public, max-age=600"],
                 body: .init(byteBuffer: ByteBuffer(string: "image indisponible\n")))
    }
}

extension MediaService {
    /// The service configured by `media:` (nil with `media.mode: direct`), keyed by the portal key file and
    /// caching in `cacheDirectory` (else `<data>/cache/media`); fetches go through the portal's proxy and timeouts.
    static func make(configuration: PortalConfiguration, dataDirectory: String, cacheDirectory: String?) throws -> MediaService? {
        let media = configuration.media
        guard media.proxies else { return nil }
        let keyPath = (dataDirectory as NSString).appendingPathComponent("kiosque.key")
        guard let key = FileManager.default.contents(atPath: keyPath), !key.isEmpty else { return nil }
        let root = cacheDirectory.map { URL(fileURLWithPath: $0) }
            ?? URL(fileURLWithPath: dataDirectory).appendingPathComponent("cache/media")
        let settings = MediaSettings(mode: .proxy, maxSize: media.maxSize, maxImageBytes: Int(media.maxImageBytes),
                                     maxDimension: media.maxDimension, allowedPrivateHosts: media.allowedPrivateHosts)
        // The feeds' own engine settings (proxy, timeouts, per-host politeness); the body cap is media.max_image_bytes.
        let fetchSettings = RefreshPipeline.fetchSettings(for: configuration)
        return MediaService(settings: settings, signer: MediaSigner(key: key),
                            cache: try MediaCache(root: root, budget: media.maxSize), fetch: fetchSettings)
    }
}

extension MediaService {
    /// The /admin panel's figures: cache size and budget, pictures, hit ratio, bytes spared upstream, refusals.
    nonisolated func adminValues() async -> [String: Any] {
        let statistics = await currentStatistics()
        let size = await cache.totalBytes
        let count = await cache.objectCount
        let bytes = ByteCountFormatter()
        bytes.countStyle = .binary
        return ["size": bytes.string(fromByteCount: size), "budget": bytes.string(fromByteCount: settings.maxSize),
                "objects": count, "hit_ratio": String(format: "%.0f %%", statistics.hitRatio * 100),
                "hits": statistics.hits, "misses": statistics.misses, "refusals": statistics.refusals,
                "saved": bytes.string(fromByteCount: statistics.bytesSaved),
                "upstream": bytes.string(fromByteCount: statistics.upstreamBytes)]
    }
}

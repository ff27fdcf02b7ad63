import Foundation
import KiosqueFetch
import KiosqueMedia
import KiosqueTestServer
import Testing

/// Real pictures made by libvips, hostile files built by hand, and an image server on 127.0.0.1 serving both.
enum MediaFixtures {
    static let jpeg = ImageProcessor.makeTestImage(width: 2400, height: 1200, format: "jpeg")!
    static let png = ImageProcessor.makeTestImage(width: 640, height: 480, format: "png", bands: 4)!
    static let gif = ImageProcessor.makeTestImage(width: 300, height: 200, format: "gif")!
    static let webp = ImageProcessor.makeTestImage(width: 800, height: 800, format: "webp")!

    /// A PNG whose header claims 30,000 × 30,000 pixels in a few hundred bytes: decoding would need 2.7 GB.
    static var pngBomb: Data {
        var bytes = [UInt8](ImageProcessor.makeTestImage(width: 8, height: 8, format: "png")!)
        // IHDR data starts at byte 16 (8-byte signature, 4-byte length, "IHDR"): width then height, big-endian.
        let side = UInt32(30_000).bigEndian
        withUnsafeBytes(of: side) { bytes.replaceSubrange(16..<20, with: $0); bytes.replaceSubrange(20..<24, with: $0) }
        let crc = crc32(bytes[12..<29]).bigEndian
        withUnsafeBytes(of: crc) { bytes.replaceSubrange(29..<33, with: $0) }
        return Data(bytes)
    }

    /// The first half of a real JPEG.
    static var truncatedJPEG: Data { jpeg.prefix(jpeg.count / 2) }

    /// An SVG carrying script: refused whatever it claims to be.
    static let svg = Data("""
        <?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">\
        <script>alert(document.cookie)</script><rect width="100" height="100"/></svg>
        """.utf8)

    /// An HTML page served as `photo.jpg` with `Content-Type: image/jpeg`: the name and the type lie.
    static let lyingHTML = Data("<!doctype html><html><body><script>alert(1)</script></body></html>".utf8)

    /// A GIF/JavaScript polyglot: a GIF signature followed by script instead of image data.
    static let polyglot = Data("GIF89a/*\u{01}\u{00}\u{01}\u{00}*/=1;alert(document.domain);//".utf8)

    static func crc32<C: Collection>(_ bytes: C) -> UInt32 where C.Element == UInt8 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = (crc >> 1) ^ (crc & 1 == 1 ? 0xEDB8_8320 : 0) }
        }
        return crc ^ 0xFFFF_FFFF
    }

    /// The image server: good pictures, hostile ones, and redirects to internal addresses.
    static func server() throws -> TestHTTPServer {
        var router = TestRouter()
        router.on("/a.jpg", respond: .ok(jpeg, contentType: "image/jpeg"))
        router.on("/b.png", respond: .ok(png, contentType: "image/png"))
        router.on("/c.gif", respond: .ok(gif, contentType: "image/gif"))
        router.on("/d.webp", respond: .ok(webp, contentType: "image/webp"))
        router.on("/bomb.png", respond: .ok(pngBomb, contentType: "image/png"))
        router.on("/truncated.jpg", respond: .ok(truncatedJPEG, contentType: "image/jpeg"))
        router.on("/script.svg", respond: .ok(svg, contentType: "image/svg+xml"))
        router.on("/photo.jpg", respond: .ok(lyingHTML, contentType: "image/jpeg"))
        router.on("/polyglot.gif", respond: .ok(polyglot, contentType: "image/gif"))
        router.on("/slow.jpg") { _ in
            var response = TestResponse.ok(jpeg, contentType: "image/jpeg")
            response.latency = 0.3
            return response
        }
        router.on(prefix: "/many/") { _ in .ok(jpeg, contentType: "image/jpeg") }
        router.on(prefix: "/unique/") { request in
            // A distinct picture per path, so content addressing does not merge them.
            let side = 200 + (Int(request.path.split(separator: "/").last ?? "0") ?? 0)
            return .ok(ImageProcessor.makeTestImage(width: side, height: side, format: "jpeg")!, contentType: "image/jpeg")
        }
        router.on("/to-loopback", respond: .redirect(302, to: "http://127.0.0.2:9/x.jpg"))
        router.on("/to-metadata", respond: .redirect(302, to: "http://169.254.169.254/latest/meta-data/"))
        router.on("/to-localhost", respond: .redirect(301, to: "http://localhost:9/x.jpg"))
        return try TestHTTPServer(handler: router.handler)
    }

    /// Hermetic fetch settings: short timeouts, no proxy from the environment.
    static let fetch = FetchSettings(timeout: 3, connectTimeout: 1, concurrency: 8, perHost: 4, proxy: "", lowSpeedTime: 2)

    static let key = Data(repeating: 7, count: 32)

    /// A fresh empty directory.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("kiosque-media-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A service over a cache in `folder`, allowed to fetch from 127.0.0.1 (the test server) unless `allowLoopback` is false.
    static func service(in folder: URL, budget: Int64 = 1 << 30, allowLoopback: Bool = true) throws -> MediaService {
        let settings = MediaSettings(maxSize: budget, allowedPrivateHosts: allowLoopback ? ["127.0.0.1"] : [])
        let cache = try MediaCache(root: folder, budget: budget)
        return MediaService(settings: settings, signer: MediaSigner(key: key), cache: cache, fetch: fetch)
    }
}

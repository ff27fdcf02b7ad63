import CVips
public import Foundation

/// Why an image is not served: kept with the image's address so the page shows its alt text instead.
public enum MediaRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    /// The bytes are no image libvips knows (HTML, text, a truncated header…).
    case notAnImage
    /// An image in a format Kiosque does not serve (SVG can carry script; TIFF, PDF, HEIF…).
    case unsupportedFormat(String)
    /// Width × height past the cap: a decompression bomb, refused from its header before any decoding.
    case tooManyPixels(width: Int, height: Int)
    /// Truncated or corrupt pixel data.
    case corrupt(String)
    /// The fetch failed (status, size cap, timeout…).
    case fetch(String)
    /// The address leads inside the network (SSRF guard).
    case forbiddenAddress(String)

    /// One line for logs and /admin.
    public var description: String {
        switch self {
        case .notAnImage: return "not an image"
        case .unsupportedFormat(let loader): return "unsupported format (\(loader))"
        case .tooManyPixels(let width, let height): return "too many pixels (\(width)×\(height))"
        case .corrupt(let detail): return "corrupt or truncated image (\(detail))"
        case .fetch(let detail): return "fetch failed (\(detail))"
        case .forbiddenAddress(let detail): return "forbidden address (\(detail))"
        }
    }

    /// Whether the refusal depends on the file itself (kept on disk) rather than on a passing network failure.
    public var isPermanent: Bool {
        if case .fetch = self { return false }
        return true
    }
}

/// One re-encoded picture: fresh pixels in a known format, no metadata.
public struct EncodedImage: Sendable, Hashable {
    /// The bytes as served.
    public var data: Data
    /// image/jpeg, image/png or image/webp: what Kiosque encoded, never what the source claimed.
    public var mimeType: String
    /// Width in pixels.
    public var width: Int
    /// Height in pixels.
    public var height: Int
}

/// The two sizes kept for each picture: for articles and for list thumbnails.
public struct ProcessedImage: Sendable, Hashable {
    /// The picture with its longest side capped at `maxDimension`.
    public var full: EncodedImage
    /// The small picture shown in lists.
    public var thumbnail: EncodedImage
}

/// Decodes untrusted bytes with libvips and re-encodes them: format sniffed from content (JPEG, PNG, GIF, WebP
/// only), dimensions checked from the header before decoding, truncation refused, metadata stripped, size capped.
/// Animated GIFs become their first frame (a still PNG): simplest and safe — no frame-count bomb, no huge output.
public struct ImageProcessor: Sendable {
    /// The longest side of the served picture (`media.max_dimension`).
    public var maxDimension: Int
    /// The longest side of list thumbnails.
    public var thumbnailDimension: Int
    /// Width × height accepted from a header; larger images are refused before any pixel is decoded.
    public var maxPixels: Int

    /// A processor with the portal's defaults (1600 px, 240 px thumbnails, 40 megapixels).
    public init(maxDimension: Int = 1600, thumbnailDimension: Int = 240, maxPixels: Int = 40_000_000) {
        self.maxDimension = max(16, maxDimension)
        self.thumbnailDimension = max(16, min(thumbnailDimension, maxDimension))
        self.maxPixels = maxPixels
    }

    /// libvips's loaders Kiosque accepts, by the name libvips gives them after reading the magic bytes.
    static let accepted: [String: String] = [
        "VipsForeignLoadJpegBuffer": "jpeg", "VipsForeignLoadPngBuffer": "png", "VipsForeignLoadSpngBuffer": "png",
        "VipsForeignLoadGifBuffer": "gif", "VipsForeignLoadNsgifBuffer": "gif", "VipsForeignLoadWebpBuffer": "webp",
    ]

    /// Starts libvips once per process.
    static let started: Bool = kq_vips_start() == 0

    /// The format sniffed from the bytes ("jpeg", "png", "gif", "webp"), or the refusal.
    public func sniff(_ data: Data) -> Result<String, MediaRefusal> {
        guard Self.started else { return .failure(.corrupt("libvips did not start")) }
        let loader = data.withUnsafeBytes { raw -> String? in
            guard let base = raw.baseAddress, let name = kq_vips_loader(base, raw.count) else { return nil }
            return String(cString: name)
        }
        kq_vips_error_clear()
        guard let loader else { return .failure(.notAnImage) }
        guard let format = Self.accepted[loader] else { return .failure(.unsupportedFormat(loader)) }
        return .success(format)
    }

    /// Checks, decodes, shrinks and re-encodes `data` into the served picture and its thumbnail.
    public func process(_ data: Data) -> Result<ProcessedImage, MediaRefusal> {
        let format: String
        switch sniff(data) {
        case .success(let sniffed): format = sniffed
        case .failure(let refusal): return .failure(refusal)
        }
        var bytes = [UInt8](data)
        // The header alone: a 30,000 × 30,000 PNG of a few kilobytes stops here, nothing decoded.
        let header: (Int, Int)? = bytes.withUnsafeBytes { raw in
            guard let image = kq_vips_header(raw.baseAddress, raw.count) else { return nil }
            defer { kq_vips_unref(image) }
            return (Int(kq_vips_width(image)), Int(kq_vips_height(image)))
        }
        guard let (width, height) = header else { return .failure(.corrupt(Self.takeError())) }
        guard width > 0, height > 0, width * height <= maxPixels else {
            return .failure(.tooManyPixels(width: width, height: height))
        }
        let full = encode(&bytes, format: format, box: maxDimension)
        guard case .success(let large) = full else { return full.map { ProcessedImage(full: $0, thumbnail: $0) } }
        let small = encode(&bytes, format: format, box: thumbnailDimension)
        return small.map { ProcessedImage(full: large, thumbnail: $0) }
    }

    private func encode(_ bytes: inout [UInt8], format: String, box: Int) -> Result<EncodedImage, MediaRefusal> {
        bytes.withUnsafeMutableBytes { raw -> Result<EncodedImage, MediaRefusal> in
            var image: UnsafeMutablePointer<VipsImage>?
            guard kq_vips_thumbnail(raw.baseAddress, raw.count, &image, Int32(box)) == 0, let image else {
                return .failure(.corrupt(Self.takeError()))
            }
            defer { kq_vips_unref(image) }
            var output: UnsafeMutableRawPointer?
            var length = 0
            let mimeType: String
            let status: Int32
            switch format {
            case "jpeg":
                mimeType = "image/jpeg"
                status = kq_vips_save_jpeg(image, &output, &length, 82)
            case "webp":
                mimeType = "image/webp"
                status = kq_vips_save_webp(image, &output, &length, 80)
            default: // PNG, and a GIF's first frame: lossless, keeps transparency.
                mimeType = "image/png"
                status = kq_vips_save_png(image, &output, &length)
            }
            // Pixels are decoded while saving: truncation is detected here.
            guard status == 0, let output else { return .failure(.corrupt(Self.takeError())) }
            defer { kq_vips_free(output) }
            return .success(EncodedImage(data: Data(bytes: output, count: length), mimeType: mimeType,
                                         width: Int(kq_vips_width(image)), height: Int(kq_vips_height(image))))
        }
    }

    private static func takeError() -> String {
        let text = String(cString: kq_vips_error()).split(separator: "\n").first.map(String.init) ?? "unknown error"
        kq_vips_error_clear()
        return text
    }

    /// A real image made by libvips (a gradient), for tests and benchmarks: `format` is jpeg, png, gif or webp.
    public static func makeTestImage(width: Int, height: Int, format: String, bands: Int = 3) -> Data? {
        guard started else { return nil }
        var output: UnsafeMutableRawPointer?
        var length = 0
        guard kq_vips_make_test_image(Int32(width), Int32(height), Int32(bands), format, &output, &length) == 0,
              let output else { return nil }
        defer { kq_vips_free(output) }
        return Data(bytes: output, count: length)
    }
}

import Foundation
import KiosqueMedia
import Testing

@Suite("Image processing with libvips")
struct ImageProcessorTests {
    let processor = ImageProcessor(maxDimension: 1600, thumbnailDimension: 240)

    @Test("Real JPEG, PNG, GIF and WebP are re-encoded, capped and thumbnailed", arguments: [
        ("jpeg", "image/jpeg"), ("png", "image/png"), ("gif", "image/png"), ("webp", "image/webp"),
    ])
    func realFormats(format: String, expectedType: String) throws {
        let data = try #require(ImageProcessor.makeTestImage(width: 2000, height: 1000, format: format))
        let image = try processor.process(data).get()
        #expect(image.full.mimeType == expectedType)
        #expect(image.full.width == 1600 && image.full.height == 800)
        #expect(image.thumbnail.width == 240 && image.thumbnail.height == 120)
        #expect(try processor.process(image.full.data).get().full.width == 1600)
    }

    @Test("Small pictures are never enlarged")
    func noEnlargement() throws {
        let image = try processor.process(MediaFixtures.gif).get()
        #expect(image.full.width == 300 && image.full.height == 200)
    }

    @Test("A 30,000 × 30,000 PNG bomb of a few hundred bytes is refused from its header, fast")
    func bomb() {
        let bomb = MediaFixtures.pngBomb
        #expect(bomb.count < 2000)
        let start = ContinuousClock.now
        #expect(processor.process(bomb) == .failure(.tooManyPixels(width: 30_000, height: 30_000)))
        #expect(start.duration(to: .now) < .seconds(1))
    }

    @Test("Truncated JPEG is refused")
    func truncated() {
        guard case .failure(.corrupt) = processor.process(MediaFixtures.truncatedJPEG) else {
            Issue.record("a truncated JPEG was accepted")
            return
        }
    }

    @Test("SVG with script, HTML named .jpg and a GIF/JS polyglot are refused")
    func hostile() {
        guard case .failure(.unsupportedFormat) = processor.process(MediaFixtures.svg) else {
            Issue.record("SVG accepted")
            return
        }
        #expect(processor.process(MediaFixtures.lyingHTML) == .failure(.notAnImage))
        guard case .failure = processor.process(MediaFixtures.polyglot) else {
            Issue.record("polyglot accepted")
            return
        }
        #expect(processor.process(Data()) == .failure(.notAnImage))
    }

    @Test("Metadata is stripped: the re-encoded JPEG carries no EXIF segment")
    func stripped() throws {
        // A JPEG with an APP1 Exif segment holding a GPS-looking payload, spliced after SOI.
        var withExif = [UInt8](MediaFixtures.jpeg)
        let payload = Array("Exif\0\0GPSLatitude 48.9".utf8)
        let length = UInt16(payload.count + 2)
        withExif.insert(contentsOf: [0xFF, 0xE1, UInt8(length >> 8), UInt8(length & 0xFF)] + payload, at: 2)
        let image = try processor.process(Data(withExif)).get()
        #expect(image.full.data.range(of: Data("Exif".utf8)) == nil)
        #expect(image.full.data.range(of: Data("GPSLatitude".utf8)) == nil)
    }
}

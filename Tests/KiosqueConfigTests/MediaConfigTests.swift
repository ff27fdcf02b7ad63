import Foundation
import KiosqueConfig
import Testing

/// The `media:` section of channels.yml (issue 16).
@Suite("Media configuration")
struct MediaConfigTests {
    @Test func contractExampleIsRead() throws {
        let yaml = """
        media:
          mode: proxy            # proxy | direct
          max_size: 2GB
          max_image_bytes: 5MB
          max_dimension: 1600
          allowed_private_hosts: [intranet.ville.local, 10.1.2.3]
        """ + "\n" + validBase
        let (config, warnings) = try ConfigLoader.parse(yaml)
        #expect(warnings.isEmpty)
        #expect(config.media.proxies)
        #expect(config.media.maxSize == 2 << 30)
        #expect(config.media.maxImageBytes == 5 << 20)
        #expect(config.media.maxDimension == 1600)
        #expect(config.media.allowedPrivateHosts == ["intranet.ville.local", "10.1.2.3"])
    }

    @Test func defaultsProxyEverything() throws {
        let (config, _) = try ConfigLoader.parse(validBase)
        #expect(config.media.mode == "proxy")
        #expect(config.media.maxSize == 2 << 30 && config.media.maxImageBytes == 5 << 20 && config.media.maxDimension == 1600)
        #expect(config.media.allowedPrivateHosts.isEmpty)
    }

    @Test(arguments: [
        ("media:\n  mode: cache\n", 2, 9, "`media.mode` must be proxy or direct"),
        ("media:\n  max_sise: 1GB\n", 2, 3, "unknown key `max_sise` (did you mean `max_size`?)"),
        ("media:\n  max_size: lots\n", 2, 13, "`media.max_size` must be a size"),
        ("media:\n  max_image_bytes: 1GB\n", 2, 20, "`media.max_image_bytes` must be between 1KB and 100MB"),
        ("media:\n  max_dimension: 10\n", 2, 18, "`media.max_dimension`"),
        ("media:\n  allowed_private_hosts: [\"http://intranet/\"]\n", 2, 26, "`media.allowed_private_hosts` lists host names"),
    ])
    func brokenMediaSectionsPointAtTheField(yaml: String, line: Int, column: Int, message: String) throws {
        do {
            _ = try ConfigLoader.parse(yaml + validBase)
            Issue.record("expected an error containing \(message)")
        } catch {
            let found = error.diagnostics.first { $0.message.contains(message) }
            #expect(found != nil, "\(error.diagnostics.map(\.description))")
            #expect(found?.location?.line == line && found?.location?.column == column, "\(String(describing: found))")
        }
    }
}

import Foundation
import Yams

extension PortalConfiguration {
    /// The `media:` section: pictures of articles fetched once, checked and served by Kiosque (issue 16).
    public struct Media: Sendable, Hashable {
        /// `proxy` (Kiosque serves every picture; browsers contact no outside site) or `direct` (as before).
        public var mode = "proxy"
        /// The cache's budget on disk, in bytes (least recently used pictures go first).
        public var maxSize: Int64 = 2 << 30
        /// The largest picture fetched, in bytes.
        public var maxImageBytes: Int64 = 5 << 20
        /// The longest side of a served picture, in pixels.
        public var maxDimension = 1600
        /// Hosts whose addresses may be private (feeds published on the intranet); all others must be public.
        public var allowedPrivateHosts: [String] = []

        public init() {}

        /// Whether Kiosque serves pictures itself.
        public var proxies: Bool { mode == "proxy" }
    }
}

/// Reads the `media:` section.
struct MediaSectionReader {
    let reader: NodeReader

    static let keys = ["mode", "max_size", "max_image_bytes", "max_dimension", "allowed_private_hosts"]

    func read(_ node: Node, into m: inout PortalConfiguration.Media) {
        guard let f = reader.fields(node, in: "media", allowed: Self.keys) else { return }
        if let v = f["mode"], let s = reader.nonEmptyString(v, field: "media.mode") {
            if ["proxy", "direct"].contains(s) { m.mode = s } else {
                reader.error(v, "`media.mode` must be proxy or direct, found `\(s)`")
            }
        }
        if let v = f["max_size"], let s = reader.size(v, field: "media.max_size") {
            if s >= 1 << 20 { m.maxSize = s } else { reader.error(v, "`media.max_size` must be at least 1MB") }
        }
        if let v = f["max_image_bytes"], let s = reader.size(v, field: "media.max_image_bytes") {
            if (1 << 10...(100 << 20)).contains(s) { m.maxImageBytes = s } else {
                reader.error(v, "`media.max_image_bytes` must be between 1KB and 100MB")
            }
        }
        if let v = f["max_dimension"], let i = reader.int(v, field: "media.max_dimension", range: 64...8192) { m.maxDimension = i }
        if let v = f["allowed_private_hosts"], let hosts = reader.stringList(v, field: "media.allowed_private_hosts") {
            // Names or literal addresses, not URLs or networks: the check is on the host as written in picture addresses.
            for host in hosts where host.contains("/") || host.contains(" ") || host.contains("*") {
                reader.error(v, "`media.allowed_private_hosts` lists host names or addresses such as intranet.ville.local, found `\(host)`")
            }
            m.allowedPrivateHosts = hosts.map { $0.lowercased() }
        }
    }
}

import Foundation
import KiosqueModel
import Yams

/// Maps each section of channels.yml onto `PortalConfiguration`, reporting type and key errors.
struct SectionReader {
    let reader: NodeReader

    func read(_ root: Node, into config: inout PortalConfiguration) {
        let topKeys = ["portal", "fetch", "retention", "content", "auth", "documents", "mail", "media", "storage", "sources", "channels", "bouquets", "departments"]
        guard let top = reader.fields(root, in: "the file", allowed: topKeys) else { return }
        if let n = top["portal"] { readPortal(n, &config.portal) }
        if let n = top["fetch"] { readFetch(n, &config.fetch) }
        if let n = top["retention"] { readRetention(n, &config.retention) }
        if let n = top["content"] { readContent(n, &config.content) }
        if let n = top["auth"] { readAuth(n, &config.auth) }
        if let n = top["documents"], let f = reader.fields(n, in: "documents", allowed: ["max_upload"]) {
            if let v = f["max_upload"], let s = reader.size(v, field: "documents.max_upload") { config.documents.maxUploadBytes = s }
        }
        if let n = top["mail"] { MailSectionReader(reader: reader).read(n, into: &config.mail) }
        if let n = top["media"] { MediaSectionReader(reader: reader).read(n, into: &config.media) }
        StorageSectionReader(reader: reader).read(top["storage"], into: &config.storage)
        if let n = top["sources"] { config.catalog.sources = readList(n, "sources", readSource) }
        if let n = top["channels"] { config.catalog.channels = readList(n, "channels", readChannel) }
        if let n = top["bouquets"] { config.catalog.bouquets = readList(n, "bouquets", readBouquet) }
        if let n = top["departments"] { config.catalog.departments = readList(n, "departments", readDepartment) }
        for required in ["sources", "channels", "bouquets"] where top[required] == nil {
            reader.error(root, "the file has no `\(required)` section")
        }
    }

    private func readList<T>(_ node: Node, _ field: String, _ readOne: (Node) -> T?) -> [T] {
        guard let elements = reader.list(node, field: field) else { return [] }
        return elements.compactMap(readOne)
    }

    // MARK: sections

    private func readPortal(_ node: Node, _ p: inout PortalConfiguration.Portal) {
        guard let f = reader.fields(node, in: "portal", allowed: ["title", "base_url", "language", "theme"]) else { return }
        if let v = f["title"], let s = reader.nonEmptyString(v, field: "portal.title") { p.title = s }
        if let v = f["base_url"], let s = reader.nonEmptyString(v, field: "portal.base_url") {
            if URLRules.httpURL(s) { p.baseURL = s } else { reader.error(v, "`portal.base_url` must be an http:// or https:// address, found `\(s)`") }
        }
        if let v = f["language"], let s = reader.nonEmptyString(v, field: "portal.language") {
            if ["fr", "en"].contains(s) { p.language = s } else { reader.error(v, "`portal.language` must be `fr` or `en`, found `\(s)`") }
        }
        if let v = f["theme"] { p.themeDirectory = reader.nonEmptyString(v, field: "portal.theme") }
    }

    private func readFetch(_ node: Node, _ c: inout PortalConfiguration.Fetch) {
        let keys = ["interval", "timeout", "connect_timeout", "max_bytes", "concurrency", "per_host", "user_agent", "proxy", "no_proxy", "max_backoff", "lease"]
        guard let f = reader.fields(node, in: "fetch", allowed: keys) else { return }
        if let v = f["interval"], let d = reader.duration(v, field: "fetch.interval", minimum: 60) { c.interval = d }
        if let v = f["timeout"], let d = reader.duration(v, field: "fetch.timeout") { c.timeout = d }
        if let v = f["connect_timeout"], let d = reader.duration(v, field: "fetch.connect_timeout") { c.connectTimeout = d }
        if let v = f["max_bytes"], let s = reader.size(v, field: "fetch.max_bytes") { c.maxBytes = s }
        if let v = f["concurrency"], let i = reader.int(v, field: "fetch.concurrency", range: 1...256) { c.concurrency = i }
        if let v = f["per_host"], let i = reader.int(v, field: "fetch.per_host", range: 1...64) { c.perHost = i }
        if let v = f["user_agent"], let s = reader.nonEmptyString(v, field: "fetch.user_agent") { c.userAgent = s }
        if let v = f["max_backoff"], let d = reader.duration(v, field: "fetch.max_backoff", minimum: 60) { c.maxBackoff = d }
        if let v = f["lease"], let d = reader.duration(v, field: "fetch.lease", minimum: 10) { c.lease = d }
        if let v = f["proxy"], let s = reader.nonEmptyString(v, field: "fetch.proxy") {
            if URLRules.proxyURL(s) {
                if URLComponents(string: s)?.password != nil {
                    reader.error(v, "`fetch.proxy` must not contain a password: set KIOSQUE_PROXY_USER and KIOSQUE_PROXY_PASSWORD in the environment")
                } else {
                    c.proxy = s
                }
            } else {
                reader.error(v, "`fetch.proxy` must be an address such as http://proxy.local:3128, found `\(s)`")
            }
        }
        if let v = f["no_proxy"], let l = reader.stringList(v, field: "fetch.no_proxy") { c.noProxy = l }
    }

    private func readRetention(_ node: Node, _ r: inout PortalConfiguration.Retention) {
        guard let f = reader.fields(node, in: "retention", allowed: ["days", "max_items_per_source", "activity_days"]) else { return }
        if let v = f["days"], let i = reader.int(v, field: "retention.days", range: 1...36_500) { r.days = i }
        if let v = f["max_items_per_source"], let i = reader.int(v, field: "retention.max_items_per_source", range: 10...10_000_000) { r.maxItemsPerSource = i }
        if let v = f["activity_days"], let i = reader.int(v, field: "retention.activity_days", range: 1...3_650) { r.activityDays = i }
    }

    private func readContent(_ node: Node, _ c: inout PortalConfiguration.Content) {
        guard let f = reader.fields(node, in: "content", allowed: ["iframe_hosts", "summary_length"]) else { return }
        if let v = f["iframe_hosts"], let l = reader.stringList(v, field: "content.iframe_hosts") {
            for (host, element) in zip(l, reader.list(v, field: "content.iframe_hosts") ?? []) where !URLRules.hostName(host) {
                reader.error(element, "`content.iframe_hosts` entries must be host names such as player.vimeo.com, found `\(host)`")
            }
            c.iframeHosts = l.map { $0.lowercased() }
        }
        if let v = f["summary_length"], let i = reader.int(v, field: "content.summary_length", range: 40...5_000) { c.summaryLength = i }
    }

    private func readAuth(_ node: Node, _ a: inout PortalConfiguration.Auth) {
        let keys = ["session_idle", "session_absolute", "secure_cookies", "user_header", "name_header", "email_header",
                    "groups_header", "trusted_proxies", "local_accounts", "ldap", "two_factor", "oidc"]
        guard let f = reader.fields(node, in: "auth", allowed: keys) else { return }
        if let v = f["session_idle"], let d = reader.duration(v, field: "auth.session_idle", minimum: 60) { a.sessionIdle = d }
        if let v = f["session_absolute"], let d = reader.duration(v, field: "auth.session_absolute", minimum: 60) { a.sessionAbsolute = d }
        if let v = f["secure_cookies"] {
            if v.scalar?.string == "auto" { a.secureCookies = nil } else { a.secureCookies = reader.bool(v, field: "auth.secure_cookies") }
        }
        if let v = f["user_header"] { a.userHeader = reader.nonEmptyString(v, field: "auth.user_header") }
        if let v = f["name_header"] { a.nameHeader = reader.nonEmptyString(v, field: "auth.name_header") }
        if let v = f["email_header"] { a.emailHeader = reader.nonEmptyString(v, field: "auth.email_header") }
        if let v = f["groups_header"] { a.groupsHeader = reader.nonEmptyString(v, field: "auth.groups_header") }
        if let v = f["trusted_proxies"], let l = reader.stringList(v, field: "auth.trusted_proxies") { a.trustedProxies = l }
        if let v = f["local_accounts"], let b = reader.bool(v, field: "auth.local_accounts") { a.localAccounts = b }
        if let v = f["ldap"] { a.ldap = DirectorySectionReader(reader: reader).read(v) }
        if let v = f["two_factor"] { a.twoFactor = TwoFactorSectionReader(reader: reader).read(v) }
        if let v = f["oidc"] { a.oidc = OIDCSectionReader(reader: reader).read(v) }
        if a.userHeader != nil && a.trustedProxies.isEmpty {
            reader.error(f.values["user_header"]?.key, "`auth.user_header` needs `auth.trusted_proxies`: without it anyone could claim any identity")
        }
    }

    // MARK: catalogue entries

    private func readSource(_ node: Node) -> SourceDefinition? {
        guard let f = reader.fields(node, in: "a source", allowed: ["id", "url", "title", "interval", "trusted", "credentials"]) else { return nil }
        guard let id = readID(f, kind: "source"), let urlNode = requireField(f, "url", "source `\(id)`"),
              let url = reader.nonEmptyString(urlNode, field: "sources[\(id)].url") else { return nil }
        if !URLRules.sourceURL(url) {
            reader.error(urlNode, "source `\(id)`: `url` must be an http://, https:// or file:// address, found `\(url)`")
        }
        var source = SourceDefinition(id: id, url: url)
        if let v = f["title"] { source.title = reader.nonEmptyString(v, field: "sources[\(id)].title") }
        if let v = f["interval"] { source.interval = reader.duration(v, field: "sources[\(id)].interval", minimum: 60) }
        if let v = f["trusted"] { source.trusted = reader.bool(v, field: "sources[\(id)].trusted") ?? false }
        if let v = f["credentials"] { source.credentials = CredentialsReader(reader: reader).read(v, sourceID: id) }
        reader.declare(kind: "source", id: id, node: node)
        return source
    }

    private func readChannel(_ node: Node) -> ChannelDefinition? {
        let keys = ["id", "title", "description", "sources", "include", "exclude", "alerts"]
        guard let f = reader.fields(node, in: "a channel", allowed: keys), let id = readID(f, kind: "channel") else { return nil }
        let title = f["title"].flatMap { reader.nonEmptyString($0, field: "channels[\(id)].title") } ?? id
        if f["title"] == nil { reader.error(node, "channel `\(id)` has no `title`") }
        var channel = ChannelDefinition(id: id, title: title, sources: [])
        if let v = f["description"] { channel.description = reader.string(v, field: "channels[\(id)].description") }
        if let v = f["sources"], let l = reader.references(v, field: "channels[\(id)].sources", kind: "source", owner: "channel `\(id)`") { channel.sources = l }
        if let v = f["include"], let l = reader.stringList(v, field: "channels[\(id)].include") { channel.include = l }
        if let v = f["exclude"], let l = reader.stringList(v, field: "channels[\(id)].exclude") { channel.exclude = l }
        if let v = f["alerts"] { channel.alerts = reader.bool(v, field: "channels[\(id)].alerts") ?? false }
        reader.declare(kind: "channel", id: id, node: node)
        return channel
    }

    private func readBouquet(_ node: Node) -> BouquetDefinition? {
        let keys = ["id", "title", "description", "channels", "default", "groups"]
        guard let f = reader.fields(node, in: "a bouquet", allowed: keys), let id = readID(f, kind: "bouquet") else { return nil }
        let title = f["title"].flatMap { reader.nonEmptyString($0, field: "bouquets[\(id)].title") } ?? id
        if f["title"] == nil { reader.error(node, "bouquet `\(id)` has no `title`") }
        var bouquet = BouquetDefinition(id: id, title: title, channels: [])
        if let v = f["description"] { bouquet.description = reader.string(v, field: "bouquets[\(id)].description") }
        if let v = f["channels"], let l = reader.references(v, field: "bouquets[\(id)].channels", kind: "channel", owner: "bouquet `\(id)`") { bouquet.channels = l }
        if let v = f["default"] { bouquet.isDefault = reader.bool(v, field: "bouquets[\(id)].default") ?? false }
        if let v = f["groups"], let l = reader.stringList(v, field: "bouquets[\(id)].groups") { bouquet.groups = l }
        reader.declare(kind: "bouquet", id: id, node: node)
        return bouquet
    }

    private func readDepartment(_ node: Node) -> DepartmentDefinition? {
        guard let f = reader.fields(node, in: "a department", allowed: ["id", "title", "categories", "groups", "publisher", "approval"]),
              let id = readID(f, kind: "department") else { return nil }
        let title = f["title"].flatMap { reader.nonEmptyString($0, field: "departments[\(id)].title") } ?? id
        if f["title"] == nil { reader.error(node, "department `\(id)` has no `title`") }
        var department = DepartmentDefinition(id: id, title: title)
        if let v = f["categories"], let l = reader.stringList(v, field: "departments[\(id)].categories") { department.categories = l }
        if let v = f["groups"], let l = reader.stringList(v, field: "departments[\(id)].groups") { department.groups = l }
        if let v = f["publisher"] { department.publisher = reader.bool(v, field: "departments[\(id)].publisher") ?? false }
        if let v = f["approval"] { department.approval = reader.bool(v, field: "departments[\(id)].approval") ?? false }
        reader.declare(kind: "department", id: id, node: node)
        return department
    }

    private func requireField(_ f: Fields, _ key: String, _ owner: String) -> Node? {
        if let v = f[key] { return v }
        reader.error(f.node, "\(owner) has no `\(key)`")
        return nil
    }

    /// Ids are short lowercase slugs: they appear in URLs (`/canaux/securite`) and search syntax (`canal:securite`).
    private func readID(_ f: Fields, kind: String) -> String? {
        guard let node = requireField(f, "id", "this \(kind)"), let id = reader.nonEmptyString(node, field: "\(kind) id") else { return nil }
        if !URLRules.slug(id) {
            reader.error(node, "\(kind) id `\(id)` must use only lowercase letters, digits, `-` and `_`, starting with a letter or digit")
            return nil
        }
        return id
    }
}

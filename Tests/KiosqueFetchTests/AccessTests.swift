import Foundation
import KiosqueFetch
import KiosqueModel
import KiosqueTestServer
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Sets a uniquely named environment variable for one test (names never collide between parallel tests).
private func environmentSecret(_ value: String) -> String {
    let name = "KIOSQUE_TEST_SECRET_\(UUID().uuidString.replacingOccurrences(of: "-", with: "_"))"
    setenv(name, value, 1)
    return name
}

/// Test settings that go through the proxy at `proxyURL` as user "agent".
private func proxied(through proxyURL: String, password: String) -> FetchSettings {
    var settings = Support.settings()
    settings.proxy = proxyURL
    settings.proxyUser = "agent"
    settings.proxyPassword = password
    return settings
}

@Suite("Source credentials, proxy and TLS")
struct AccessTests {
    @Test func basicCredentialsComeFromTheEnvironment() async throws {
        let server = try Support.server()
        let variable = environmentSecret("s3cret-pass")
        let engine = HTTPEngine(settings: Support.settings())
        let request = FetchRequest(sourceID: "intranet", url: server.url("/feed.xml"),
                                   credentials: .basic(user: "kiosque", password: .environment(variable)))
        #expect(await engine.fetch(request).value?.status == 200)
        let sent = try #require(server.requests(path: "/feed.xml").first)
        #expect(sent.header("Authorization") == "Basic " + Data("kiosque:s3cret-pass".utf8).base64EncodedString())
    }

    @Test func headerSecretComesFromAFileAndCookieFromTheEnvironment() async throws {
        let server = try Support.server()
        let directory = try Support.temporaryDirectory()
        let secretFile = directory.appendingPathComponent("token")
        try Data("Bearer abc123\n".utf8).write(to: secretFile)
        let engine = HTTPEngine(settings: Support.settings())
        let withHeader = FetchRequest(sourceID: "paywall", url: server.url("/feed.xml"),
                                      credentials: .header(name: "Authorization", value: .file(secretFile.path)))
        #expect(await engine.fetch(withHeader).value != nil)
        let withCookie = FetchRequest(sourceID: "paywall", url: server.url("/feed.xml"),
                                      credentials: .cookie(.environment(environmentSecret("session=xyz"))))
        #expect(await engine.fetch(withCookie).value != nil)
        let sent = server.requests(path: "/feed.xml")
        #expect(sent.first?.header("Authorization") == "Bearer abc123")
        #expect(sent.last?.header("Cookie") == "session=xyz")
    }

    @Test func missingSecretFailsWithoutTouchingTheNetwork() async throws {
        let server = try Support.server()
        let engine = HTTPEngine(settings: Support.settings())
        let request = FetchRequest(sourceID: "intranet", url: server.url("/feed.xml"),
                                   credentials: .basic(user: "u", password: .environment("KIOSQUE_TEST_UNSET_VARIABLE")))
        let failure = try #require(await engine.fetch(request).failure)
        #expect(failure.errorClass == .credentials)
        #expect(failure.message.contains("KIOSQUE_TEST_UNSET_VARIABLE"))
        #expect(failure.message.contains("intranet"))
        #expect(server.stats.requestsReceived == 0)
    }

    @Test func secretWithALineBreakIsRefusedAndNotEchoed() async throws {
        let engine = HTTPEngine(settings: Support.settings())
        let variable = environmentSecret("token\r\nX-Injected: yes")
        let request = FetchRequest(sourceID: "s", url: "http://127.0.0.1:9/",
                                   credentials: .header(name: "X-Api-Key", value: .environment(variable)))
        let failure = try #require(await engine.fetch(request).failure)
        #expect(failure.errorClass == .credentials)
        #expect(!failure.message.contains("token"))
    }

    @Test func credentialsAreNotSentToAnotherHostAfterARedirect() async throws {
        let other = try Support.server()
        let server = try Support.server { router in
            // "localhost" is another origin than "127.0.0.1", even on the same machine.
            router.on("/away", respond: .redirect(302, to: "http://localhost:\(other.port)/feed.xml"))
        }
        let engine = HTTPEngine(settings: Support.settings())
        let request = FetchRequest(sourceID: "s", url: server.url("/away"),
                                   credentials: .header(name: "X-Api-Key", value: .environment(environmentSecret("k"))))
        #expect(await engine.fetch(request).value?.status == 200)
        #expect(server.requests(path: "/away").first?.header("X-Api-Key") == "k")
        let forwarded = try #require(other.requests(path: "/feed.xml").first)
        #expect(forwarded.header("X-Api-Key") == nil)
    }

    @Test func fetchGoesThroughAnAuthenticatingForwardProxy() async throws {
        let origin = try Support.server()
        let proxy = try TestForwardProxy(user: "agent", password: "pr0xy")
        let engine = HTTPEngine(settings: proxied(through: proxy.url, password: "pr0xy"))
        let response = try #require(await engine.fetch(FetchRequest(sourceID: "p", url: origin.url("/feed.xml"))).value)
        #expect(response.status == 200)
        #expect(response.body == Data(TestDocuments.rss.utf8))
        #expect(proxy.tally.forwarded == 1)
        #expect(origin.requests(path: "/feed.xml").first?.header("Via") == "1.1 kiosque-test-proxy")
        #expect(origin.requests(path: "/feed.xml").first?.header("Proxy-Authorization") == nil)
    }

    @Test func wrongProxyPasswordIsACredentialsFailure() async throws {
        let origin = try Support.server()
        let proxy = try TestForwardProxy(user: "agent", password: "pr0xy")
        let engine = HTTPEngine(settings: proxied(through: proxy.url, password: "wrong"))
        let failure = try #require(await engine.fetch(FetchRequest(sourceID: "p", url: origin.url("/feed.xml"))).failure)
        #expect(failure.errorClass == .credentials)
        #expect(failure.httpStatus == 407)
        #expect(!failure.message.contains("wrong"))
        #expect(proxy.tally.forwarded == 0 && proxy.tally.rejected >= 1)
        #expect(origin.stats.requestsReceived == 0)
    }

    @Test func noProxyHostsBypassTheProxy() async throws {
        let origin = try Support.server()
        let proxy = try TestForwardProxy(user: "agent", password: "pr0xy")
        var settings = Support.settings()
        settings.proxy = proxy.url
        settings.noProxy = "127.0.0.1,localhost"
        let engine = HTTPEngine(settings: settings)
        #expect(await engine.fetch(FetchRequest(sourceID: "p", url: origin.url("/feed.xml"))).value?.status == 200)
        #expect(proxy.tally == TestForwardProxy.Counts())
        #expect(origin.stats.requestsReceived == 1)
    }

    @Test func proxySettingsAreFilledFromTheEnvironment() {
        let environment = ["KIOSQUE_PROXY_USER": "agent", "KIOSQUE_PROXY_PASSWORD": "pw", "no_proxy": ".intranet.local"]
        let filled = FetchSettings(proxy: "http://proxy:3128").fillingFromEnvironment(environment)
        #expect(filled.proxyUser == "agent" && filled.proxyPassword == "pw" && filled.noProxy == ".intranet.local")
        let explicit = FetchSettings(proxyUser: "it").fillingFromEnvironment(environment)
        #expect(explicit.proxyUser == "it")
        #expect(FetchSettings().fillingFromEnvironment(["NO_PROXY": "a.b"]).noProxy == "a.b")
        #expect(FetchSettings().fillingFromEnvironment([:]).proxyUser == nil)
    }

    @Test(.enabled(if: TinyproxyServer.isAvailable, "tinyproxy is not installed (apt-get install tinyproxy-bin)"))
    func fetchGoesThroughTinyproxyWithBasicAuth() async throws {
        let origin = try Support.server()
        let tinyproxy = try TinyproxyServer(user: "agent", password: "pr0xy")
        defer { tinyproxy.shutdown() }
        let response = await HTTPEngine(settings: proxied(through: tinyproxy.url, password: "pr0xy")).fetch(FetchRequest(sourceID: "p", url: origin.url("/feed.xml")))
        #expect(response.value?.body == Data(TestDocuments.rss.utf8))
        #expect(origin.requests(path: "/feed.xml").first?.header("Via")?.contains("tinyproxy") == true)

        let refused = await HTTPEngine(settings: proxied(through: tinyproxy.url, password: "wrong")).fetch(FetchRequest(sourceID: "p", url: origin.url("/feed.xml")))
        #expect(refused.failure?.errorClass == .credentials)
        #expect(origin.requests(path: "/feed.xml").count == 1)
    }

    @Test(.enabled(if: HTTP2TestServer.isAvailable, "nghttpd (nghttp2-server) or openssl missing"))
    func http2IsUsedWhereOffered() async throws {
        let feed = try Support.fixture("municipal-council-40-items.xml")
        let server = try HTTP2TestServer(files: ["feed.xml": feed])
        defer { server.shutdown() }
        var settings = Support.settings()
        settings.caBundlePath = server.certificatePath
        let engine = HTTPEngine(settings: settings)
        let responses = await withTaskGroup(of: FetchResponse?.self) { group in
            for index in 0..<4 {
                group.addTask { await engine.fetch(FetchRequest(sourceID: "h2-\(index)", url: server.url("feed.xml"))).value }
            }
            return await group.reduce(into: [FetchResponse?]()) { $0.append($1) }
        }
        #expect(responses.count == 4)
        for response in responses {
            #expect(response?.httpVersion == "2")
            #expect(response?.body == feed)
        }
    }

    @Test(.enabled(if: TinyproxyServer.isAvailable && SelfSignedTLSServer.isAvailable, "tinyproxy or openssl missing"))
    func httpsTunnelsThroughTinyproxy() async throws {
        let tls = try SelfSignedTLSServer()
        let tinyproxy = try TinyproxyServer(user: "agent", password: "pr0xy")
        defer { tinyproxy.shutdown(); tls.shutdown() }
        var settings = proxied(through: tinyproxy.url, password: "pr0xy")
        settings.caBundlePath = tls.certificatePath
        let response = await HTTPEngine(settings: settings).fetch(FetchRequest(sourceID: "tunnel", url: tls.url))
        #expect(response.value?.status == 200)
        // Certificate checks still apply inside the tunnel.
        let untrusted = await HTTPEngine(settings: proxied(through: tinyproxy.url, password: "pr0xy"))
            .fetch(FetchRequest(sourceID: "tunnel", url: tls.url))
        #expect(untrusted.failure?.errorClass == .tls)
    }

    @Test(.enabled(if: SelfSignedTLSServer.isAvailable, "the openssl command is not installed"))
    func selfSignedCertificateIsRejectedClearly() async throws {
        let tls = try SelfSignedTLSServer()
        defer { tls.shutdown() }
        let engine = HTTPEngine(settings: Support.settings())
        let failure = try #require(await engine.fetch(FetchRequest(sourceID: "tls", url: tls.url)).failure)
        #expect(failure.errorClass == .tls)
        #expect(failure.message.contains("certificate"))

        // The same server is accepted once its certificate is trusted: the failure was about trust, not TLS itself.
        var trusting = Support.settings()
        trusting.caBundlePath = tls.certificatePath
        let response = await HTTPEngine(settings: trusting).fetch(FetchRequest(sourceID: "tls", url: tls.url))
        #expect(response.value?.status == 200)
    }
}

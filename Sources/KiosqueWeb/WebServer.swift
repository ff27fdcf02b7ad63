public import Foundation
public import Hummingbird
public import KiosqueConfig
public import KiosqueRefresh
public import KiosqueStoreContract
public import Logging
import HummingbirdCore
import KiosqueIdentity
import KiosqueMail
public import KiosqueMedia
import Mustache
import NIOCore
public import Prometheus

/// The agents' web front as one Hummingbird application (a ServiceLifecycle `Service`).
/// Everything it needs is passed in: the configuration, the store, the scheduler for "fetch now".
public struct WebServer {
    /// Where the portal keeps its signing key (inside the data folder, backed up with it).
    public struct Options: Sendable {
        public var host: String
        public var port: Int
        public var dataDirectory: String
        /// The registry that `MetricsSystem` was bootstrapped with; nil serves no /metrics.
        public var metrics: PrometheusCollectorRegistry?
        /// How long a connection may stay silent (no request head, no body part) before it is
        /// closed: a client trickling its headers or holding idle connections cannot exhaust them.
        public var idleTimeout: Duration
        /// Where article pictures are cached (`<cache>/media`, disposable); nil puts them in `<data>/cache/media`.
        public var mediaCacheDirectory: String?
        /// bcrypt's cost for passwords set through the web front. 11 in service; tests use the
        /// minimum (4) so that hundreds of sign-ins running at once do not queue on two cores.
        public var passwordCost: UInt8
        /// The time a request is served at (`AppRequestContext.now`): what announcements are
        /// published, scheduled or expired, and what the cached Ma page is valid for. Tests move it.
        public var now: @Sendable () -> Date
        public init(host: String = "127.0.0.1", port: Int = 8080, dataDirectory: String, metrics: PrometheusCollectorRegistry? = nil,
                    idleTimeout: Duration = .seconds(30), mediaCacheDirectory: String? = nil, passwordCost: UInt8 = 11,
                    now: @escaping @Sendable () -> Date = { Date() }) {
            self.now = now
            self.mediaCacheDirectory = mediaCacheDirectory
            self.passwordCost = passwordCost
            self.host = host
            self.port = port
            self.dataDirectory = dataDirectory
            self.metrics = metrics
            self.idleTimeout = idleTimeout
        }
    }

    /// The router, for in-process tests and for the application.
    let router: Router<AppRequestContext>
    /// The API's paths and their methods, from the OpenAPI document (405 answers).
    let methods: MethodTable
    let options: Options
    let logger: Logger
    /// The media cache (`media.mode: proxy`), for prefetching after ingest; nil in direct mode.
    public let media: MediaService?

    /// Settings read at start (theme, authentication, security headers) need a restart to change;
    /// the catalogue and portal title follow `live` reloads.
    public init(configuration live: LiveConfiguration, store: any PortalStore, scheduler: RefreshScheduler?,
                options: Options, logger: Logger) async throws {
        let configuration = live.current
        self.options = options
        self.logger = logger
        let resources = try WebResources.load(themeDirectory: configuration.themeURL)
        let secrets = try Secrets.loadOrCreate(at: (options.dataDirectory as NSString).appendingPathComponent("kiosque.key"))
        let secure = configuration.auth.secureCookies ?? configuration.portal.baseURL.lowercased().hasPrefix("https://")
        var views = ViewRenderer(library: resources.templates, localizer: try resources.localizer(defaultLanguage: configuration.portal.language),
                                 secrets: secrets, portalTitle: configuration.portal.title,
                                 hasThemeCSS: resources.themeFiles["theme.css"] != nil,
                                 hasThemeLogo: resources.themeFiles["logo.svg"] != nil, secureCookies: secure)
        views.themedItemRow = resources.themedTemplates.contains("item-row")
        views.oidcConfigured = !configuration.auth.oidc.isEmpty
        let sessions = SessionStore(store: store, idleTimeout: configuration.auth.sessionIdle,
                                    absoluteTimeout: configuration.auth.sessionAbsolute)
        let passwords = PasswordHasher(cost: options.passwordCost)
        let media = try MediaService.make(configuration: configuration, dataDirectory: options.dataDirectory,
                                          cacheDirectory: options.mediaCacheDirectory)
        views.mediaRewriter = media?.rewriter
        self.media = media

        let router = Router(context: AppRequestContext.self)
        router.add(middleware: ClockMiddleware(now: options.now))
        router.add(middleware: SecurityHeadersMiddleware(frameHosts: configuration.content.iframeHosts,
                                                         strictTransportSecurity: configuration.portal.baseURL.lowercased().hasPrefix("https://"),
                                                         proxiedImages: media != nil))
        router.add(middleware: ErrorPageMiddleware(views: views))
        StaticFilesController(resources: resources).register(on: router)
        if let registry = options.metrics {
            router.add(middleware: MetricsMiddleware())
            router.get("/metrics") { _, _ in
                Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                         body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
            }
        }
        router.get("/healthz") { _, _ in "ok" }
        router.get("/readyz") { _, _ -> Response in await Readiness.response(store: store) }
        if let media { MediaController(media: media).register(on: router) }
        // Signed one-click unsubscribe links work without a session or CSRF token: before those middleware.
        if let signer = UnsubscribeSigner(keyFile: (options.dataDirectory as NSString).appendingPathComponent("kiosque.key")) {
            UnsubscribeController(store: store, signer: signer, portalTitle: configuration.portal.title).register(on: router)
        }
        router.add(middleware: AuthenticationMiddleware(store: store, sessions: sessions, auth: configuration.auth,
                                                        localizer: views.localizer, secureCookies: secure,
                                                        defaultDigest: configuration.mail.defaultDigest))
        router.add(middleware: CSRFMiddleware(secrets: secrets, views: views, baseURL: configuration.portal.baseURL))
        let throttle = LoginThrottle()
        let directory = try DirectorySetup.settings(from: configuration).map {
            DirectoryAccounts(client: DirectoryClient(settings: $0), store: store, defaultLanguage: configuration.portal.language,
                              defaultDigest: configuration.mail.defaultDigest)
        }
        let twoFactorGate = TwoFactorGate(store: store, policy: configuration.auth.twoFactor,
                                          pendingKey: secrets.derivedKey(purpose: "two-factor-pending"), secureCookies: secure)
        let oidcProviders = try OIDCSetup.settings(from: configuration)
        var oidc: OIDCSignIn?
        if !oidcProviders.isEmpty {
            oidc = OIDCSignIn(providers: oidcProviders, transport: CurlOIDCTransport(engine: OIDCSetup.engine(for: configuration)),
                              accounts: OIDCAccounts(store: store, defaultLanguage: configuration.portal.language,
                                                     defaultDigest: configuration.mail.defaultDigest),
                              store: store, sessions: sessions, views: views, gate: twoFactorGate,
                              pendingKey: secrets.derivedKey(purpose: "oidc-pending"),
                              baseURL: configuration.portal.baseURL, secureCookies: secure)
            oidc?.passwordForm = configuration.auth.localAccounts || directory != nil
            oidc?.register(on: router)
        }
        AuthController(store: store, sessions: sessions, views: views, throttle: throttle, passwords: passwords,
                       localAccounts: configuration.auth.localAccounts, secureCookies: secure, directory: directory,
                       twoFactor: twoFactorGate, oidc: oidc).register(on: router)
        SetupController(store: store, sessions: sessions, views: views, passwords: passwords, throttle: throttle,
                        secureCookies: secure, language: configuration.portal.language).register(on: router)

        let agents = router.group().add(middleware: RequireAgentMiddleware())
        HomeController(store: store, views: views, cache: PageCache(), live: live).register(on: agents)
        CatalogueController(store: store, views: views).register(on: agents)
        SearchController(store: store, views: views).register(on: agents)
        AccountController(store: store, views: views, sessions: sessions, passwords: passwords, throttle: throttle, secureCookies: secure,
                          baseURL: configuration.portal.baseURL).register(on: agents)
        let feeds = FeedsController(store: store, live: live, views: views)
        feeds.register(public: router, agents: agents)
        ReadingController(store: store, views: views, feeds: feeds, live: live).register(public: router, on: agents)
        let admins = router.group().add(middleware: RequireAdminMiddleware(views: views))
        APIController(store: store, scheduler: scheduler, live: live).register(agents: agents, admins: admins)
        let announcementFiles = try await AnnouncementStorage.make(dataDirectory: options.dataDirectory,
                                                                   maxUpload: configuration.documents.maxUploadBytes,
                                                                   maxDimension: configuration.media.maxDimension, store: store, logger: logger)
        AnnouncementsAPI(store: store, files: announcementFiles).register(agents: agents)
        AnnouncementsController(store: store, views: views, files: announcementFiles).register(agents: agents, admins: admins)
        PressReviewController(store: store, views: views).register(agents: agents)
        AdminController(store: store, views: views, live: live, scheduler: scheduler, passwords: passwords, sessions: sessions, media: media)
            .register(on: admins)
        SignInLogController(store: store, views: views).register(on: admins)
        if !oidcProviders.isEmpty { OIDCAdminController(store: store, views: views, providers: oidcProviders).register(on: admins) }
        TwoFactorController(store: store, sessions: sessions, views: views, throttle: throttle, passwords: passwords,
                            vault: TwoFactorVault(secrets: secrets), gate: twoFactorGate, issuer: configuration.portal.title,
                            secureCookies: secure).register(public: router, agents: agents, admins: admins)
        MailPages(store: store, views: views, live: live,
                  signer: UnsubscribeSigner(keyFile: (options.dataDirectory as NSString).appendingPathComponent("kiosque.key")))
            .register(agents: agents, admins: admins)
        try await DocumentsController.make(store: store, views: views, dataDirectory: options.dataDirectory,
                                           maxUpload: configuration.documents.maxUploadBytes, logger: logger).register(agents: agents, admins: admins)
        self.router = router
        self.methods = MethodTable(openAPI: resources.openAPI)
    }

    /// Every route, with HEAD answered as GET (for the application and in-process tests).
    var routes: HeadAsGet<AllowedMethods<Router<AppRequestContext>>> {
        HeadAsGet(base: AllowedMethods(base: router, table: methods))
    }

    /// The application to run in a ServiceGroup.
    public func application() -> some ApplicationProtocol {
        // Request heads are capped at 32 KB (NIO allows 80 KB): no legitimate browser or client sends more.
        let decoder = HTTP1Channel.Configuration.DecoderConfiguration(maxHeaderFieldSize: 16 * 1_024, maxHeaderListSize: 32 * 1_024,
                                                                     maxHeaderFieldCount: 200)
        return Application(router: routes,
                           server: .http1(configuration: .init(idleTimeout: .init(options.idleTimeout), httpDecoderConfiguration: decoder)),
                           configuration: .init(address: .hostname(options.host, port: options.port), serverName: nil), logger: logger)
    }
}

extension PortalConfiguration {
    /// The theme folder, resolved against the configuration file's folder.
    var themeURL: URL? {
        guard let theme = portal.themeDirectory else { return nil }
        let base = URL(fileURLWithPath: filePath).deletingLastPathComponent()
        return theme.hasPrefix("/") ? URL(fileURLWithPath: theme) : base.appendingPathComponent(theme)
    }
}

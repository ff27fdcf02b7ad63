// swift-tools-version: 6.2
// Kiosque — intranet news portal. Layers (imports point down only):
// 0 KiosqueModel · 1 Config, Fetch(+CCurl), Parse(+CLibXML2), Sanitize(+CLibXML2), StoreContract, Store(+GRDB)
// 2 Documents, Refresh · 3 Web · 4 the `kiosque` executable. See ../shared/ARCHITECTURE.md.
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "Kiosque",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "kiosque", targets: ["kiosque"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/vapor/multipart-kit", exact: "4.7.1"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", exact: "0.9.20"),
        .package(url: "https://github.com/JohnSundell/Ink", from: "0.6.0"),
        .package(url: "https://github.com/vapor/jwt-kit", from: "5.7.1"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.25.0"),
    ],
    targets: [
        .systemLibrary(name: "CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CKiosqueZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CVips", pkgConfig: "vips", providers: [.apt(["libvips-dev"])]),
        .systemLibrary(name: "CLDAP", pkgConfig: "ldap", providers: [.apt(["libldap-dev"])]),
        .systemLibrary(name: "CQRencode", pkgConfig: "libqrencode", providers: [.apt(["libqrencode-dev"])]),

        .target(name: "KiosqueModel", swiftSettings: strict),
        .target(name: "KiosqueConfig", dependencies: [
            "KiosqueModel", .product(name: "Yams", package: "Yams"),
        ], swiftSettings: strict),
        .target(name: "KiosqueParse", dependencies: ["KiosqueModel", "CLibXML2"], swiftSettings: strict),
        .target(name: "KiosqueSanitize", dependencies: [
            "KiosqueModel", "CLibXML2", .product(name: "Ink", package: "Ink"),
        ], swiftSettings: strict),
        .target(name: "KiosqueFetch", dependencies: [
            "KiosqueModel", "CCurl", .product(name: "Crypto", package: "swift-crypto"),
        ], swiftSettings: strict),
        // Layer 1: the store contract (record types, protocols per area, the search syntax) that both store
        // implementations (SQLite here, PostgreSQL in KiosqueStorePostgres) conform to; see notes/store-contract.md.
        .target(name: "KiosqueStoreContract", dependencies: ["KiosqueModel"], swiftSettings: strict),
        .target(name: "KiosqueStore", dependencies: [
            "KiosqueModel", "KiosqueStoreContract", .product(name: "GRDB", package: "GRDB.swift"),
        ], swiftSettings: strict),
        // Layer 1: the same store on PostgreSQL (issue 18), a sibling of KiosqueStore; postgres-nio never leaks out.
        .target(name: "KiosqueStorePostgres", dependencies: [
            "KiosqueModel", "KiosqueStoreContract",
            .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ], swiftSettings: strict),
        .target(name: "KiosqueRefresh", dependencies: [
            "KiosqueModel", "KiosqueConfig", "KiosqueFetch", "KiosqueParse", "KiosqueSanitize", "KiosqueStoreContract",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Metrics", package: "swift-metrics"),
        ], swiftSettings: strict),
        .target(name: "KiosqueDocuments", dependencies: [
            "KiosqueModel", "KiosqueStoreContract", "CLibXML2", .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            .product(name: "Crypto", package: "swift-crypto"),
        ], swiftSettings: strict),
        // Layer 1: who the agent is: TOTP, the directory (libldap through CLDAP), OpenID Connect (JWT and JWKS
        // through jwt-kit; its HTTP calls go through a transport protocol that the web layer fills with libcurl).
        .target(name: "KiosqueIdentity", dependencies: [
            "KiosqueModel", "CLDAP", "CQRencode", .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "JWTKit", package: "jwt-kit"),
        ], swiftSettings: strict),
        // Layer 2: e-mail (MIME, SMTP over libcurl, outbox delivery, digests); see issue 15.
        .target(name: "KiosqueMail", dependencies: [
            "KiosqueModel", "KiosqueConfig", "KiosqueStoreContract", "CCurl",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Metrics", package: "swift-metrics"),
        ], swiftSettings: strict),
        // Layer 2: pictures fetched once through the fetch engine, checked and re-encoded by libvips (issue 16).
        .target(name: "KiosqueMedia", dependencies: [
            "KiosqueModel", "KiosqueFetch", "CVips", .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Metrics", package: "swift-metrics"),
        ], swiftSettings: strict),
        .executableTarget(name: "DocumentsCrashHelper", dependencies: ["KiosqueDocuments", "KiosqueStore"],
                          path: "Tests/DocumentsCrashHelper"),
        .target(name: "KiosqueWeb", dependencies: [
            "KiosqueModel", "KiosqueConfig", "CKiosqueZlib", "KiosqueStoreContract", "KiosqueRefresh", "KiosqueDocuments", "KiosqueMail",
            "KiosqueMedia", "KiosqueIdentity", "KiosqueFetch",
            "KiosqueSanitize",
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "MultipartKit", package: "multipart-kit"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
            .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
            .product(name: "Mustache", package: "swift-mustache"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ], resources: [.copy("Resources")], swiftSettings: strict),
        .executableTarget(name: "kiosque", dependencies: [
            "KiosqueModel", "KiosqueConfig", "KiosqueParse", "KiosqueSanitize", "KiosqueFetch",
            "KiosqueStore", "KiosqueStorePostgres", "KiosqueRefresh", "KiosqueWeb", "KiosqueDocuments", "KiosqueMail", "KiosqueIdentity",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ], swiftSettings: strict),

        // Test support: a real HTTP server on 127.0.0.1 that misbehaves on purpose, a feed farm, proxies.
        .target(name: "KiosqueTestServer", dependencies: ["CKiosqueZlib"], swiftSettings: strict),
        .testTarget(name: "KiosqueFetchTests", dependencies: ["KiosqueFetch", "KiosqueModel", "KiosqueTestServer"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "KiosqueParseTests", dependencies: ["KiosqueParse", "KiosqueModel"], resources: [.copy("Fixtures")]),
        .testTarget(name: "KiosqueSanitizeTests", dependencies: ["KiosqueSanitize", "CLibXML2"], resources: [.copy("Fixtures")]),
        .executableTarget(name: "StoreCrashHelper", dependencies: ["KiosqueStore", "KiosqueModel"],
                          path: "Benchmarks/StoreCrashHelper", swiftSettings: strict),
        // The store backends the behavioural suites run over (SQLite; PostgreSQL when it provides a test factory).
        .target(name: "KiosqueStoreTesting", dependencies: [
            "KiosqueStore", "KiosqueStorePostgres", "KiosqueTestServer", .product(name: "Logging", package: "swift-log"),
        ], path: "Tests/KiosqueStoreTesting",
                swiftSettings: strict),
        .testTarget(name: "KiosqueStoreTests", dependencies: [
            "KiosqueStore", "KiosqueStoreTesting", "KiosqueModel", "StoreCrashHelper", .product(name: "GRDB", package: "GRDB.swift"),
        ]),

        // Benchmarks (`make bench`): plain executables that print their figures.
        .target(name: "BenchmarkSupport", path: "Benchmarks/BenchmarkSupport", swiftSettings: strict),
        .executableTarget(name: "ParseBench", dependencies: ["KiosqueParse", "KiosqueModel", "CLibXML2"],
                          path: "Benchmarks/ParseBench", swiftSettings: strict),
        .executableTarget(name: "SanitizeBench", dependencies: ["KiosqueSanitize"],
                          path: "Benchmarks/SanitizeBench", swiftSettings: strict),
        .executableTarget(name: "FarmBench", dependencies: [
            "BenchmarkSupport",
            "KiosqueConfig", "KiosqueFetch", "KiosqueModel", "KiosqueRefresh", "KiosqueStore", "KiosqueTestServer",
        ], path: "Benchmarks/FarmBench", swiftSettings: strict),
        .executableTarget(name: "WebBench", dependencies: [
            "BenchmarkSupport",
            "KiosqueConfig", "KiosqueRefresh", "KiosqueStore", "KiosqueStorePostgres", "KiosqueWeb",
            .product(name: "Hummingbird", package: "hummingbird"), .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ], path: "Benchmarks/WebBench", swiftSettings: strict),
        .executableTarget(name: "MediaBench", dependencies: ["BenchmarkSupport", "KiosqueFetch", "KiosqueMedia", "KiosqueTestServer"],
                          path: "Benchmarks/MediaBench", swiftSettings: strict),
        .executableTarget(name: "StoreBench", dependencies: [
            "BenchmarkSupport", "KiosqueStore", "KiosqueModel", "KiosqueStorePostgres", "KiosqueTestServer",
            .product(name: "Logging", package: "swift-log"),
        ], path: "Benchmarks/StoreBench", swiftSettings: strict),
        .executableTarget(name: "DocumentsBench", dependencies: [
            "BenchmarkSupport",
            "KiosqueDocuments", "KiosqueStore", "KiosqueModel", .product(name: "GRDB", package: "GRDB.swift"),
        ], path: "Benchmarks/DocumentsBench", swiftSettings: strict),

        // Fuzzing (`make fuzz`): built with -sanitize=fuzzer -DFUZZING; normal builds replay corpus files.
        .target(name: "CFuzzerDriver", path: "Fuzz/CFuzzerDriver"),
        .executableTarget(name: "ParseFuzz", dependencies: ["KiosqueParse", "CFuzzerDriver"],
                          path: "Fuzz/ParseFuzz/ParseFuzz", swiftSettings: strict),
        .target(name: "CSanitizeFuzzDriver", path: "Fuzz/SanitizeFuzz/CSanitizeFuzzDriver"),
        .executableTarget(name: "SanitizeFuzz", dependencies: ["KiosqueSanitize", "CSanitizeFuzzDriver"],
                          path: "Fuzz/SanitizeFuzz/SanitizeFuzz", swiftSettings: strict),

        .testTarget(name: "KiosqueStorePostgresTests", dependencies: [
            "KiosqueStorePostgres", "KiosqueStore", "KiosqueStoreContract", "KiosqueModel", "KiosqueConfig", "KiosqueTestServer",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "KiosqueRefreshTests", dependencies: [
            "KiosqueRefresh", "KiosqueConfig", "KiosqueFetch", "KiosqueModel", "KiosqueStore", "KiosqueTestServer",
        ]),
        .testTarget(name: "KiosqueConfigTests", dependencies: ["KiosqueConfig"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "KiosqueCLITests", dependencies: [
            "KiosqueModel", "KiosqueStore", "KiosqueStorePostgres", "KiosqueDocuments", "KiosqueMedia", "KiosqueTestServer",
        ]),
        .testTarget(name: "KiosqueDocumentsTests", dependencies: ["KiosqueDocuments", "KiosqueStore", "KiosqueModel"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "KiosqueIdentityTests", dependencies: [
            "KiosqueIdentity", "KiosqueTestServer", .product(name: "JWTKit", package: "jwt-kit"),
        ]),
        .testTarget(name: "KiosqueMediaTests", dependencies: ["KiosqueMedia", "KiosqueFetch", "KiosqueModel", "KiosqueTestServer"]),
        .testTarget(name: "KiosqueMailTests", dependencies: [
            "KiosqueMail", "KiosqueStore", "KiosqueConfig", "KiosqueModel", "KiosqueTestServer",
        ]),
        .testTarget(name: "KiosqueWebTests", dependencies: [
            "KiosqueWeb", "KiosqueStore", "KiosqueStorePostgres", "KiosqueStoreTesting", "KiosqueConfig", "KiosqueModel", "KiosqueRefresh", "KiosqueParse", "KiosqueMail",
            "KiosqueMedia", "KiosqueTestServer", "KiosqueIdentity", .product(name: "JWTKit", package: "jwt-kit"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
        ]),
    ]
)

// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "jiuzhu",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "jiuzhu", targets: ["jiuzhu"]),
    ],
    dependencies: [
        .package(url: "https://github.com/vapor/vapor.git", from: "4.115.0"),
        .package(url: "https://github.com/vapor/fluent.git", from: "4.12.0"),
        .package(url: "https://github.com/vapor/fluent-sqlite-driver.git", from: "4.8.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver.git", from: "2.10.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.0.0"..<"5.0.0"),
        .package(url: "https://github.com/JohnSundell/Plot.git", from: "0.14.0"),
        .package(url: "https://github.com/apple/swift-openapi-generator.git", from: "1.14.3"),
        .package(url: "https://github.com/apple/swift-openapi-runtime.git", from: "1.13.4"),
        .package(url: "https://github.com/vapor/swift-openapi-vapor.git", from: "1.2.0"),
    ],
    targets: [
        // The domain, pure: values, rules, calculators. No I/O.
        .target(name: "JiuzhuCore"),
        // Persistence: migrations, repositories, field encryption, audit chain.
        .target(
            name: "JiuzhuStore",
            dependencies: [
                "JiuzhuCore",
                .product(name: "Fluent", package: "fluent"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Vapor", package: "vapor"),
            ],
            resources: [.copy("Resources")]
        ),
        // Talking to other systems: department sources, partners, signed envelopes.
        .target(
            name: "JiuzhuExchange",
            dependencies: [
                "JiuzhuStore", "JiuzhuCore",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Fluent", package: "fluent"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // The Vapor application: routes, middleware, views.
        .target(
            name: "JiuzhuWeb",
            dependencies: [
                "JiuzhuCore", "JiuzhuStore", "JiuzhuExchange",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Fluent", package: "fluent"),
                .product(name: "Plot", package: "Plot"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "OpenAPIVapor", package: "swift-openapi-vapor"),
            ],
            // openapi.yaml (a symlink to the repository root's) is the JSON API's contract:
            // the plugin generates the server from it, and it is embedded to be served as is.
            resources: [.copy("Public"), .embedInCode("openapi.yaml")],
            plugins: [.plugin(name: "OpenAPIGenerator", package: "swift-openapi-generator")]
        ),
        // The executable: argument parsing and wiring only.
        .executableTarget(name: "jiuzhu", dependencies: ["JiuzhuWeb"]),

        // Shared by the test targets: databases (SQLite, and PostgreSQL when
        // JIUZHU_TEST_POSTGRES_URL is set), a movable clock, app set-up.
        .target(
            name: "JiuzhuTestSupport",
            dependencies: [
                "JiuzhuWeb", "JiuzhuStore", "JiuzhuCore",
                .product(name: "Vapor", package: "vapor"), .product(name: "VaporTesting", package: "vapor"),
            ],
            path: "Tests/JiuzhuTestSupport"
        ),

        .testTarget(name: "JiuzhuCoreTests", dependencies: ["JiuzhuCore"]),
        .testTarget(
            name: "JiuzhuStoreTests",
            dependencies: ["JiuzhuStore", "JiuzhuCore", "JiuzhuTestSupport", .product(name: "Fluent", package: "fluent")]
        ),
        .testTarget(
            name: "JiuzhuExchangeTests",
            dependencies: [
                "JiuzhuExchange", "JiuzhuStore", "JiuzhuCore", "JiuzhuTestSupport",
                .product(name: "Fluent", package: "fluent"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "VaporTesting", package: "vapor"),
            ]
        ),
        .testTarget(
            name: "JiuzhuWebTests",
            dependencies: [
                "JiuzhuWeb", "JiuzhuStore", "JiuzhuCore", "JiuzhuTestSupport",
                .product(name: "Fluent", package: "fluent"),
                .product(name: "VaporTesting", package: "vapor"),
            ]
        ),
    ]
)

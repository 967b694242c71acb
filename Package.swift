// swift-tools-version: 6.1
import PackageDescription

/// Concierge: a customer-service suite for online stores.
///
/// Layout:
/// - `Shared/`   libraries every process links (ZeroMQ, Majordomo, wire envelope, service runtime, contracts)
/// - `Services/` one folder per executable: the broker, the four domain services, the gateway and the CLI
/// - `Tests/`    Swift Testing suites, end-to-end tests that start the real executables, pyzmq interop tests
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny")
]

let package = Package(
    name: "Concierge",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "broker", targets: ["BrokerMain"]),
        .executable(name: "tickets", targets: ["TicketsMain"]),
        .executable(name: "customers", targets: ["CustomersMain"]),
        .executable(name: "returns", targets: ["ReturnsMain"]),
        .executable(name: "loyalty", targets: ["LoyaltyMain"]),
        .executable(name: "gateway", targets: ["GatewayMain"]),
        .executable(name: "concierge", targets: ["ConciergeCLI"]),
        .executable(name: "mdp-echo-worker", targets: ["MDPEchoWorker"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
    ],
    targets: [
        // MARK: Shared libraries

        .systemLibrary(
            name: "CZeroMQ",
            path: "Shared/CZeroMQ",
            pkgConfig: "libzmq",
            providers: [.apt(["libzmq3-dev"])]
        ),
        .target(
            name: "ZeroMQ",
            dependencies: [
                "CZeroMQ",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Shared/ZeroMQ",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Majordomo",
            dependencies: [
                "ZeroMQ",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Shared/Majordomo",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Wire",
            dependencies: [],
            path: "Shared/Wire",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Contracts",
            dependencies: [],
            path: "Shared/Contracts",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "StorePlatforms",
            dependencies: [
                "Contracts",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Shared/StorePlatforms",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SLA",
            dependencies: [],
            path: "Shared/SLA",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ServiceRuntime",
            dependencies: [
                "Majordomo",
                "Wire",
                "Contracts",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Shared/ServiceRuntime",
            swiftSettings: swiftSettings
        ),

        // MARK: Services (library + thin executable each)

        .executableTarget(
            name: "BrokerMain",
            dependencies: [
                "Majordomo", "Wire", "ServiceRuntime",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Services/Broker",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TicketsService",
            dependencies: ["ServiceRuntime", "Contracts", "Wire", "SLA"],
            path: "Services/Tickets/Service",
            resources: [.copy("Migrations")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "TicketsMain", dependencies: ["TicketsService"], path: "Services/Tickets/Main",
            swiftSettings: swiftSettings),
        .target(
            name: "CustomersService",
            dependencies: ["ServiceRuntime", "Contracts", "Wire", "StorePlatforms"],
            path: "Services/Customers/Service",
            resources: [.copy("Migrations")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "CustomersMain", dependencies: ["CustomersService"], path: "Services/Customers/Main",
            swiftSettings: swiftSettings),
        .target(
            name: "ReturnsService",
            dependencies: ["ServiceRuntime", "Contracts", "Wire"],
            path: "Services/Returns/Service",
            resources: [.copy("Migrations")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "ReturnsMain", dependencies: ["ReturnsService"], path: "Services/Returns/Main",
            swiftSettings: swiftSettings),
        .target(
            name: "LoyaltyService",
            dependencies: ["ServiceRuntime", "Contracts", "Wire"],
            path: "Services/Loyalty/Service",
            resources: [.copy("Migrations")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "LoyaltyMain", dependencies: ["LoyaltyService"], path: "Services/Loyalty/Main",
            swiftSettings: swiftSettings),
        .target(
            name: "GatewayApp",
            dependencies: [
                "ServiceRuntime", "Contracts", "Wire", "StorePlatforms",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            path: "Services/Gateway/App",
            resources: [.copy("Migrations")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "GatewayMain", dependencies: ["GatewayApp"], path: "Services/Gateway/Main",
            swiftSettings: swiftSettings),
        .executableTarget(
            name: "ConciergeCLI",
            dependencies: [
                "ServiceRuntime", "GatewayApp", "TicketsService", "CustomersService", "ReturnsService",
                "LoyaltyService",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Services/Concierge",
            swiftSettings: swiftSettings
        ),

        // MARK: Tests

        .target(
            name: "TestSupport",
            dependencies: [
                "ServiceRuntime", "Majordomo", "TicketsService", "CustomersService", "ReturnsService", "LoyaltyService",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/Support/TestSupport",
            swiftSettings: swiftSettings
        ),

        .executableTarget(
            name: "MDPEchoWorker",
            dependencies: [
                "Majordomo", "Wire",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/Support/MDPEchoWorker",
            swiftSettings: swiftSettings
        ),

        .testTarget(
            name: "MajordomoTests",
            dependencies: ["ZeroMQ", "Majordomo", "Wire"],
            path: "Tests/MajordomoTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "StorePlatformsTests",
            dependencies: ["StorePlatforms", "Contracts"],
            path: "Tests/StorePlatformsTests",
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SLATests",
            dependencies: ["SLA"],
            path: "Tests/SLATests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ConciergeTests",
            dependencies: [
                "ServiceRuntime", "Contracts", "Wire", "TestSupport", "Majordomo", "StorePlatforms",
                "TicketsService", "CustomersService", "ReturnsService", "LoyaltyService",
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            path: "Tests/ConciergeTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "GatewayTests",
            dependencies: [
                "GatewayApp", "ServiceRuntime", "Contracts", "Wire", "TestSupport", "StorePlatforms",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "HummingbirdWSTesting", package: "hummingbird-websocket"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            path: "Tests/GatewayTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["Contracts", "Wire", "TestSupport", "ServiceRuntime", "StorePlatforms"],
            path: "Tests/EndToEndTests",
            swiftSettings: swiftSettings
        ),
    ]
)

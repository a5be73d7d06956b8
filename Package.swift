// swift-tools-version:6.0
import PackageDescription

let strict: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny")]

let package = Package(
    name: "teamsview",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "teamsview", targets: ["teamsview"]),
        .executable(name: "teamsview-bench", targets: ["teamsview-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.3.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        // libmicrohttpd, the C HTTP server the HTTP layer wraps.
        .systemLibrary(
            name: "CMicroHTTPD",
            pkgConfig: "libmicrohttpd",
            providers: [.apt(["libmicrohttpd-dev"])]
        ),
        // Percent-decoding of URL parts and form fields, shared by the HTTP layer and webhook forms.
        .target(name: "PercentEncoding", swiftSettings: strict),
        // JSON writing into bytes: API answers, live messages, simulated event lines.
        .target(name: "JSONOutput", swiftSettings: strict),
        // HTTP over libmicrohttpd: requests, responses, routing, static files, streaming bodies.
        // Knows nothing of contact centres.
        .target(
            name: "MicroHTTP",
            dependencies: [
                "CMicroHTTPD", "PercentEncoding",
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // The domain: events, the worker registry, derived flags, snapshots. Imports no HTTP.
        .target(
            name: "TeamsDomain",
            dependencies: [
                .product(name: "HashTreeCollections", package: "swift-collections"),
            ],
            swiftSettings: strict
        ),
        // Event sources and decoders: line reading, the native format, Twilio formats, ingest statistics.
        .target(
            name: "TeamsIngest",
            dependencies: [
                "TeamsDomain", "PercentEncoding",
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "HeapModule", package: "swift-collections"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // A simulated contact centre that writes native NDJSON events (demo, simulate, benchmark).
        .target(
            name: "Simulation",
            dependencies: ["TeamsDomain", "JSONOutput"],
            swiftSettings: strict
        ),
        // Reports: interval statistics, agent timelines and incidents, from the event stream, in SQLite.
        .target(
            name: "TeamsReports",
            dependencies: [
                "TeamsDomain",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // Pages, JSON API and live updates: the glue between the domain and the HTTP layer.
        .target(
            name: "TeamsWeb",
            dependencies: [
                "MicroHTTP", "TeamsDomain", "TeamsIngest", "JSONOutput", "TeamsReports",
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "teamsview",
            dependencies: [
                "TeamsWeb", "TeamsIngest", "TeamsDomain", "TeamsReports", "Simulation", "MicroHTTP",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "teamsview-bench",
            dependencies: [
                "TeamsWeb", "TeamsIngest", "TeamsDomain", "TeamsReports", "Simulation", "MicroHTTP",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        .testTarget(name: "MicroHTTPTests", dependencies: ["MicroHTTP"], swiftSettings: strict),
        .testTarget(name: "TeamsDomainTests", dependencies: ["TeamsDomain", "Simulation"], swiftSettings: strict),
        .testTarget(name: "TeamsIngestTests", dependencies: ["TeamsIngest", "TeamsDomain"], swiftSettings: strict),
        .testTarget(name: "TeamsReportsTests", dependencies: ["TeamsReports", "TeamsDomain"], swiftSettings: strict),
        .testTarget(
            name: "TeamsWebTests",
            dependencies: ["TeamsWeb", "TeamsIngest", "TeamsDomain", "TeamsReports", "Simulation", "MicroHTTP"],
            swiftSettings: strict
        ),
    ]
)

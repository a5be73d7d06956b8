// swift-tools-version:6.0
import PackageDescription

let strict: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny")]

var package = Package(
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
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.0.0"..<"5.0.0"),
    ],
    targets: [
        // libmicrohttpd, the C HTTP server the HTTP layer wraps.
        .systemLibrary(
            name: "CMicroHTTPD",
            pkgConfig: "libmicrohttpd",
            providers: [.apt(["libmicrohttpd-dev"])]
        ),
        // zlib, for the CRC-32 that frames write-ahead log records.
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // glibc's malloc.h: the heap's figures (mallinfo2) for /metrics, trimming and tuning.
        .systemLibrary(name: "CMalloc"),
        // Percent-decoding of URL parts and form fields, shared by the HTTP layer and webhook forms.
        .target(name: "PercentEncoding", swiftSettings: strict),
        // JSON writing into bytes: API answers, live messages, simulated event lines.
        .target(name: "JSONOutput", swiftSettings: strict),
        // RFC 3339 times written in UTC, shared by the domain's timestamps and the log's lines.
        .target(name: "TimeText", swiftSettings: strict),
        // Log lines for machines: a swift-log handler writing logfmt or JSON lines to standard error.
        .target(
            name: "StructuredLog",
            dependencies: ["JSONOutput", "TimeText", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
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
                "TimeText",
                .product(name: "HashTreeCollections", package: "swift-collections"),
            ],
            swiftSettings: strict
        ),
        // Event sources and decoders: line reading, the native format, Twilio formats, ingest statistics.
        .target(
            name: "TeamsIngest",
            dependencies: [
                "TeamsDomain", "PercentEncoding", "CZlib",
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
                "TeamsDomain", "CMalloc",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // Who may see what: users and password hashes, sessions, sign-in lock-out, display and API tokens,
        // webhook signatures, the audit log. Imports no HTTP.
        .target(
            name: "TeamsAccess",
            dependencies: [
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // Pages, JSON API and live updates: the glue between the domain and the HTTP layer.
        .target(
            name: "TeamsWeb",
            dependencies: [
                "MicroHTTP", "TeamsDomain", "TeamsIngest", "JSONOutput", "TeamsReports", "TeamsAccess",
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
                "TeamsWeb", "TeamsIngest", "TeamsDomain", "TeamsReports", "Simulation", "MicroHTTP", "TeamsAccess",
                "StructuredLog",
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
        .testTarget(name: "StructuredLogTests", dependencies: ["StructuredLog"], swiftSettings: strict),
        .testTarget(name: "TeamsAccessTests", dependencies: ["TeamsAccess"], swiftSettings: strict),
        .testTarget(name: "TeamsReportsTests", dependencies: ["TeamsReports", "TeamsDomain"], swiftSettings: strict),
        .testTarget(
            name: "TeamsWebTests",
            dependencies: ["TeamsWeb", "TeamsIngest", "TeamsDomain", "TeamsReports", "Simulation", "MicroHTTP"],
            swiftSettings: strict
        ),
    ]
)

// libFuzzer targets (scripts/fuzz.sh): present only when TEAMSVIEW_FUZZ=1, so the normal build, its tests and CI
// never compile them. Built with `-sanitize=fuzzer,address` into their own scratch folder (.build-fuzz).
// Each target is one libFuzzer entry point (`LLVMFuzzerTestOneInput`) over one decoder, and checks invariants.
if Context.environment["TEAMSVIEW_FUZZ"] == "1" {
    let fuzzTargets: [(name: String, dependencies: [Target.Dependency])] = [
        ("fuzz-json-tape", ["TeamsIngest", "JSONOutput"]),
        ("fuzz-native-decoder", ["TeamsIngest", "TeamsDomain"]),
        ("fuzz-twilio-decoder", ["TeamsIngest", "TeamsDomain", .product(name: "Logging", package: "swift-log")]),
        ("fuzz-form-decoder", ["TeamsIngest", "TeamsDomain", "PercentEncoding"]),
        ("fuzz-line-reader", ["TeamsIngest"]),
        ("fuzz-request-target", ["MicroHTTP", "PercentEncoding"]),
    ]
    package.targets.append(.target(name: "FuzzCheck", path: "Fuzz/FuzzCheck", swiftSettings: strict))
    for t in fuzzTargets {
        package.targets.append(.executableTarget(name: t.name, dependencies: ["FuzzCheck"] + t.dependencies,
                                                 path: "Fuzz/Targets/\(t.name)", swiftSettings: strict))
        package.products.append(.executable(name: t.name, targets: [t.name]))
    }
}

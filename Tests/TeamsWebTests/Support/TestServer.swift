import Foundation
import Logging
import MicroHTTP
import TeamsDomain
import TeamsIngest
import TeamsWeb

/// The real application on a real loopback port, fed from real seed files, with a fixed clock.
final class TestServer: @unchecked Sendable {
    static let repoRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.path
    }()

    static func seed(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: repoRoot + "/seeds/" + name)))
    }

    let store: RegistryStore
    let statistics = IngestStatistics()
    let pipeline: IngestPipeline
    /// The session `POST /ingest` feeds.
    let posts: SharedIngestSession
    let app: TeamsApp
    let server: HTTPServer
    var client: HTTPClient { HTTPClient(port: server.port) }

    /// - Parameters:
    ///   - twilio: read every format (as `teamsview serve` does) instead of the native one only.
    ///   - token: the bearer token `POST /ingest` requires.
    init(seeds: [String], now: String, settings: ViewSettings = ViewSettings(), twilio: Bool = false,
         token: String? = nil, maxBodyBytes: Int = 16 << 20, limits: Registry.Limits = Registry.Limits()) async throws {
        let store = RegistryStore(Registry(limits: limits))
        self.store = store
        let decoder: @Sendable () -> any LineDecoder
        if twilio {
            decoder = { TwilioDecoder() }
        } else {
            decoder = { NativeDecoder() }
        }
        pipeline = IngestPipeline(statistics: statistics, decoder: decoder, store: store)
        posts = SharedIngestSession(pipeline: pipeline, source: "POST /ingest")
        let fixed = RFC3339.parse(now)!
        app = try await TeamsApp(store: store, statistics: statistics, assets: .init(root: Self.repoRoot),
                                 settings: settings, clock: WallClock { fixed },
                                 ingest: IngestEndpoint(session: posts, token: token, maxBodyBytes: maxBodyBytes))
        for name in seeds {
            _ = pipeline.ingest(body: try Self.seed(name), source: name)
        }
        server = HTTPServer(configuration: .init(host: "127.0.0.1", port: 0), router: app.routes())
        app.attach(server)
        try server.start()
    }

    deinit { server.stop() }
}

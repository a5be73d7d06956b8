import Foundation
import Synchronization
import HTTPTypes
import JSONOutput
import Logging
import MicroHTTP
import Mustache
import TeamsAccess
import TeamsDomain
import TeamsIngest
import TeamsReports

/// The web application: routes of the pages, the JSON API and the operator endpoints,
/// over a registry store fed by the ingest pipeline.
public final class TeamsApp: Sendable {
    public let store: RegistryStore
    public let renderer: PageRenderer
    public let statistics: IngestStatistics
    public let clock: WallClock
    /// Boards of the views asked for, kept up to date, and live updates (`/live`) from them.
    public let live: LiveUpdates
    /// Boards (and their diffs) into bytes, for the page, the kiosk and the stream alike.
    let boards: BoardRenderer
    let staticFiles: StaticFiles
    let logger: Logger
    let pages = PageCache()
    let ingest: IngestEndpoint?
    /// The restore and the write-ahead log; `nil` in tests that keep nothing.
    let durability: Durability?
    let metrics = MetricsExporter()
    /// How long requests take, by route group (counted by the server, copied into `/metrics` at each scrape).
    let requestDurations = RequestDurations(groups: TeamsApp.routeGroups, bounds: TeamsApp.durationBounds,
                                            unrouted: "other") { _, pattern in TeamsApp.routeGroup(pattern) }
    /// Reports, incidents and their pages; `nil` when reporting is off.
    public let reports: ReportsWeb?
    /// Who may see what; nil: everyone sees everything and no `Host`/`Origin` rule applies (tests, benchmarks).
    public let access: AccessGate?
    private let server = Mutex<HTTPServer?>(nil)
    /// When this application started, for the uptime on `/status`.
    let startedAt: Timestamp

    /// Where `Templates/` and `Public/` are found.
    public struct Assets: Sendable {
        public var templates: String
        public var publicDirectory: String

        public init(root: String) {
            templates = root + "/Templates"
            publicDirectory = root + "/Public"
        }

        /// Finds the directory holding `Templates/` and `Public/`: `TEAMSVIEW_ROOT`, the working
        /// directory, or a parent of the executable (a `swift build` tree inside the checkout).
        public static func locate(executable: String = CommandLine.arguments.first ?? "") -> Assets? {
            let fm = FileManager.default
            var candidates: [String] = []
            if let env = ProcessInfo.processInfo.environment["TEAMSVIEW_ROOT"] { candidates.append(env) }
            candidates.append(fm.currentDirectoryPath)
            var dir = URL(fileURLWithPath: executable).resolvingSymlinksInPath().deletingLastPathComponent()
            for _ in 0..<6 {
                candidates.append(dir.path)
                candidates.append(dir.appendingPathComponent("share/teamsview").path)
                dir = dir.deletingLastPathComponent()
            }
            for c in candidates where fm.fileExists(atPath: c + "/Templates/teams.mustache") {
                return Assets(root: c)
            }
            return nil
        }
    }

    public init(store: RegistryStore, statistics: IngestStatistics, assets: Assets, settings: ViewSettings,
                clock: WallClock = .system, ingest: IngestEndpoint? = nil, live liveSettings: LiveSettings = LiveSettings(),
                logger: Logger = Logger(label: "teamsview.web"), reports: ReportWriter? = nil,
                durability: Durability? = nil, access: AccessGate? = nil) async throws {
        self.durability = durability
        self.store = store
        self.access = access
        self.ingest = ingest
        self.statistics = statistics
        self.clock = clock
        startedAt = clock.now()
        self.logger = logger
        HTMLText.register()
        try HTMLText.check(templates: assets.templates)
        let library = try await MustacheLibrary(directory: assets.templates)
        self.staticFiles = try StaticFiles(directory: assets.publicDirectory)
        var settings = settings
        settings.reportLinks = reports != nil
        let renderer = PageRenderer(library: library, settings: settings, assetVersion: Self.assetVersion(staticFiles))
        self.renderer = renderer
        self.boards = BoardRenderer(page: renderer, kiosk: KioskRenderer(page: renderer))
        self.live = LiveUpdates(store: store, statistics: statistics, renderer: boards, settings: liveSettings, clock: clock,
                                restoring: { [durability] in durability.map { !$0.restore.isReady } ?? false })
        self.reports = reports.map { ReportsWeb(reports: $0, renderer: renderer, clock: clock, audit: access?.audit) }
    }

    /// A 32-bit FNV-1a hash in base 36, for ETags.
    func fnv1a(_ text: String) -> String {
        var hash: UInt32 = 0x811c_9dc5
        for byte in text.utf8 { hash = (hash ^ UInt32(byte)) &* 0x0100_0193 }
        return String(hash, radix: 36)
    }

    /// A short fingerprint of `Public/`, appended to asset URLs so browsers fetch changed files at once.
    static func assetVersion(_ files: StaticFiles) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for tag in files.files.values.map(\.etag).sorted() {
            for byte in tag.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        }
        return String(hash % 0xFFFF_FFFF, radix: 36)
    }

    /// Tells the app which server serves it, for the HTTP figures of `/metrics`.
    public func attach(_ server: HTTPServer) {
        self.server.withLock { $0 = server }
    }

    /// Query parameters whose values are secrets, kept out of the access log: `token` (a kiosk token on
    /// `/kiosk`, an ingest or client token on `/ingest` and the Twilio webhooks) and `return` (the sign-in
    /// page's way back, the whole target of the page asked for, which may hold a token).
    public static let secretQueryParameters: Set<String> = ["token", "return"]

    /// Every route of the application.
    public func routes() -> Router {
        var router = Router()
        router.get("/") { [self] in teamsPage($0) }
        router.get("/live") { [live] in live.handle($0) }
        router.get("/kiosk") { [self] in kioskPage($0) }
        router.get("/api/workers") { [self] in workersAPI($0) }
        router.get("/api/workers/:id") { [self] in workerAPI($0) }
        router.get("/api/summary") { [self] in summaryAPI($0) }
        router.get("/api/status") { [self] _ in json(statusJSON()) }
        router.get("/status") { [self] _ in secured(statusPage()) }
        if let ingest {
            router.post("/ingest", bodyLimit: ingest.maxBodyBytes, offloaded: true, tooLarge: ingest.tooLarge) { ingest.handle($0) }
            router.options("/ingest") { ingest.preflight($0) }
        }
        reports?.register(&router)
        router.get("/metrics") { [self] _ in metricsText() }
        router.get("/healthz") { _ in Response(contentType: "text/plain; charset=utf-8", text: "ok\n") }
        router.get("/readyz") { [durability] _ in
            durability?.readyz() ?? Response(contentType: "text/plain; charset=utf-8", text: "ready\n")
        }
        if let access, access.settings.authRequired {
            SignInPage(gate: access, library: renderer.library, assetVersion: renderer.assetVersion,
                       title: renderer.settings.title).register(&router)
        }
        router.get("/static/*") { [staticFiles] in staticFiles.handler($0) }
        router.get("/favicon.ico") { [staticFiles] request in
            var r = request
            r.parameters["*"] = "favicon.svg"
            return staticFiles.handler(r)
        }
        if let access { router = router.wrapped { access.handle($0, $1) } }
        // A path no route serves is a 404 to anyone, signed in or not: its fallback is set after the gate.
        router.fallback = { NoSuchPage.answer($0) }
        router.durations = requestDurations
        // Refusals, the access gate's and unknown paths' too, are pages for browsers.
        return ErrorPages(renderer: renderer).wrap(router)
    }

    /// The `route` label of `teamsview_http_request_duration_seconds`: a fixed set, never a path a client sent.
    static let routeGroups = ["page", "kiosk", "live", "api", "reports", "ingest", "metrics", "static", "other"]

    /// Its buckets' upper bounds: pages take a few milliseconds, a cached page well under one, a large post seconds.
    static let durationBounds: [Duration] = [
        .microseconds(250), .microseconds(500), .milliseconds(1), .microseconds(2500), .milliseconds(5), .milliseconds(10),
        .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
        .milliseconds(2500),
    ]

    /// The group of a route, from its pattern: `/` the Teams View, `/kiosk`, `/live` (only its answers without a
    /// stream: a stream is never timed), the JSON API, the reports' pages and API, `/ingest`, `/metrics`, static
    /// files; the rest (`/status`, `/healthz`, `/readyz`, sign-in) and unknown paths are `other`.
    static func routeGroup(_ pattern: String) -> String {
        let segments = pattern.split(separator: "/")
        switch segments.first {
        case nil: return "page"
        case "kiosk": return "kiosk"
        case "live": return "live"
        case "ingest": return "ingest"
        case "metrics": return "metrics"
        case "static", "favicon.ico": return "static"
        case "report", "report.csv", "incidents": return "reports"
        case "api":
            let second = segments.dropFirst().first
            return second == "report" || second == "incidents" ? "reports" : "api"
        default: return "other"
        }
    }

    var feed: FeedState {
        let now = clock.now()
        return FeedState(lastEventAt: store.snapshot().lastEventAt,
                         silentFor: statistics.lastLineReceivedAt.map { max(0, $0.seconds(until: now)) })
    }

    /// The incidents the strip of `/` and `/kiosk` names at most (`incidents.js` builds as many).
    static let incidentStripItems = 12

    /// `GET /`: one window of the view's board (`?page=`, `?per=` up to 1,000; 200 rows by default).
    func teamsPage(_ request: Request) -> Response {
        let now = clock.now()
        let second = now.microseconds / 1_000_000
        // Read before the board: what is rendered is at this stamp or newer, so a kept response is never older.
        let stamp = PageCache.Stamp(version: store.version, seq: live.sequence, second: second)
        let asker = request.asker
        let asking = PageCache.Asking(target: request.target, teams: asker.teams.text, teamsOutOfScope: asker.teamsOutOfScope)
        if let kept = pages.response(asking, at: stamp) { return kept }
        let key = BoardKey(view: .page, query: WorkerQuery(parameters: request.query))
        let window = BoardWindow(request, defaultPer: BoardWindow.defaultPer)!
        let board = live.board(for: key)
        let cursor = LiveCursor(epoch: live.epoch, seq: board.seq).text
        // `?theme=dark|light` pins the colours; otherwise they follow the browser's prefers-color-scheme.
        let theme = request.queryValue("theme").flatMap { $0 == "dark" || $0 == "light" ? $0 : nil }
        let scope = asker.teams
        let invalid = notices(request, for: .page)
        let view = "teams?" + key.query.queryString + "&" + window.queryString + "&theme=" + (theme ?? "") + "&scope=" + scope.text
            + invalid.map { "&invalid=" + percentEncode($0.name) + "=" + percentEncode($0.value) }.joined()
        let etag = "\"t\(board.version)-\(second)-\(fnv1a(view))\""
        let pageKey = PageCache.Key(version: board.version, second: second, view: view + "#" + cursor)
        let body = pages.page(pageKey) {
            renderer.teamsPage(board, window: window, body: { boards.appendBody(board, window: window, at: now, into: &$0) }, feed: feed,
                               at: now, liveCursor: cursor, theme: theme, scope: scope, invalid: invalid,
                               incidents: reports?.incidentStrip(for: request, first: Self.incidentStripItems),
                               source: emptyBoardFeed(request))
        }
        var fields = HTTPFields()
        fields.append(Self.htmlType)
        fields[.eTag] = etag
        // Callers' numbers: no shared cache may keep it; the browser revalidates with the ETag.
        fields.append(Self.privateNoCache)
        let response = secured(Response(status: .ok, headerFields: fields, body: .bytes(body))).reusable()
        pages.keep(response, of: pageKey, for: asking, at: stamp)
        return response
    }

    /// `GET /api/workers`: every worker of the view, or one window of it with `?page=`/`?per=`.
    func workersAPI(_ request: Request) -> Response {
        if let refusal = invalidFilterResponse(request, for: .workersAPI) { return refusal }
        let query = WorkerQuery(parameters: request.query)
        let board = live.board(for: BoardKey(view: .page, query: query))
        let window = BoardWindow(request, defaultPer: nil)
        // A team no agent on the floor has is no error (it may log in later), but it is said.
        let absent = EmptyBoard.absentTeams(query.teams, in: board.registry, scope: request.asker.teams)
        return json(APIViews.workers(board, window: window, settings: renderer.settings, linger: renderer.linger,
                                     absentTeams: absent, at: clock.now()))
    }

    func workerAPI(_ request: Request) -> Response {
        let teams = request.queryValues("team")
        guard let id = request.parameters["id"], let worker = store.snapshot().workers[id], request.mayView(team: worker.team),
              teams.isEmpty || teams.contains(worker.team) else {
            return json(Array(#"{"error":"no such worker"}"#.utf8), status: .notFound)
        }
        return json(APIViews.worker(worker, settings: renderer.settings, linger: renderer.linger, at: clock.now()))
    }

    func summaryAPI(_ request: Request) -> Response {
        if let refusal = invalidFilterResponse(request, for: .summaryAPI) { return refusal }
        let registry = store.snapshot()
        let now = clock.now()
        let query = WorkerQuery(parameters: request.query)
        let workers = registry.workers.values.filter { query.matches($0, at: now, grace: renderer.settings.grace,
                                                                        offlineActivity: renderer.settings.offlineActivity) }
        let summary = Summary(workers, at: now, grace: renderer.settings.grace,
                              offlineActivity: renderer.settings.offlineActivity)
        // A team no agent on the floor has is no error (it may log in later), but it is said, as `/api/workers` says it.
        let absent = EmptyBoard.absentTeams(query.teams, in: registry, scope: request.asker.teams)
        return json(APIViews.summary(summary, version: registry.version, feed: feed, at: now,
                                     staleAfter: renderer.settings.staleAfter, absentTeams: absent))
    }

    /// What a page says it could not follow in the request's query: parameters the view reads with values they
    /// do not take, and teams asked for outside the asker's scope (the gate left them out).
    func notices(_ request: Request, for view: WorkerQuery.ParameterView) -> [WorkerQuery.InvalidFilter] {
        var notices = WorkerQuery.invalidParameters(request.query, for: view)
        let asker = request.asker
        if !asker.teamsOutOfScope.isEmpty, let scope = asker.teams.names {
            notices.append(.outOfScope(asker.teamsOutOfScope, scope: scope))
        }
        return notices
    }

    /// 400 when a parameter the API reads has a value it does not take: `{"error": the reasons, "invalid":
    /// [{"parameter", "value", "accepted": [values]}]}` (`accepted` is empty for a number); nil when every one
    /// is understood.
    func invalidFilterResponse(_ request: Request, for view: WorkerQuery.ParameterView) -> Response? {
        let invalid = WorkerQuery.invalidParameters(request.query, for: view)
        guard !invalid.isEmpty else { return nil }
        var j = JSONWriter()
        j.beginObject()
        j.field("error", invalid.map(\.message).joined(separator: " "))
        j.key("invalid")
        j.beginArray()
        for filter in invalid {
            j.beginObject()
            j.field("parameter", filter.name)
            j.field("value", filter.value)
            j.key("accepted")
            j.beginArray()
            for value in filter.accepted where !value.isEmpty { j.string(value) }
            j.endArray()
            j.endObject()
        }
        j.endArray()
        j.endObject()
        return json(j.bytes, status: .badRequest)
    }

    func metricsText() -> Response {
        let http = server.withLock { $0?.statistics } ?? HTTPStatistics()
        var body = metrics.scrape(statistics: statistics.snapshot(), store: store, http: http,
                                  live: live.statisticsSnapshot,
                                  crossOriginRefused: ingest?.statistics.crossOriginRefused ?? 0,
                                  access: (access?.statistics ?? [:]).merging(ingest?.statistics.access ?? [:]) { $0 + $1 }
                                      .merging(ingest?.statistics.refusedPosts ?? [:]) { $0 + $1 },
                                  durations: requestDurations, grace: renderer.settings.grace, now: clock.now())
        if let reports { body += Array(reports.metricsText().utf8) }
        if let durability {
            body += Array(durability.metricsText(refusedNotReady: ingest?.statistics.refusedNotReady ?? 0,
                                                 refusedNotWritten: ingest?.statistics.refusedNotWritten ?? 0).utf8)
        }
        var fields = HTTPFields()
        fields[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
        fields[.cacheControl] = "no-store"
        return Response(status: .ok, headerFields: fields, body: .bytes(body))
    }

    /// The operators' page: what `/api/status` says, readable.
    func statusPage() -> Response {
        let stats = statistics.snapshot()
        let registry = store.snapshot()
        let now = clock.now()
        let http = server.withLock { $0?.statistics } ?? HTTPStatistics()
        var model = renderer.pageModel(registry, feed: feed, at: now)
        model["linesRead"] = stats.linesRead
        model["linesSkippedEmpty"] = stats.linesSkippedEmpty
        model["eventsApplied"] = stats.eventsApplied
        model["eventsUnchanged"] = Int(store.counters.unchanged)
        model["eventsIgnored"] = stats.twilio.ignoredTotal
        model["duplicates"] = stats.twilio.duplicates
        model["linesRejected"] = stats.linesRejected
        model["hasRejects"] = !stats.recentRejects.isEmpty
        model["categories"] = stats.rejectedByCategory.filter { $0.value > 0 }.sorted { $0.key.rawValue < $1.key.rawValue }
            .map { ["name": $0.key.rawValue, "count": $0.value] as [String: Any] }
        model["serverVersion"] = ServerVersion.text
        model["startedAt"] = Formatting.utc(startedAt)
        model["uptime"] = Formatting.span(startedAt.seconds(until: now))
        model["now"] = Formatting.utc(now)
        model["lastEventAt"] = registry.lastEventAt.map(Formatting.utc) ?? "none yet"
        model["lastEventAge"] = registry.lastEventAt.map { "event time " + Formatting.age($0.seconds(until: now)) } ?? ""
        model["lastLineAgo"] = stats.lastLineReceivedAt.map { Formatting.age($0.seconds(until: now)) } ?? "never"
        // Events refused because the registry is at a cap (`--max-workers`, `--max-calls-per-worker`).
        let counters = store.counters
        let refusedWorkers = Int(counters.unchangedByReason[ApplyOutcome.Reason.tooManyWorkers] ?? 0)
        let refusedCalls = Int(counters.unchangedByReason[ApplyOutcome.Reason.tooManyCalls] ?? 0)
        model["refused"] = refusedWorkers + refusedCalls
        model["hasRefusals"] = refusedWorkers + refusedCalls > 0
        model["refusedWorkers"] = Formatting.plural(refusedWorkers, "event") + " of new workers past the cap of \(registry.limits.maxWorkers.formatted(.number.grouping(.automatic).locale(Locale(identifier: "en_US"))))"
        model["refusedCalls"] = Formatting.plural(refusedCalls, "call start") + " past \(registry.limits.maxCallsPerWorker) calls per worker"
        model["workers"] = registry.workers.count
        model["workersWord"] = Formatting.noun("worker", count: registry.workers.count)
        model["registryVersion"] = String(registry.version)
        let unended = registry.callsEndNotReceived(at: now)
        model["endNotReceived"] = unended
        model["hasEndNotReceived"] = unended > 0
        model["reportsStorage"] = reports.map { $0.reports.database.path ?? "in memory: nothing is kept across a restart" } ?? "off"
        let reportStats = reports?.reports.statistics
        model["reportsFigures"] = reportStats.map {
            // Worker profiles, capacity, other channels' tasks and heartbeats are no report figure: not counted.
            "\($0.counted) call, offer, activity and removal events counted (profiles, capacity, tasks and heartbeats are not)"
                + " · \($0.duplicates) repeated · \($0.tooLate) too late · \($0.flushes) writes"
        } ?? "reports are off"
        model["reportsRestore"] = reports.map { web -> String in
            switch web.reports.restore {
            case .restoring: return "restoring the last hour from the database (\(reportStats?.queuedEvents ?? 0) events wait meanwhile)"
            case .restored(let agents, let seconds):
                return "restored \(Formatting.plural(agents, "agent")) at start in \(String(format: "%.1f", seconds)) s"
            case .failed(let why): return "FAILED to read the database at start, nothing is counted until a restart: \(why)"
            }
        }
        let tile = durability?.statusTile() ?? (storage: "none: the floor is lost on a restart (kept in memory only)", figures: "no write-ahead log")
        model["durabilityStorage"] = tile.storage
        model["durabilityFigures"] = tile.figures
        model["requests"] = http.requests
        model["accessMode"] = accessMode
        model["accessInsecure"] = access?.settings.insecureNoAuth ?? false
        model["streams"] = http.activeStreams
        model["waitingFiles"] = waitingFiles
        model["recentRejects"] = stats.recentRejects.reversed().map {
            ["at": Formatting.utc($0.at), "age": Formatting.age($0.at.seconds(until: now)), "iso": RFC3339.format($0.at), "source": $0.source, "lineNumber": $0.lineNumber, "reason": $0.reason,
             "line": $0.preview] as [String: Any]
        }
        let html = renderer.library.render(model, withTemplate: "status") ?? ""
        var response = Response(contentType: "text/html; charset=utf-8", text: html)
        // Rejected lines may quote callers' numbers.
        response.headerFields[.cacheControl] = "private, no-cache"
        return response
    }

    /// What an empty board of `request`'s asker says of the feed (`EmptyBoard`): files are named to whoever sees every team.
    func emptyBoardFeed(_ request: Request) -> EmptyBoard.Feed {
        EmptyBoard.Feed(missingFiles: waitingFiles, anyLine: statistics.lastLineReceivedAt != nil,
                        namesFiles: request.asker.teams == .all)
    }

    /// Followed event files that do not exist (yet): nothing is read from them until they appear.
    var waitingFiles: [String] {
        renderer.settings.followedFiles.filter { !FileManager.default.fileExists(atPath: $0) }
    }

    /// How access is controlled, in words for /status.
    var accessMode: String {
        guard let access else { return "open (no sign-in)" }
        let s = access.settings
        if s.insecureNoAuth { return "NO SIGN-IN beyond loopback (--insecure-no-auth): anyone who reaches this port sees the floor" }
        guard s.authRequired else { return "open on loopback (no --users or --auth-proxy-header)" }
        var parts: [String] = []
        if let users = s.users { parts.append("\(users.users.count) users sign in with a password") }
        if let header = s.proxyHeader { parts.append("reverse proxy header \(header) from \(s.trustedProxies.map(\.description).joined(separator: ", "))") }
        parts.append("\(access.tokens.count) kiosk/API tokens")
        return parts.joined(separator: "; ")
    }

    func statusJSON() -> [UInt8] {
        APIViews.status(statistics.snapshot(), registry: store.snapshot(), counters: store.counters,
                        crossOriginRefused: ingest?.statistics.crossOriginRefused ?? 0, at: clock.now()) { [durability, ingest, live] j in
            durability?.write(into: &j, refusedNotReady: ingest?.statistics.refusedNotReady ?? 0,
                              refusedNotWritten: ingest?.statistics.refusedNotWritten ?? 0)
            APIViews.live(live.statisticsSnapshot, settings: live.settings, into: &j)
            j.key("waitingForFiles")
            j.beginArray()
            for path in waitingFiles { j.string(path) }
            j.endArray()
        }
    }

    func json(_ bytes: [UInt8], status: HTTPResponse.Status = .ok) -> Response {
        jsonResponse(bytes, status: status)
    }

    /// The pages' security headers: no inline script, nothing from elsewhere, no framing.
    func secured(_ response: Response) -> Response {
        var r = response
        // Fields made once: a field made from a string checks every byte of it (the policy is 200 bytes).
        for field in Self.securityFields { r.headerFields[fields: field.name] = [field] }
        return r
    }

    static let htmlType = HTTPField(name: .contentType, value: "text/html; charset=utf-8")
    static let privateNoCache = HTTPField(name: .cacheControl, value: "private, no-cache")

    static let securityFields = [
        HTTPField(name: .contentSecurityPolicy, value: contentSecurityPolicy),
        HTTPField(name: .xContentTypeOptions, value: "nosniff"),
        HTTPField(name: .referrerPolicy, value: "no-referrer"),
        HTTPField(name: .xFrameOptions, value: "DENY"),
    ]

    static let contentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        + "font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
}

extension HTTPField.Name {
    static let xContentTypeOptions = HTTPField.Name("X-Content-Type-Options")!
    static let xFrameOptions = HTTPField.Name("X-Frame-Options")!
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
}

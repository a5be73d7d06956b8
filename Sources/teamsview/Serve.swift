import ArgumentParser
import Dispatch
import Foundation
import Synchronization
import Logging
import MicroHTTP
import TeamsAccess
import TeamsDomain
import TeamsIngest
import TeamsReports
import TeamsWeb

/// `teamsview serve`: ingest events and serve the pages.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read events and serve the Teams View, the kiosk, the API and operator endpoints.")

    @OptionGroup(title: "Basic options")
    var basic: BasicOptions

    @Option(help: "Longest accepted event line in bytes; longer lines are rejected and counted.")
    var maxLineBytes = 65_536

    @Option(help: "Seconds two live calls, or an unmuted held call, may last before the wrong-call-risk flag.")
    var grace = 3.0

    @Option(help: "Seconds a cleared flag (misroute, wrong-call risk) stays on its row, marked just cleared (0: not at all).")
    var flagLinger = 60.0

    @Option(help: "The TaskRouter activity that means logged out: presence offline, not away.")
    var offlineActivity = "Offline"

    @Flag(inversion: .prefixedNo, help: "Show only the last four digits of callers' numbers, in pages and API (default: on when --host is beyond loopback).")
    var maskCallers: Bool?

    @Option(help: "Seconds on a call before the call timer turns amber / red (warn,alert).")
    var callThresholds = "600,1200"

    @Option(help: "Seconds on hold before the hold timer turns amber / red (warn,alert).")
    var holdThresholds = "60,180"

    @Option(help: "Seconds in an away activity (break, lunch...) before its timer turns amber / red (warn,alert).")
    var activityThresholds = "900,1800"

    @Option(help: "Seconds without any event line before the pages warn that the feed is silent; the newest event older than this (and than 5 minutes) is said to be old.")
    var staleAfter = 30.0

    @Option(help: "HTTP worker threads.")
    var threads = 2

    @Option(help: "Most simultaneous HTTP connections.")
    var maxConnections = 4096

    @Option(help: ArgumentHelp("Deprecated: the token shows in ps; use --ingest-token-file or TEAMSVIEW_INGEST_TOKEN.",
                               valueName: "token"))
    var ingestToken: String?

    @Option(help: ArgumentHelp("A file holding the client token of the Flex plugin (or TEAMSVIEW_CLIENT_TOKEN): it may post only native call.hold, call.resume, call.mute and call.unmute lines.",
                               valueName: "path"))
    var clientTokenFile: String?

    @Option(name: .customLong("cors-origin"), help: ArgumentHelp(
        "A browser origin allowed to POST /ingest, e.g. https://flex.twilio.com. Repeat for several; other origins get 403.",
        valueName: "origin"))
    var corsOrigins: [String] = []

    @Option(help: ArgumentHelp("File holding the bearer token POST /ingest requires (or TEAMSVIEW_INGEST_TOKEN). Without one, only loopback clients may post.",
                               valueName: "path"))
    var ingestTokenFile: String?

    @Option(help: ArgumentHelp("PEM certificate chain to serve HTTPS with (with --tls-key); reread on SIGHUP.", valueName: "path"))
    var tlsCert: String?

    @Option(help: ArgumentHelp("PEM private key of --tls-cert; reread on SIGHUP.", valueName: "path"))
    var tlsKey: String?

    @Option(help: "Most connections open at once from one client address (0: no limit). Behind a proxy, all clients share its address.")
    var maxConnectionsPerAddress = 256

    @Option(help: "Seconds a connection may stay silent (idle, or stalled sending a request) before it is closed.")
    var connectionTimeout = 15

    @Option(help: "Most query parameters in a request; more are answered 414.")
    var maxQueryParameters = 100

    @Option(help: "Bytes that may wait for one slow live-update client before its stream is closed.")
    var liveQueueBytes = 2 << 20

    @Option(help: "Bytes that may wait for all live-update clients together; a write past it closes its stream.")
    var liveQueueTotalBytes = 128 << 20

    @Option(help: "Milliseconds between checks for live-update clients that have gone (their slot is freed).")
    var liveProbeMs = 1000

    @Option(help: "Most workers in the registry; events that would add more are refused and counted.")
    var maxWorkers = 100_000

    @Option(help: "Most calls one worker holds at once; call starts past it are refused and counted.")
    var maxCallsPerWorker = 16

    @Option(help: "Largest POST /ingest body in bytes; larger ones get 413.")
    var maxBodyBytes = 16 << 20

    @Option(help: "Seconds Twilio events are held to put an unordered feed in order (0 maps them on arrival).")
    var reorderWindow = 2.0

    @Option(help: "Seconds an event's time may be ahead of this server's clock; later events are rejected with their reason.")
    var maxClockSkew = 300.0

    @Option(help: ArgumentHelp("Seconds an event's time may be behind this server's clock; older events are rejected (too_old), as not live. 0: no limit, for replaying recorded traffic.",
                               valueName: "seconds"))
    var maxEventAge = 2_592_000.0

    @Option(help: "Comma-separated Twilio activity names that make a worker available, until activity.created/updated events say otherwise.")
    var availableActivities = "Available"

    @Option(help: "Most simultaneous live-update (/live) streams; past it the server answers 503.")
    var maxLiveClients = 2000

    @Option(help: "Seconds between heartbeats on live-update streams.")
    var heartbeat = 15.0

    @Option(help: "Milliseconds a burst of changes is gathered into one live-update message.")
    var liveCoalesceMs = 100

    @Option(help: "Most live views (distinct filters, or a page of them) kept at once; a stream for a new one is answered 503 when all have clients.")
    var maxLiveViews = 256

    @Option(help: "Estimated bytes all live views may hold together (boards, replay buffers); past it the least recently used are evicted, clients or not (0: no budget).")
    var liveViewsMemoryBytes = 256 << 20

    @Option(help: "Seconds a live view with no client is kept, so a reconnecting page finds what it missed.")
    var liveLinger = 120.0

    @Option(help: ArgumentHelp("Seconds between snapshots of the floor in the data directory (when something changed); the write-ahead log is cut at each.",
                               valueName: "seconds"))
    var snapshotInterval = 60.0

    @Option(help: ArgumentHelp("Write-ahead log length in bytes past which a snapshot is taken at once.", valueName: "bytes"))
    var snapshotLogBytes = 64 << 20

    @Option(help: ArgumentHelp("Seconds a stop (SIGTERM, SIGINT) lets HTTP requests in flight finish; new ones get 503 meanwhile, live streams end at once.",
                               valueName: "seconds"))
    var shutdownTimeout = 2.5

    @OptionGroup(title: "Reports")
    var reportOptions: ReportOptions

    @OptionGroup(title: "Sign-in and access")
    var accessOptions: AccessOptions

    @Option(help: "Directory holding Templates/ and Public/ (default: found next to the binary or here).")
    var assets: String?

    var host: String { basic.host }
    var port: Int { basic.port }
    var events: [String] { basic.events }
    var follow: Bool { basic.follow }
    var demo: Bool { basic.demo }
    var demoAgents: Int { basic.demoAgents }
    var demoRate: Double { basic.demoRate }
    var title: String { basic.title }
    var logLevel: String { basic.logLevel }

    func validate() throws {
        guard maxLineBytes >= 256 else { throw ValidationError("--max-line-bytes must be at least 256") }
        guard grace >= 0, grace.isFinite else { throw ValidationError("--grace must be zero or more seconds") }
        guard flagLinger >= 0, flagLinger <= 86_400 else { throw ValidationError("--flag-linger must be 0 to 86400 seconds") }
        guard threads >= 1, threads <= 64 else { throw ValidationError("--threads must be 1...64") }
        if demo && reportOptions.dataDir != nil {
            // A restored floor holds the last run's simulated calls, which the new simulation never ends.
            throw ValidationError("--demo starts a fresh floor each time and keeps nothing on disk: drop --data-dir")
        }
        for (name, value) in [("call", callThresholds), ("hold", holdThresholds), ("activity", activityThresholds)] {
            if let why = Self.pairProblem(value) {
                throw ValidationError("--\(name)-thresholds takes two numbers of seconds, warn,alert, with 0 ≤ warn ≤ alert "
                                      + "(e.g. --\(name)-thresholds 60,180); got \"\(value)\": \(why)")
            }
        }
        guard maxBodyBytes >= 1024 else { throw ValidationError("--max-body-bytes must be at least 1024") }
        guard reorderWindow >= 0, reorderWindow <= 60 else { throw ValidationError("--reorder-window must be 0...60 seconds") }
        guard maxClockSkew >= 1, maxClockSkew <= 86_400 else { throw ValidationError("--max-clock-skew must be 1...86400 seconds") }
        guard maxEventAge == 0 || maxEventAge >= 3600, maxEventAge.isFinite else {
            throw ValidationError("--max-event-age must be 0 (no limit) or at least 3600 seconds")
        }
        guard maxLiveClients >= 0 else { throw ValidationError("--max-live-clients must be zero or more") }
        guard heartbeat >= 1, heartbeat <= 3600 else { throw ValidationError("--heartbeat must be 1...3600 seconds") }
        guard (0...5000).contains(liveCoalesceMs) else { throw ValidationError("--live-coalesce-ms must be 0...5000") }
        guard maxLiveViews >= 1 else { throw ValidationError("--max-live-views must be at least 1") }
        guard liveViewsMemoryBytes >= 0 else { throw ValidationError("--live-views-memory-bytes must be zero or more") }
        guard liveLinger >= 0, liveLinger <= 86_400 else { throw ValidationError("--live-linger must be 0...86400 seconds") }
        for origin in corsOrigins where CrossOriginPolicy.normalise(origin) == nil {
            throw ValidationError("--cors-origin must be scheme://host[:port] with no path (got \(origin))")
        }
        guard (tlsCert == nil) == (tlsKey == nil) else { throw ValidationError("--tls-cert and --tls-key go together") }
        guard ingestToken == nil || ingestTokenFile == nil else {
            throw ValidationError("--ingest-token and --ingest-token-file exclude each other")
        }
        guard maxConnectionsPerAddress >= 0 else { throw ValidationError("--max-connections-per-address must be zero or more") }
        guard connectionTimeout >= 1 else { throw ValidationError("--connection-timeout must be at least 1 second") }
        guard maxQueryParameters >= 1 else { throw ValidationError("--max-query-parameters must be at least 1") }
        guard liveQueueBytes >= 4096 else { throw ValidationError("--live-queue-bytes must be at least 4096") }
        guard liveQueueTotalBytes >= liveQueueBytes else {
            throw ValidationError("--live-queue-total-bytes must be at least --live-queue-bytes")
        }
        guard (10...60_000).contains(liveProbeMs) else { throw ValidationError("--live-probe-ms must be 10...60000") }
        guard maxWorkers >= 1 else { throw ValidationError("--max-workers must be at least 1") }
        guard maxCallsPerWorker >= 1 else { throw ValidationError("--max-calls-per-worker must be at least 1") }
        guard shutdownTimeout >= 0, shutdownTimeout <= 600 else { throw ValidationError("--shutdown-timeout must be 0...600 seconds") }
        guard snapshotInterval >= 0.5, snapshotInterval <= 86_400 else {
            throw ValidationError("--snapshot-interval must be 0.5...86400 seconds")
        }
        guard snapshotLogBytes >= 4096 else { throw ValidationError("--snapshot-log-bytes must be at least 4096") }
    }

    static func pair(_ text: String) -> (Double, Double)? {
        guard pairProblem(text) == nil else { return nil }
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { Double($0.trimmingCharacters(in: .whitespaces))! }
        return (parts[0], parts[1])
    }

    /// What is wrong with a `warn,alert` pair of seconds; nil when nothing is.
    static func pairProblem(_ text: String) -> String? {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2 else { return "\(parts.count) value\(parts.count == 1 ? "" : "s"), not two" }
        let numbers = parts.map { Double($0) }
        for (part, number) in zip(parts, numbers) where number == nil || !number!.isFinite {
            return "\"\(part)\" is not a number"
        }
        let (warn, alert) = (numbers[0]!, numbers[1]!)
        if warn < 0 || alert < 0 { return "a negative number of seconds" }
        if alert < warn { return "alert below warn" }
        return nil
    }

    func run() async throws {
        // Two malloc arenas, not glibc's eight per core: with an HTTP thread pool, ingest and the reports'
        // writer each in arenas of their own, freed memory stays resident in every one of them.
        ProcessHeap.limitArenas(2)
        // Blocks of 128 KiB and more (pages, snapshots, batches) straight from the system and back to it.
        ProcessHeap.fixMmapThreshold(128 * 1024)
        let termination = TerminationSignal()
        let level = Logger.Level(rawValue: logLevel) ?? .info
        basic.logFormat.bootstrap(level: level)
        let logger = Logger(label: "teamsview")
        // A file that is not there is a mistake at start, unless followed: then it may appear later.
        for path in events where path != "-" {
            if let why = Self.unreadable(path) {
                guard follow else {
                    throw CommandFailure("cannot read the event file \(path): \(why) (with --follow, serve waits for a file that does not exist yet)")
                }
            }
        }
        // The simulated centre starts fresh every run: nothing is restored from, or written to, a data directory.
        var reportOptions = self.reportOptions
        if demo {
            reportOptions.inMemory = true
            logger.notice("--demo: a fresh simulated floor, kept in memory only (no data directory is read or written)")
        }

        // Before anything in the data directory is read: a second server there is refused.
        let lock = try reportOptions.directory.map(DataDirectoryLock.init(directory:))
        defer { withExtendedLifetime(lock) {} }
        guard let assets = assets.map(TeamsApp.Assets.init(root:)) ?? TeamsApp.Assets.locate() else {
            throw ValidationError("cannot find Templates/ and Public/; run from the checkout or pass --assets DIR")
        }
        let (callWarn, callAlert) = Self.pair(callThresholds)!
        let (holdWarn, holdAlert) = Self.pair(holdThresholds)!
        let (activityWarn, activityAlert) = Self.pair(activityThresholds)!
        let access = AccessGate(settings: try accessOptions.settings(host: host, tls: tlsCert != nil,
                                                                      dataDirectory: reportOptions.directory, logger: logger))
        let masked = maskCallers ?? !AccessOptions.isLoopback(host)
        if !masked && !AccessOptions.isLoopback(host) {
            logger.warning("--no-mask-callers: callers' full numbers are shown beyond loopback")
        }
        var settings = ViewSettings(grace: grace, maskCallers: masked, callWarn: callWarn, callAlert: callAlert,
                                    holdWarn: holdWarn, holdAlert: holdAlert, activityWarn: activityWarn,
                                    activityAlert: activityAlert, staleAfter: staleAfter, title: title,
                                    flagLinger: flagLinger, offlineActivity: offlineActivity)
        settings.signOutLink = access.settings.authRequired
        settings.followedFiles = follow ? events.filter { $0 != "-" } : []

        let store = RegistryStore(Registry(limits: .init(maxWorkers: maxWorkers, maxCallsPerWorker: maxCallsPerWorker)))
        let loadStarted = Timestamp.monotonicSeconds()
        var saved: (snapshot: FloorSnapshot, bytes: Int)?
        if let directory = reportOptions.directory {
            do {
                saved = try FloorSnapshot.load(directory: directory)
            } catch {
                throw ValidationError(error.description)
            }
        }
        let loadSeconds = Timestamp.monotonicSeconds() - loadStarted
        let journal: WriteAheadLog?
        let replayStart: Int
        if let directory = reportOptions.directory {
            do {
                let log = try WriteAheadLog(directory: directory,
                                            newGeneration: saved.map { $0.snapshot.log.generation &+ 1 } ?? 0)
                replayStart = try JournalReplay.start(of: log, after: saved?.snapshot,
                                                      snapshotPath: FloorSnapshot.path(in: directory))
                journal = log
            } catch let error as WriteAheadLog.OpenError {
                throw ValidationError(error.description)
            } catch let error as JournalReplay.Mismatch {
                throw ValidationError(error.description)
            }
        } else {
            journal = nil
            replayStart = WriteAheadLog.headerLength
        }
        if journal == nil && !demo {
            logger.notice("no write-ahead log (--in-memory): the floor and events posted will not survive a restart")
        }
        let restore = RestoreProgress(durable: journal != nil)
        if journal == nil { restore.finish(nil) }
        let reports = try reportOptions.open(grace: grace, logger: logger)
        let statistics = IngestStatistics()
        let available = Set(availableActivities.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        let twilio = TwilioDecoder.Configuration(reorderWindow: reorderWindow, limits: NativeLimits(maxClockSkew: maxClockSkew, maxEventAge: maxEventAge),
                                                 availableActivities: available)
        let pipeline = IngestPipeline(statistics: statistics, maxLineLength: maxLineBytes,
                                      logger: Logger(label: "teamsview.ingest"),
                                      decoder: { TwilioDecoder(configuration: twilio) }, journal: journal,
                                      store: store) { events in
            reports?.submit(events)
        }
        let posts = SharedIngestSession(pipeline: pipeline, source: Self.postSource)
        let token = try Self.ingestToken(option: ingestToken, file: ingestTokenFile, logger: logger)
        let clientToken = try Self.clientToken(file: clientTokenFile,
                                               environment: ProcessInfo.processInfo.environment["TEAMSVIEW_CLIENT_TOKEN"])
        if let clientToken, clientToken == token {
            throw ValidationError("the client token must differ from the ingest token")
        }
        var live = LiveSettings(maxClients: maxLiveClients, heartbeat: heartbeat, coalesce: Double(liveCoalesceMs) / 1000,
                                maxPendingBytes: liveQueueBytes, linger: liveLinger, maxViews: maxLiveViews)
        live.viewsMemoryBytes = liveViewsMemoryBytes
        var ingest = IngestEndpoint(session: posts, token: token, clientToken: clientToken,
                                    maxBodyBytes: maxBodyBytes, corsOrigins: corsOrigins, restore: restore)
        ingest.origin = access.settings.origin
        ingest.twilioSignature = try accessOptions.twilioAuthToken().map(WebhookSignature.init(authToken:))
        ingest.tls = tlsCert != nil
        let snapshots = journal.map {
            FloorSnapshotter(directory: $0.directory, store: store, pipeline: pipeline, journal: $0,
                             settings: .init(interval: snapshotInterval, logBytes: snapshotLogBytes))
        }
        let app = try await TeamsApp(store: store, statistics: statistics, assets: assets, settings: settings,
                                     ingest: ingest, live: live, reports: reports,
                                     durability: Durability(restore: restore, journal: journal, snapshots: snapshots),
                                     access: access)
        var http = HTTPServer.Configuration(host: host, port: port, threads: threads, connectionLimit: maxConnections,
                                            connectionTimeout: connectionTimeout)
        http.perAddressConnectionLimit = maxConnectionsPerAddress
        http.maxQueryParameters = maxQueryParameters
        http.maxQueuedStreamBytes = liveQueueTotalBytes
        http.streamProbeInterval = .milliseconds(liveProbeMs)
        http.shutdownTimeout = .milliseconds(Int(shutdownTimeout * 1000))
        if basic.accessLog {
            http.accessLog = AccessLog(logger: Logger(label: "teamsview.access"),
                                       redactedQueryParameters: TeamsApp.secretQueryParameters)
        }
        if let tlsCert, let tlsKey {
            http.tls = HTTPServer.TLS(certificateFile: tlsCert, keyFile: tlsKey)
        }
        let server = HTTPServer(configuration: http, router: app.routes(), logger: Logger(label: "teamsview.http"))
        app.attach(server)
        do {
            try server.start()
        } catch let error as HTTPServer.StartError {
            if case .cannotBind(_, _, let reason) = error, reason == String(cString: strerror(EADDRINUSE)) {
                throw CommandFailure("\(error): another process listens there; stop it, or pick another --port (or --host)")
            }
            throw CommandFailure(error.description)
        }
        let reloader = Self.reloadOnHangUp(tls: http.tls == nil ? nil : server, access: access, logger: logger)
        let scheme = http.tls == nil ? "http" : "https"
        logger.info("serving \(scheme)://\(host.contains(":") ? "[\(host)]" : host):\(server.port)/")

        var replay: JournalReplay?
        if let journal {
            replay = Self.replay(journal, pipeline: pipeline, store: store, saved: saved, start: replayStart,
                                 loadSeconds: loadSeconds, logger: logger)
        }
        if let replayed = replay?.take(Self.postSource) { posts.resume(replayed) }
        posts.startTicking()

        var sources: [any IngestSource] = []
        for path in events {
            let onEnd: @Sendable (SourceEnd) -> Void = { end in
                switch end.reason {
                case .endOfInput: logger.info("finished reading \(end.source) (\(end.lines) lines)")
                case .stopped: break
                case .failed(let why): logger.error("event source \(end.source) failed: \(why)")
                }
            }
            let source: any IngestSource = path == "-"
                ? StandardInputSource(pipeline: pipeline, resume: replay?.take(path), onEnd: onEnd)
                : FileSource(path: path, follow: follow, pipeline: pipeline, resume: replay?.take(path), onEnd: onEnd)
            source.start()
            sources.append(source)
        }
        if let replay {
            for source in replay.untaken {
                logger.notice("the write-ahead log holds events of \(source), not read now: they stay applied")
                // Kept in later snapshots too, so the source is not read again from the start should it come back.
                if let session = replay.take(source) { _ = pipeline.slot(for: session) }
            }
        }
        if let replay { restore.finish(replay.figures) }
        replay = nil
        snapshots?.start()
        let demoFeed = demo ? DemoFeed(pipeline: pipeline, agents: demoAgents, seed: 1, rate: demoRate, clock: .system) : nil
        demoFeed?.start()
        if events.isEmpty && !demo {
            logger.notice("no event file: events come only by POST /ingest (pass --events PATH, --events - for standard input, or --demo to add a source)")
        }

        // After a backlog or a flood, the heap it freed goes back to the system (see HeapTrim).
        let heapTrim = HeapTrim { store.counters.events }.start()

        await termination.wait()
        reloader.cancel()
        heapTrim.cancel()
        logger.info("stopping")
        let stopping = Timestamp.monotonicSeconds()
        var took: [String] = []
        func step(_ name: String, _ body: () -> Void) {
            let t = Timestamp.monotonicSeconds()
            body()
            took.append("\(name) \(Int(((Timestamp.monotonicSeconds() - t) * 1000).rounded())) ms")
        }
        step("demo") { demoFeed?.stop() }
        step("live") { app.live.stop() }
        step("http") { server.stop() }
        step("sources") { for source in sources { source.stop() } }
        step("ingest") { posts.stop() }
        step("timers") { snapshots?.stop(snapshot: false) }
        // The reports' backlog gets a bounded time. When the writer has not caught up, no snapshot is taken:
        // the log since the last one is replayed at the next start and feeds the reports again (an event
        // already counted counts nothing), so what was accepted is still counted.
        var reportsCaughtUp = true
        step("reports") { reportsCaughtUp = reports?.stop(within: Self.reportsStopSeconds) ?? true }
        if reportsCaughtUp {
            step("snapshot") { snapshots?.snapshotIfChanged() }
        } else if journal != nil {
            logger.warning("the reports had not written every event after \(Self.reportsStopSeconds) s: no snapshot taken, the next start replays the write-ahead log since the last one and counts them")
        }
        step("log") { journal?.stop() }
        logger.info("stopped in \(Int(((Timestamp.monotonicSeconds() - stopping) * 1000).rounded())) ms (\(took.joined(separator: ", ")))")
    }

    /// Why the event file at `path` cannot be read (it is missing, unreadable or a directory); nil when it can.
    static func unreadable(_ path: String) -> String? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return String(cString: strerror(errno)) }
        defer { close(fd) }
        var st = stat()
        if fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR { return "it is a directory" }
        return nil
    }

    /// Seconds a stop waits for the reports' writer to write its backlog.
    static let reportsStopSeconds = 1.0

    /// The source name of events posted to `/ingest`, in statistics and in the write-ahead log.
    static let postSource = "POST /ingest"

    /// Restores the floor: the snapshot when there is one, then the write-ahead log records after it (they
    /// come back through the pipeline); then starts the log's writer.
    static func replay(_ journal: WriteAheadLog, pipeline: IngestPipeline, store: RegistryStore,
                       saved: sending (snapshot: FloorSnapshot, bytes: Int)?, start: Int, loadSeconds: Double,
                       logger: Logger) -> JournalReplay {
        if let saved {
            logger.info("restoring the floor from \(FloorSnapshot.path(in: journal.directory)) (\(saved.bytes) bytes, taken \(saved.snapshot.takenAt)), then \(journal.path) after it")
        } else {
            logger.info("restoring the floor from \(journal.path)")
        }
        let replay = JournalReplay(journal, pipeline: pipeline, snapshot: saved?.snapshot, store: store, start: start,
                                   snapshotBytes: saved?.bytes ?? 0, loadSeconds: loadSeconds)
        journal.start()
        let f = replay.figures
        if f.tornBytes > 0 {
            logger.warning("cut \(f.tornBytes) bytes off the end of \(journal.path) (\(f.tornReason ?? "torn")): a write the last stop interrupted; everything before it is kept")
        }
        logger.info("restored \(f.records) log records (\(f.events) events) in \((f.seconds * 1000).rounded()) ms")
        return replay
    }

    /// The client token from `--client-token-file` (surrounding whitespace dropped) or else the environment.
    static func clientToken(file: String?, environment: String?) throws -> String? {
        guard let file else { return environment.flatMap { $0.isEmpty ? nil : $0 } }
        return try secret(file: file, option: "--client-token-file")
    }

    /// The ingest token: from `--ingest-token-file`, from the deprecated `--ingest-token` (with
    /// a warning: it shows in the process list), or from TEAMSVIEW_INGEST_TOKEN.
    static func ingestToken(option: String?, file: String?, logger: Logger) throws -> String? {
        if let file { return try secret(file: file, option: "--ingest-token-file") }
        if let option {
            logger.warning("--ingest-token is deprecated: the token shows in the process list; use --ingest-token-file or TEAMSVIEW_INGEST_TOKEN")
            return option
        }
        return ProcessInfo.processInfo.environment["TEAMSVIEW_INGEST_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// A secret read from a file given by `option`, surrounding whitespace dropped.
    /// Throws when the file is unreadable or holds nothing.
    static func secret(file: String, option: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw ValidationError("cannot read \(option) \(file)")
        }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else { throw ValidationError("\(option) \(file) is empty") }
        return token
    }

    /// On SIGHUP, rereads the users and tokens files and the TLS certificate and key (a renewed certificate is
    /// picked up without a restart). A failed reload keeps the old ones and is logged.
    static func reloadOnHangUp(tls server: HTTPServer?, access: AccessGate, logger: Logger) -> any DispatchSourceSignal {
        signal(SIGHUP, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        source.setEventHandler {
            access.reload()
            guard let server else { return }
            do {
                try server.reloadTLS()
            } catch {
                logger.error("TLS reload failed: \(error)")
            }
        }
        source.resume()
        return source
    }
}


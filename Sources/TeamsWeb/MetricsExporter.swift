import MicroHTTP
import Prometheus
import Synchronization
import TeamsDomain
import TeamsIngest

/// `/metrics` in the Prometheus text format: ingest, registry and HTTP figures.
///
/// The figures live in their own components (ingest statistics, the store, the server); each
/// scrape brings the Prometheus collectors up to date with them, so the hot paths never touch
/// a metrics library.
final class MetricsExporter: Sendable {
    private let registry = PrometheusCollectorRegistry()
    private let exported = Mutex<[String: Int]>([:])
    private let counters: [String: Counter]
    private let rejected: [IngestReject.Category: Counter]
    private let gauges: [String: Gauge]
    private let process: ProcessFigures
    /// `teamsview_http_request_duration_seconds`, one histogram per route group (made at the first scrape, when the
    /// groups and buckets are known), and what has been copied into each so far.

    init(started: Double = Double(Timestamp.now().microseconds) / 1_000_000) {
        let r = registry
        process = ProcessFigures(registry: r, started: started, version: ServerVersion.text)
        counters = [
            "lines": r.makeCounter(descriptor: .init(namespace: "teamsview", metricName: "ingest_lines", unitName: "total", helpText: "Event lines read from every source, rejected ones included.")),
            "events": r.makeCounter(descriptor: .init(namespace: "teamsview", metricName: "ingest_events", unitName: "total", helpText: "Events decoded and handed to the registry.")),
            "changed": r.makeCounter(descriptor: .init(namespace: "teamsview", metricName: "registry_changes", unitName: "total", helpText: "Events that changed the registry.")),
            "unchanged": r.makeCounter(descriptor: .init(namespace: "teamsview", metricName: "registry_unchanged", unitName: "total", helpText: "Events that changed nothing (late, duplicate, unknown call).")),
            "ignored": r.makeCounter(descriptor: .init(namespace: "teamsview", metricName: "ingest_ignored_events", unitName: "total", helpText: "Twilio events of types a Teams View has no use for.")),
            "duplicates": r.makeCounter(descriptor: .init(namespace: "teamsview", metricName: "ingest_duplicate_events", unitName: "total", helpText: "Deliveries dropped as duplicates (at-least-once feeds).")),
            "aheadOfClock": r.makeCounter(descriptor: .init(namespace: "teamsview", metricName: "ingest_ahead_of_clock_events", unitName: "total", helpText: "Events dated ahead of this server's clock (within --max-clock-skew), taken at the time they arrived: a producer's clock runs ahead.")),
            "liveMessages": r.makeCounter(descriptor: .init(namespace: "teamsview", metricName: "live_messages", unitName: "total", helpText: "Live-update messages built (one per view per change).")),
            "liveBytes": r.makeCounter(descriptor: .init(namespace: "teamsview", metricName: "live_written_bytes", unitName: "total", helpText: "Bytes written to live-update streams.")),
            "liveRefused": r.makeCounter(descriptor: .init(namespace: "teamsview", metricName: "live_refused_connections", unitName: "total", helpText: "Live-update connections refused past --max-live-clients.")),
            "liveOverflows": r.makeCounter(descriptor: .init(namespace: "teamsview", metricName: "live_overflows", unitName: "total", helpText: "Live-update streams closed because the client fell too far behind.")),
            "liveResyncs": r.makeCounter(descriptor: .init(namespace: "teamsview", metricName: "live_resyncs", unitName: "total", helpText: "Live-update connections that needed a full resync.")),
            "liveRefusedViews": r.makeCounter(descriptor: .init(namespace: "teamsview", metricName: "live_refused_views", unitName: "total", helpText: "Live-update connections for a new view refused: --max-live-views views all had clients.")),
            "liveEvicted": r.makeCounter(descriptor: .init(namespace: "teamsview", metricName: "live_views_evicted", unitName: "total", helpText: "Live views (a board through a window) evicted over --live-views-memory-bytes, clients or not.")),
            "liveEvictedClients": r.makeCounter(descriptor: .init(namespace: "teamsview", metricName: "live_evicted_clients", unitName: "total", helpText: "Live-update streams ended because their view was evicted.")),
            "liveTakeovers": r.makeCounter(descriptor: .init(namespace: "teamsview", metricName: "live_takeovers", unitName: "total", helpText: "Reconnections whose Last-Event-ID named their own stream, still open: it was closed and its slot taken.")),
            "crossOriginRefused": r.makeCounter(descriptor: .init(namespace: "teamsview", metricName: "ingest_cross_origin_refused", unitName: "total", helpText: "Browser requests to POST /ingest from origins not allowed by --cors-origin.")),
            "requests": r.makeCounter(descriptor: .init(namespace: "teamsview", metricName: "http_requests", unitName: "total", helpText: "HTTP requests served.")),
            "responses1xx": r.makeCounter(descriptor: .init(namespace: "teamsview", metricName: "http_responses", unitName: "total", helpText: "Responses sent, by status class (code=2xx…5xx): 4xx are refusals of bad or unknown requests, 5xx failures of the server."), labels: [("code", "1xx")]),
            "responses2xx": r.makeCounter(descriptor: .init(namespace: "teamsview", metricName: "http_responses", unitName: "total", helpText: "Responses sent, by status class (code=2xx…5xx): 4xx are refusals of bad or unknown requests, 5xx failures of the server."), labels: [("code", "2xx")]),
            "responses3xx": r.makeCounter(descriptor: .init(namespace: "teamsview", metricName: "http_responses", unitName: "total", helpText: "Responses sent, by status class (code=2xx…5xx): 4xx are refusals of bad or unknown requests, 5xx failures of the server."), labels: [("code", "3xx")]),
            "responses4xx": r.makeCounter(descriptor: .init(namespace: "teamsview", metricName: "http_responses", unitName: "total", helpText: "Responses sent, by status class (code=2xx…5xx): 4xx are refusals of bad or unknown requests, 5xx failures of the server."), labels: [("code", "4xx")]),
            "responses5xx": r.makeCounter(descriptor: .init(namespace: "teamsview", metricName: "http_responses", unitName: "total", helpText: "Responses sent, by status class (code=2xx…5xx): 4xx are refusals of bad or unknown requests, 5xx failures of the server."), labels: [("code", "5xx")]),
            "refusedPerAddress": r.makeCounter(descriptor: .init(namespace: "teamsview", metricName: "http_refused_connections", unitName: "total", helpText: "Connections closed at accept: their address had --max-connections-per-address open.")),
            "timedOut": r.makeCounter(descriptor: .init(namespace: "teamsview", metricName: "http_timeouts", unitName: "total", helpText: "Requests (or silent connections) closed after --connection-timeout seconds without a byte.")),
            "tooManyParameters": r.makeCounter(descriptor: .init(namespace: "teamsview", metricName: "http_too_many_query_parameters", unitName: "total", helpText: "Requests answered 414: more than --max-query-parameters query parameters.")),
            "streamOverflows": r.makeCounter(descriptor: .init(namespace: "teamsview", metricName: "http_stream_overflows", unitName: "total", helpText: "Streams closed at a queue cap: their own (cap=stream, --live-queue-bytes) or all streams together (cap=total, --live-queue-total-bytes)."), labels: [("cap", "stream")]),
            "totalStreamOverflows": r.makeCounter(descriptor: .init(namespace: "teamsview", metricName: "http_stream_overflows", unitName: "total", helpText: "Streams closed at a queue cap: their own (cap=stream, --live-queue-bytes) or all streams together (cap=total, --live-queue-total-bytes)."), labels: [("cap", "total")]),
            "tooManyWorkers": r.makeCounter(descriptor: .init(namespace: "teamsview", metricName: "registry_refused_events", unitName: "total", helpText: "Events refused at a registry cap: a worker past --max-workers, a call past --max-calls-per-worker."), labels: [("cap", "workers")]),
            "tooManyCalls": r.makeCounter(descriptor: .init(namespace: "teamsview", metricName: "registry_refused_events", unitName: "total", helpText: "Events refused at a registry cap: a worker past --max-workers, a call past --max-calls-per-worker."), labels: [("cap", "calls-per-worker")]),
            "heldChanges": r.makeCounter(descriptor: .init(namespace: "teamsview", metricName: "registry_held_changes", unitName: "total", helpText: "Call changes (hold, mute...) that arrived before their call and were held for it."), labels: [("outcome", "held")]),
            "heldApplied": r.makeCounter(descriptor: .init(namespace: "teamsview", metricName: "registry_held_changes", unitName: "total", helpText: "Call changes (hold, mute...) that arrived before their call and were held for it."), labels: [("outcome", "applied")]),
            "heldDropped": r.makeCounter(descriptor: .init(namespace: "teamsview", metricName: "registry_held_changes", unitName: "total", helpText: "Call changes (hold, mute...) that arrived before their call and were held for it."), labels: [("outcome", "dropped")]),
            "signinOk": r.makeCounter(descriptor: .init(namespace: "teamsview", metricName: "signin_attempts", unitName: "total", helpText: "Sign-in attempts by outcome (locked: refused during a lock-out, password unchecked)."), labels: [("outcome", "ok")]),
            "signinFailed": r.makeCounter(descriptor: .init(namespace: "teamsview", metricName: "signin_attempts", unitName: "total", helpText: "Sign-in attempts by outcome (locked: refused during a lock-out, password unchecked)."), labels: [("outcome", "failed")]),
            "signinLocked": r.makeCounter(descriptor: .init(namespace: "teamsview", metricName: "signin_attempts", unitName: "total", helpText: "Sign-in attempts by outcome (locked: refused during a lock-out, password unchecked)."), labels: [("outcome", "locked")]),
            "lockoutUser": r.makeCounter(descriptor: .init(namespace: "teamsview", metricName: "signin_lockouts", unitName: "total", helpText: "Lock-outs started after repeated failed sign-ins, by what was locked."), labels: [("by", "user")]),
            "lockoutAddress": r.makeCounter(descriptor: .init(namespace: "teamsview", metricName: "signin_lockouts", unitName: "total", helpText: "Lock-outs started after repeated failed sign-ins, by what was locked."), labels: [("by", "address")]),
            "unauthenticated": r.makeCounter(descriptor: .init(namespace: "teamsview", metricName: "access_refused", unitName: "total", helpText: "Requests refused by the access rules, by reason."), labels: [("reason", "unauthenticated")]),
            "forbidden": r.makeCounter(descriptor: .init(namespace: "teamsview", metricName: "access_refused", unitName: "total", helpText: "Requests refused by the access rules, by reason."), labels: [("reason", "forbidden")]),
            "kioskRefused": r.makeCounter(descriptor: .init(namespace: "teamsview", metricName: "access_refused", unitName: "total", helpText: "Requests refused by the access rules, by reason."), labels: [("reason", "kiosk-token")]),
            "hostRefused": r.makeCounter(descriptor: .init(namespace: "teamsview", metricName: "access_refused", unitName: "total", helpText: "Requests refused by the access rules, by reason."), labels: [("reason", "host")]),
            "originRefused": r.makeCounter(descriptor: .init(namespace: "teamsview", metricName: "access_refused", unitName: "total", helpText: "Requests refused by the access rules, by reason."), labels: [("reason", "origin")]),
            "postsUnreadable": r.makeCounter(descriptor: .init(namespace: "teamsview", metricName: "ingest_refused_posts", unitName: "total", helpText: "POST /ingest bodies refused whole, by reason: unreadable (400, no event line), all-rejected (422, every line rejected), unsupported-type (415)."), labels: [("reason", "unreadable")]),
            "postsAllRejected": r.makeCounter(descriptor: .init(namespace: "teamsview", metricName: "ingest_refused_posts", unitName: "total", helpText: "POST /ingest bodies refused whole, by reason: unreadable (400, no event line), all-rejected (422, every line rejected), unsupported-type (415)."), labels: [("reason", "all-rejected")]),
            "postsUnsupportedType": r.makeCounter(descriptor: .init(namespace: "teamsview", metricName: "ingest_refused_posts", unitName: "total", helpText: "POST /ingest bodies refused whole, by reason: unreadable (400, no event line), all-rejected (422, every line rejected), unsupported-type (415)."), labels: [("reason", "unsupported-type")]),
            "bodiesTooLarge": r.makeCounter(descriptor: .init(namespace: "teamsview", metricName: "http_bodies_refused", unitName: "total", helpText: "Request bodies past their route's limit (--max-body-bytes for POST /ingest): too-large, answered 413; cut-off, a chunked body that ran 64 KiB past it, its connection closed unanswered."), labels: [("reason", "too-large")]),
            "bodiesCutOff": r.makeCounter(descriptor: .init(namespace: "teamsview", metricName: "http_bodies_refused", unitName: "total", helpText: "Request bodies past their route's limit (--max-body-bytes for POST /ingest): too-large, answered 413; cut-off, a chunked body that ran 64 KiB past it, its connection closed unanswered."), labels: [("reason", "cut-off")]),
            "signatureRefused": r.makeCounter(descriptor: .init(namespace: "teamsview", metricName: "access_refused", unitName: "total", helpText: "Requests refused by the access rules, by reason."), labels: [("reason", "twilio-signature")]),
            "departedStreams": r.makeCounter(descriptor: .init(namespace: "teamsview", metricName: "http_departed_streams", unitName: "total", helpText: "Waiting streams ended because their client had closed the connection.")),
        ]
        var rejected: [IngestReject.Category: Counter] = [:]
        for category in IngestReject.Category.allCases {
            rejected[category] = r.makeCounter(descriptor: .init(namespace: "teamsview", metricName: "ingest_rejected_lines", unitName: "total", helpText: "Event lines rejected, by reason."), labels: [("reason", category.rawValue)])
        }
        self.rejected = rejected
        gauges = [
            "workers": r.makeGauge(descriptor: .init(namespace: "teamsview", metricName: "workers", unitName: "", helpText: "Workers in the registry.")),
            "live": r.makeGauge(descriptor: .init(namespace: "teamsview", metricName: "calls", unitName: "", helpText: "Calls by state."), labels: [("state", "live")]),
            "held": r.makeGauge(descriptor: .init(namespace: "teamsview", metricName: "calls", unitName: "", helpText: "Calls by state."), labels: [("state", "held")]),
            "wrapup": r.makeGauge(descriptor: .init(namespace: "teamsview", metricName: "calls", unitName: "", helpText: "Calls by state."), labels: [("state", "wrapup")]),
            // Calls older than any call lasts whose end never arrived (not counted as live or held).
            "endNotReceived": r.makeGauge(descriptor: .init(namespace: "teamsview", metricName: "calls", unitName: "", helpText: "Calls by state."), labels: [("state", "end-not-received")]),
            "multi": r.makeGauge(descriptor: .init(namespace: "teamsview", metricName: "agents_on_multiple_calls", unitName: "", helpText: "Agents holding two or more calls.")),
            "misroutes": r.makeGauge(descriptor: .init(namespace: "teamsview", metricName: "agents_flagged", unitName: "", helpText: "Agents with a flagged call now."), labels: [("flag", "misroute")]),
            "risks": r.makeGauge(descriptor: .init(namespace: "teamsview", metricName: "agents_flagged", unitName: "", helpText: "Agents with a flagged call now."), labels: [("flag", "wrong-call-risk")]),
            "silence": r.makeGauge(descriptor: .init(namespace: "teamsview", metricName: "feed_silence", unitName: "seconds", helpText: "Seconds since the last event line arrived.")),
            "version": r.makeGauge(descriptor: .init(namespace: "teamsview", metricName: "registry_version", unitName: "", helpText: "Registry version (changes applied).")),
            "liveClients": r.makeGauge(descriptor: .init(namespace: "teamsview", metricName: "live_clients", unitName: "", helpText: "Live-update streams connected now.")),
            "liveViews": r.makeGauge(descriptor: .init(namespace: "teamsview", metricName: "live_views", unitName: "", helpText: "Live views kept now (a board through a window, with clients or lingering).")),
            "liveBoards": r.makeGauge(descriptor: .init(namespace: "teamsview", metricName: "live_boards", unitName: "", helpText: "Boards kept now (distinct views and filters that pages or streams asked for lately).")),
            "liveViewBytes": r.makeGauge(descriptor: .init(namespace: "teamsview", metricName: "live_views_estimated", unitName: "bytes", helpText: "Estimated bytes of kept boards, replay buffers and resets (capped by --live-views-memory-bytes).")),
            "streams": r.makeGauge(descriptor: .init(namespace: "teamsview", metricName: "http_streams", unitName: "", helpText: "Open live-update streams.")),
            "queuedBytes": r.makeGauge(descriptor: .init(namespace: "teamsview", metricName: "http_stream_queued", unitName: "bytes", helpText: "Bytes queued for all streams (capped by --live-queue-total-bytes).")),
        ]
    }

    /// The text exposition, after syncing every collector.
    func scrape(statistics: IngestStatistics.Snapshot, store: RegistryStore, http: HTTPStatistics,
                live: LiveStatistics, crossOriginRefused: Int = 0, access: [String: Int] = [:],
                durations: RequestDurations? = nil, grace: Double,
                now: Timestamp) -> [UInt8] {
        let counts = store.counters
        let snapshot = store.snapshot()
        var totals: [String: Int] = [
            "lines": statistics.linesRead, "events": statistics.eventsApplied,
            "changed": Int(counts.applied), "unchanged": Int(counts.unchanged), "requests": http.requests,
            "responses1xx": http.responses1xx, "responses2xx": http.responses2xx, "responses3xx": http.responses3xx,
            "responses4xx": http.responses4xx, "responses5xx": http.responses5xx,
            "ignored": statistics.twilio.ignoredTotal, "duplicates": statistics.twilio.duplicates,
            "aheadOfClock": statistics.twilio.aheadOfClock,
            "liveMessages": Int(live.messages), "liveBytes": Int(live.bytesWritten), "liveRefused": Int(live.refused),
            "liveOverflows": Int(live.overflows), "liveResyncs": Int(live.resyncs),
            "liveRefusedViews": Int(live.refusedViews), "liveEvicted": Int(live.evictedViews),
            "liveEvictedClients": Int(live.evictedClients), "liveTakeovers": Int(live.takeovers),
            "crossOriginRefused": crossOriginRefused,
            "refusedPerAddress": http.refusedPerAddress, "timedOut": http.timedOut,
            "tooManyParameters": http.tooManyQueryParameters, "bodiesTooLarge": http.bodiesTooLarge, "bodiesCutOff": http.bodiesCutOff, "streamOverflows": http.streamOverflows,
            "totalStreamOverflows": http.totalStreamOverflows, "departedStreams": http.departedStreams,
            "tooManyWorkers": Int(counts.refusedTooManyWorkers), "tooManyCalls": Int(counts.refusedTooManyCalls),
            "heldChanges": snapshot.pendingHeld, "heldApplied": snapshot.pendingApplied, "heldDropped": snapshot.pendingDropped,
        ]
        totals.merge(access) { a, _ in a }
        for (category, n) in statistics.rejectedByCategory { totals["rejected." + category.rawValue] = n }
        exported.withLock { last in
            for (key, total) in totals {
                let delta = total - (last[key] ?? 0)
                guard delta > 0 else { continue }
                if key.hasPrefix("rejected."), let category = IngestReject.Category(rawValue: String(key.dropFirst(9))) {
                    rejected[category]?.increment(by: Int64(delta))
                } else {
                    counters[key]?.increment(by: Int64(delta))
                }
                last[key] = total
            }
        }
        let summary = Summary(snapshot.workers.values, at: now, grace: grace)
        gauges["workers"]?.set(Double(summary.agents))
        gauges["live"]?.set(Double(summary.callsLive))
        gauges["held"]?.set(Double(summary.callsHeld))
        gauges["wrapup"]?.set(Double(summary.callsWrapup))
        gauges["endNotReceived"]?.set(Double(summary.callsEndNotReceived))
        gauges["multi"]?.set(Double(summary.agentsOnMultipleCalls))
        gauges["misroutes"]?.set(Double(summary.misroutes))
        gauges["risks"]?.set(Double(summary.wrongCallRisks))
        gauges["silence"]?.set(statistics.lastLineReceivedAt.map { max(0, $0.seconds(until: now)) } ?? -1)
        gauges["version"]?.set(Double(snapshot.version))
        gauges["streams"]?.set(Double(http.activeStreams))
        gauges["queuedBytes"]?.set(Double(http.queuedStreamBytes))
        gauges["liveClients"]?.set(Double(live.clients))
        gauges["liveViews"]?.set(Double(live.views))
        gauges["liveBoards"]?.set(Double(live.boards))
        gauges["liveViewBytes"]?.set(Double(live.estimatedBytes))
        process.update()
        var out = registry.emitToBuffer()
        if let durations { out += Array(Self.durationText(durations.snapshot(), bounds: durations.boundNanoseconds).utf8) }
        return out
    }

    static let durationHelp = "Time from a request's first line to the end of its answer, by route group"
        + " (live-update streams are not timed: route=\"live\" counts only /live requests answered without one)."

    /// The duration histogram in the Prometheus text format, written from the server's counts as they are: cumulative
    /// buckets by bound (`le`, seconds), then the sum (seconds) and count of each route group. Written here, not through
    /// a Prometheus histogram, which takes one value at a time: a scrape costs the same however many requests came
    /// since the last one.
    static func durationText(_ series: [RequestDurations.Series], bounds: [Int]) -> String {
        let name = "teamsview_http_request_duration_seconds"
        var out = "# HELP \(name) \(durationHelp)\n# TYPE \(name) histogram\n"
        let les = bounds.map { String(Double($0) / 1e9) } + ["+Inf"]
        for one in series {
            var cumulative = 0
            for (bucket, n) in one.counts.enumerated() {
                cumulative += n
                out += "\(name)_bucket{route=\"\(one.group)\",le=\"\(les[bucket])\"} \(cumulative)\n"
            }
            let nanoseconds = one.nanoseconds.reduce(0, +)
            out += "\(name)_sum{route=\"\(one.group)\"} \(Double(nanoseconds) / 1e9)\n"
            out += "\(name)_count{route=\"\(one.group)\"} \(cumulative)\n"
        }
        return out
    }
}

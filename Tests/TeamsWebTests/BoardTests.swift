import Foundation
import Testing
import Simulation
import TeamsDomain
@testable import TeamsWeb

/// `count` agents in team Floor, named `Agent 01`... (ids WK01...), so name order is id order.
private func floorLines(_ count: Int, at: String = "2026-11-25T09:00:00Z") -> [String] {
    (1...count).map { i in
        let n = i < 10 ? "0\(i)" : "\(i)"
        return #"{"type":"worker","at":"\#(at)","worker":"WK\#(n)","name":"Agent \#(n)","team":"Floor"}"#
    }
}

/// The `w-…` ids of the rows (or tiles) in `html`, in order.
private func rowIDs(_ html: String) -> [String] {
    html.components(separatedBy: "id=\"w-").dropFirst().map { "w-" + $0.prefix { $0 != "\"" } }
}

@Suite("Boards: windows over one view, shared by page, kiosk and stream", .serialized)
struct BoardTests {
    @Test("GET / and GET /kiosk render from boards and open no live channel")
    func plainGetOpensNoLiveView() async throws {
        let server = try await LiveTestServer(seeds: ["multicall.ndjson"], now: "2026-11-25T09:05:21Z")
        #expect(try server.client.get("/").status == 200)
        #expect(try server.client.get("/?team=Billing").status == 200)
        #expect(try server.client.get("/kiosk").status == 200)
        #expect(try server.client.get("/api/workers").status == 200)
        let stats = server.app.live.statisticsSnapshot
        #expect(stats.views == 0, "no live channel without a /live client")
        #expect(stats.clients == 0)
        #expect(stats.boards == 3, "/, /?team=Billing and /kiosk each have a board; the API shares the page's")
        let stream = try server.stream("/live?page=1&per=200")
        _ = try #require(stream.next("reset"))
        #expect(server.app.live.statisticsSnapshot.views == 1)
    }

    @Test("/ shows one window of rows; counts, team header and summary cover the whole view")
    func pageWindow() async throws {
        let server = try await LiveTestServer(now: "2026-11-25T09:05:00Z")
        server.feed(contentsOf: floorLines(25))
        server.app.live.settle()
        let html = try server.client.get("/?per=10&page=2").text
        #expect(rowIDs(html) == (11...20).map { "w-WK\($0)" })
        #expect(html.contains("id=\"page-range\">rows 11–20 of 25<"))
        #expect(html.contains("href=\"/?page=1&amp;per=10\" rel=\"prev\""))
        #expect(html.contains("href=\"/?page=3&amp;per=10\" rel=\"next\""))
        #expect(html.contains("25 of 25 agents"))
        let header = try #require(section(of: html, from: "<tbody class=\"team\" id=\"team-floor-", to: "</tr>"))
        #expect(header.contains("25 agents"), "the team header counts the whole team, not the window")
        #expect(html.contains("data-live=\"/live?page=2&amp;per=10\""))

        // The default window is 200 rows; past the end there are none, and no next link.
        let last = try server.client.get("/?per=10&page=3").text
        #expect(rowIDs(last) == (21...25).map { "w-WK\($0)" })
        #expect(!last.contains("rel=\"next\""))
        #expect(rowIDs(try server.client.get("/").text).count == 25)
        // A page past the end says where the rows are, and links to the last page.
        let past = try server.client.get("/?page=9&per=10").text
        #expect(past.contains("no rows on page 9: the 25 rows are on pages 1–3"))
        #expect(past.contains("href=\"/?page=3&amp;per=10\" rel=\"prev\">Last page</a>"))
        // At most 1,000 rows a page, whatever is asked.
        #expect(try server.client.get("/?per=5000").text.contains("data-live=\"/live?page=1&amp;per=1000\""))
    }

    @Test("/api/workers returns every worker unless ?page= or ?per= is given")
    func apiWindow() async throws {
        let server = try await LiveTestServer(now: "2026-11-25T09:05:00Z")
        server.feed(contentsOf: floorLines(25))
        let all = try server.client.get("/api/workers").json()
        #expect((all["workers"] as? [[String: Any]])?.count == 25)
        #expect(all["total"] == nil)
        let page = try server.client.get("/api/workers?page=3&per=10").json()
        let ids = (page["workers"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        #expect(ids == (21...25).map { "WK\($0)" })
        #expect(page["total"] as? Int == 25)
        #expect(page["per"] as? Int == 10)
    }

    @Test("a page between flushes shows the changes not flushed yet, found from the batches rather than by reading the floor")
    func pageBetweenFlushes() async throws {
        let server = try await LiveTestServer(now: "2026-11-25T09:05:00Z", live: LiveSettings(coalesce: 60))
        server.feed(contentsOf: floorLines(25))
        server.app.live.settle()
        #expect(rowIDs(try server.client.get("/?per=10").text) == (1...10).map { "w-WK\($0 < 10 ? "0" : "")\($0)" })
        #expect(rowIDs(try server.client.get("/?q=agent%201").text).count == 10)
        let reads = server.app.live.floorReads.load(ordering: .relaxed)
        // The next flush waits a minute: these pages catch the boards (and the search list) before it.
        server.feed(#"{"type":"worker","at":"2026-11-25T09:01:00Z","worker":"WK00","name":"Agent 00","team":"Floor"}"#,
                    #"{"type":"worker.remove","at":"2026-11-25T09:01:00Z","worker":"WK03"}"#,
                    #"{"type":"worker","at":"2026-11-25T09:01:00Z","worker":"WK12","name":"Agent 01a","team":"Floor"}"#)
        let page = ["WK00", "WK01", "WK12", "WK02", "WK04", "WK05", "WK06", "WK07", "WK08", "WK09"].map { "w-" + $0 }
        #expect(rowIDs(try server.client.get("/?per=10").text) == page)
        #expect(rowIDs(try server.client.get("/?q=agent%2001").text) == ["w-WK01", "w-WK12"], "a new view sees the changes")
        #expect(rowIDs(try server.client.get("/?q=agent%200").text) == page)
        #expect(rowIDs(try server.client.get("/?q=wk03").text).isEmpty)
        #expect(server.app.live.floorReads.load(ordering: .relaxed) == reads, "the changes came from the batches")
        server.app.live.settle()
        #expect(rowIDs(try server.client.get("/?per=10").text) == page)
        #expect(rowIDs(try server.client.get("/?q=agent%2001").text) == ["w-WK01", "w-WK12"])
        #expect(server.app.live.floorReads.load(ordering: .relaxed) == reads, "the flush took them from the batches too")
    }

    @Test("a paged stream sends only its window: a row pushed out is removed, the one pulled in is sent")
    func liveWindow() async throws {
        let server = try await LiveTestServer(now: "2026-11-25T09:05:00Z")
        server.feed(contentsOf: floorLines(25))
        server.app.live.settle()
        let stream = try server.stream("/live?page=1&per=10")
        let reset = try #require(stream.next("reset")).json()
        #expect(rowIDs(reset["body"] as? String ?? "") == (1...10).map { "w-WK\($0 < 10 ? "0" : "")\($0)" })
        #expect(reset["range"] as? String == "rows 1–10 of 25")
        // A new agent who sorts first pushes Agent 10 off page 1.
        server.feed(#"{"type":"worker","at":"2026-11-25T09:01:00Z","worker":"WK00","name":"Agent 00","team":"Floor"}"#)
        let message = try #require(stream.next("rows")).json()
        let rows = message["rows"] as? [[String: Any]] ?? []
        #expect(rows.compactMap { $0["id"] as? String } == ["w-WK00"])
        #expect(rows.first?["after"] is NSNull)
        #expect(message["removed"] as? [String] == ["w-WK10"])
        #expect(message["range"] as? String == "rows 1–10 of 26")
        #expect(message["count"] as? String == "26 of 26 agents")
        // A change on page 3 changes nothing on page 1 but the team's counts.
        server.feed(#"{"type":"call.start","at":"2026-11-25T09:02:00Z","worker":"WK25","call":"CA1","from":"+15550001"}"#)
        let far = try #require(stream.next("rows")).json()
        #expect((far["rows"] as? [[String: Any]])?.isEmpty == true)
        #expect(((far["teams"] as? [[String: Any]])?.first?["slug"] as? String)?.hasPrefix("floor-") == true)
    }

    @Test("the kiosk page and its stream carry the same tiles, byte for byte, before and after a change")
    func kioskByteIdentity() async throws {
        let server = try await LiveTestServer(seeds: ["multicall.ndjson", "wrong-call-risk.ndjson"], now: "2026-11-25T09:12:10Z")
        let page = try server.client.get("/kiosk?team=Sales").text
        let stream = try server.stream("/live?view=kiosk&team=Sales&page=1&per=200")
        let reset = try #require(stream.next("reset")).json()
        let body = try #require(reset["body"] as? String)
        let board = try #require(section(of: page, from: "<main class=\"board\" id=\"board\" data-live-root aria-label=\"Agents\">\n", to: "</main>"))
        #expect(board == "<main class=\"board\" id=\"board\" data-live-root aria-label=\"Agents\">\n" + body + "</main>",
                "the kiosk's board is the stream's reset body")
        let summary = try #require(section(of: page, from: "<section class=\"ksum\" id=\"summary\" aria-label=\"Summary\">", to: "</section>"))
        #expect(summary.contains(try #require(reset["summary"] as? String)))

        server.feed(#"{"type":"call.mute","at":"2026-11-25T09:12:05Z","worker":"WK04","call":"CA30"}"#)
        let message = try #require(stream.next("rows"))
        let tile = try #require((try message.json()["rows"] as? [[String: Any]])?.first?["html"] as? String)
        let after = try server.client.get("/kiosk?team=Sales").text
        #expect(section(of: after, from: "<article class=\"tile", to: "</article>") != nil)
        #expect(section(of: after, from: "id=\"w-WK04\"", to: "</article>") == section(of: tile, from: "id=\"w-WK04\"", to: "</article>"))
        #expect(tile.contains("Muted"))
    }

    /// WK01 with CA1 held and muted since 09:01, and CA2 live since 09:01:05; the clock at 09:05.
    static func heldAndLive() async throws -> LiveTestServer {
        let server = try await LiveTestServer(now: "2026-11-25T09:05:00Z")
        server.feed(contentsOf: floorLines(1) + [
            #"{"type":"call.start","at":"2026-11-25T09:00:00Z","worker":"WK01","call":"CA1","from":"+15550001"}"#,
            #"{"type":"call.hold","at":"2026-11-25T09:01:00Z","worker":"WK01","call":"CA1"}"#,
            #"{"type":"call.mute","at":"2026-11-25T09:01:00Z","worker":"WK01","call":"CA1"}"#,
            #"{"type":"call.start","at":"2026-11-25T09:01:05Z","worker":"WK01","call":"CA2","from":"+15550002"}"#,
        ])
        server.app.live.settle()
        return server
    }

    @Test("the dense kiosk line marks Muted only when the call it shows is muted, not a held one")
    func denseMuteFollowsTheLeadCall() async throws {
        let server = try await Self.heldAndLive()
        let held = try #require(section(of: try server.client.get("/kiosk").text, from: "id=\"w-WK01\"", to: "</article>"))
        let dense = try #require(section(of: held, from: "<div class=\"dense", to: "</div></div>"))
        #expect(dense.contains("dense__state--live"), "the line shows the live call")
        #expect(!dense.contains("dense__muted"), "the held call's mute is not shown beside the live call")
        #expect(held.contains("Muted"), "the held call's own line still says Muted")

        server.feed(#"{"type":"call.mute","at":"2026-11-25T09:02:00Z","worker":"WK01","call":"CA2"}"#)
        server.app.live.settle()
        let live = try #require(section(of: try server.client.get("/kiosk").text, from: "id=\"w-WK01\"", to: "</article>"))
        #expect(try #require(section(of: live, from: "<div class=\"dense", to: "</div></div>")).contains("dense__muted"))
    }

    @Test("the dense kiosk line says Mic on for a held call the agent is not muted on, beside a live call or alone")
    func denseMicOnOnAHeldCall() async throws {
        let server = try await Self.heldAndLive()
        func dense() throws -> String {
            let tile = try #require(section(of: try server.client.get("/kiosk").text, from: "id=\"w-WK01\"", to: "</article>"))
            return try #require(section(of: tile, from: "<div class=\"dense", to: "</div></div>"))
        }
        #expect(!(try dense()).contains("Mic on"), "a muted held call is not Mic on")

        // Unmuted on the held call while live on the other: the caller on hold hears the agent.
        server.feed(#"{"type":"call.unmute","at":"2026-11-25T09:02:00Z","worker":"WK01","call":"CA1"}"#)
        server.app.live.settle()
        let beside = try dense()
        let also = try #require(section(of: beside, from: "dense__also dense__also--held", to: "</div>"))
        #expect(also.contains("dense__also-muted--on") && also.contains("Mic on"), "the held call's frame says Mic on: \(also)")
        #expect(!beside.contains("dense__muted--on"), "the live lead says nothing of its mic")

        // The live call ends: the held call leads the line, and still says Mic on.
        server.feed(#"{"type":"call.end","at":"2026-11-25T09:03:00Z","worker":"WK01","call":"CA2"}"#)
        server.app.live.settle()
        let alone = try dense()
        #expect(alone.contains("dense__state--held") && alone.contains("dense__muted--on"), "\(alone)")
        #expect(alone.contains("dense--wide"), "a cell with the mark takes two columns, as one with Muted does")
    }

    @Test("a kiosk tile names the TaskRouter activity its timer counts when the word before it is not that activity")
    func kioskActivityTimerIsLabelled() async throws {
        let server = try await Self.heldAndLive()
        server.feed(contentsOf: [
            #"{"type":"activity","at":"2026-11-25T09:00:00Z","worker":"WK01","activity":"Lunch","available":false}"#,
        ] + floorLines(2).suffix(1) + [
            #"{"type":"activity","at":"2026-11-25T09:03:00Z","worker":"WK02","activity":"Break","available":false}"#,
        ])
        server.app.live.settle()
        let html = try server.client.get("/kiosk").text
        let onCall = try #require(section(of: html, from: "id=\"w-WK01\"", to: "</article>"))
        let timer = try #require(section(of: onCall, from: "<span class=\"tile__acttime\">", to: "</span></span>"))
        #expect(timer.contains("<span class=\"tile__actlabel\">Lunch</span>"), "on a call, the 5:00 is Lunch's, and says so")
        let away = try #require(section(of: html, from: "id=\"w-WK02\"", to: "</article>"))
        #expect(away.contains("Break") && !away.contains("tile__actlabel"), "the word is the activity: no second label")
    }

    @Test("the dense kiosk line shows the held call beside the live one, in a frame of its own with its timer and Muted")
    func denseShowsTheHeldCallBesideTheLiveOne() async throws {
        let server = try await Self.heldAndLive()
        let tile = try #require(section(of: try server.client.get("/kiosk").text, from: "id=\"w-WK01\"", to: "</article>"))
        let dense = try #require(section(of: tile, from: "<div class=\"dense", to: "</div></div>"))
        let held = try #require(section(of: dense, from: "<span class=\"dense__also dense__also--held\">", to: "</span></span></span>"))
        #expect(held.contains("Hold") && held.contains("4:00") && held.contains("Muted"), "the held call, its hold time and its mute")
        #expect(dense.contains("dense__multi dense__multi--covered"), "both calls show: the ×2 badge only where the held call cannot")

        // A call in wrap-up is not shown beside the live one: the ×2 badge counts it.
        server.feed(#"{"type":"call.wrapup","at":"2026-11-25T09:04:00Z","worker":"WK01","call":"CA1"}"#)
        server.app.live.settle()
        let after = try #require(section(of: try server.client.get("/kiosk").text, from: "id=\"w-WK01\"", to: "</article>"))
        let line = try #require(section(of: after, from: "<div class=\"dense", to: "</div></div>"))
        #expect(after.contains("tcall--wrapup"))
        #expect(!line.contains("dense__also") && line.contains("dense__multi") && !line.contains("dense__multi--covered"))
    }
}

@Suite("Board figures kept up to date")
struct BoardFigureTests {
    @Test("a board moved through changes has the figures and the total of a board counted afresh", arguments: ["", "team=Sales", "team=Sales&multi=1", "team=Billing&team=Support", "multi=1", "flagged=1", "sort=hold", "group=none"])
    func incrementalFigures(query: String) throws {
        var random = SplitMix64(seed: 42)  // a fixed seed, so a failure repeats
        let teams = ["Sales", "Billing", "Support", ""]
        let store = RegistryStore()
        var t = Timestamp(microseconds: 1_800_000_000_000_000)
        var events: [Event] = []
        for i in 0..<12 {
            events.append(Event(at: t, .worker("WK\(i)", WorkerProfile(name: "Agent \(i)", team: teams[i % 4]))))
            events.append(Event(at: t, .activity("WK\(i)", name: i % 3 == 0 ? "Break" : "Available", available: i % 3 != 0)))
        }
        _ = store.apply(events)
        let parameters = query.split(separator: "&").map { pair -> (name: String, value: String) in
            let parts = pair.split(separator: "=", maxSplits: 1)
            return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
        }
        let key = BoardKey(view: .page, query: WorkerQuery(parameters: parameters))
        let grace = 3.0
        var board = Board(key: key, registry: store.snapshot(), at: t, seq: 0, grace: grace)
        /// Boards of the view's agents in other orders, made from `board` (`Board(key:reordering:)`) along the way
        /// and moved through the changes from then on.
        var reordered: [Board] = []
        var calls = 0
        // The figures the updates must move, seen at least once in the full view.
        var seen: Set<String> = []
        for step in 1...400 {
            let before = store.snapshot()
            let previous = t
            t = Timestamp(microseconds: t.microseconds + Int64.random(in: 100_000...2_000_000, using: &random))
            let worker = "WK\(Int.random(in: 0..<14, using: &random))"
            let held = before.workers[worker]?.calls.map(\.id) ?? []
            let kind: Event.Kind
            switch Int.random(in: 0..<10, using: &random) {
            case 0, 1:
                calls += 1
                kind = .callStart(worker, CallStart(call: "CA\(calls)", queue: "Sales", via: Bool.random(using: &random) ? .queue : .transfer))
            case 2: kind = held.randomElement(using: &random).map { .call(worker, $0, .hold) } ?? .heartbeat
            case 3: kind = held.randomElement(using: &random).map { .call(worker, $0, .resume) } ?? .heartbeat
            case 4: kind = held.randomElement(using: &random).map { .call(worker, $0, Bool.random(using: &random) ? .mute : .unmute) } ?? .heartbeat
            case 5: kind = held.randomElement(using: &random).map { .call(worker, $0, .end) } ?? .heartbeat
            case 6: kind = .activity(worker, name: ["Available", "Break", "Lunch", "Offline"].randomElement(using: &random)!, available: nil)
            case 7: kind = .worker(worker, WorkerProfile(name: "Agent \(step)", team: teams.randomElement(using: &random)!))
            case 8: kind = step % 5 == 0 ? .workerRemove(worker) : .call(worker, held.first ?? "none", .wrapup)
            default: kind = .taskStart(worker, TaskStart(task: "T\(step)", channel: "chat"))
            }
            let changes = store.apply([Event(at: t, kind)])
            let after = store.snapshot()
            // What FlagTimers add: every worker whose flags flipped since the last update.
            var touched = changes.changed.union(changes.removed)
            for (id, w) in after.workers where w.callFlags(at: previous, grace: grace) != w.callFlags(at: t, grace: grace) {
                touched.insert(id)
            }
            board.update(touched, registry: after, at: t, seq: UInt64(step))
            let fresh = Board(key: key, registry: after, at: t, seq: UInt64(step), grace: grace)
            #expect(board.summary == fresh.summary, "summary after step \(step)")
            #expect(board.teams.map(\.heading) == fresh.teams.map(\.heading), "headings after step \(step)")
            #expect(board.teams.map(\.ids) == fresh.teams.map(\.ids), "rows after step \(step)")
            #expect(board.total == fresh.total, "agents of the pinned teams after step \(step)")
            if board.summary != fresh.summary { return }
            for i in reordered.indices {
                reordered[i].update(touched, registry: after, at: t, seq: UInt64(step))
                let fresh = Board(key: reordered[i].key, registry: after, at: t, seq: UInt64(step), grace: grace)
                let order = reordered[i].key.query.queryString
                #expect(reordered[i].summary == fresh.summary, "summary of \(order) after step \(step)")
                #expect(reordered[i].teams.map(\.heading) == fresh.teams.map(\.heading), "headings of \(order) after step \(step)")
                #expect(reordered[i].teams.map(\.ids) == fresh.teams.map(\.ids), "rows of \(order) after step \(step)")
                #expect(reordered[i].count == fresh.count && reordered[i].total == fresh.total, "counts of \(order) after step \(step)")
            }
            if step % 100 == 50 {
                // Every order of the same agents, made from the board as moved so far: the rows of a board counted
                // afresh, the figures taken over.
                for sort in WorkerQuery.Sort.allCases {
                    for (grouped, attention) in [(true, false), (false, false), (true, true)] {
                        var query = key.query
                        query.sort = sort
                        query.groupByTeam = grouped
                        query.attention = attention
                        let other = BoardKey(view: .page, query: query)
                        guard let made = Board(key: other, reordering: board) else {
                            // Only a view grouped by team cannot be made from one that is not.
                            #expect(!board.key.query.groupsByTeam && query.groupsByTeam, "\(query.queryString) from \(query)")
                            continue
                        }
                        let fresh = Board(key: other, registry: after, at: t, seq: UInt64(step), grace: grace)
                        #expect(made.teams.map(\.ids) == fresh.teams.map(\.ids), "rows of \(query.queryString)")
                        #expect(made.teams.map(\.heading) == fresh.teams.map(\.heading), "headings of \(query.queryString)")
                        #expect(made.summary == fresh.summary && made.count == fresh.count && made.total == fresh.total)
                        // The same from the floor's search list, kept from the snapshot before this step.
                        let lists = SearchLists()
                        _ = lists.list(for: before)
                        let listed = Board(key: other, reordering: board, searchLists: lists, changedSince: { _ in touched })
                        #expect(listed?.teams.map(\.ids) == fresh.teams.map(\.ids), "rows of \(query.queryString) from the list")
                        #expect(listed?.teams.map(\.heading) == fresh.teams.map(\.heading), "headings of \(query.queryString) from the list")
                        if step == 50 { reordered.append(made) }
                    }
                }
            }
            if fresh.summary.callsHeld > 0 { seen.insert("held") }
            if fresh.summary.wrongCallRisks > 0 { seen.insert("risk") }
            if fresh.summary.misroutes > 0 { seen.insert("misroute") }
            if fresh.summary.longestHoldWorker != nil { seen.insert("longest hold") }
        }
        if query.isEmpty { #expect(seen == ["held", "risk", "misroute", "longest hold"]) }
    }
}

@Suite("A summary's activities")
struct SummaryActivityTests {
    @Test("counted over a whole set, past the first 16 activities too, as moving the agents in one by one counts them")
    func manyActivities() {
        let at = Timestamp(microseconds: 1_800_000_000_000_000)
        var registry = Registry()
        for i in 0..<60 {
            _ = registry.apply(Event(at: at, .worker("WK\(i)", WorkerProfile(name: "Agent \(i)", team: "Floor"))))
            // 24 activities, each held by a different number of agents; some agents with none reported.
            if i % 10 != 9 { _ = registry.apply(Event(at: at, .activity("WK\(i)", name: "Activity \(i * 7 % 24)", available: nil))) }
        }
        let workers = registry.workers.map(\.value)
        let whole = Summary(workers, at: at, grace: 3)
        var moved = Summary()
        let changes = workers.map { (old: WorkerState?.none, oldFlags: CallFlagList(), new: Optional($0), newFlags: $0.callFlags(at: at, grace: 3)) }
        let counted = moved.move(changes, offlineActivity: "Offline")
        #expect(counted)
        #expect(whole == moved)
        #expect(whole.byActivity.count == 24)
        #expect(whole.byActivity.map(\.count).reduce(0, +) == 54)
    }
}

@Suite("Boards made from a board of the same agents")
struct ReorderedBoardTests {
    @Test("only a board of the same page kind and filters, not the kiosk's, and grouped by team for a view that is")
    func siblings() {
        let store = RegistryStore()
        let at = Timestamp(microseconds: 1_800_000_000_000_000)
        _ = store.apply((0..<6).map { i in Event(at: at, .worker("WK\(i)", WorkerProfile(name: "Agent \(i)", team: i % 2 == 0 ? "Sales" : "Billing"))) })
        func key(_ parameters: [(name: String, value: String)], view: LiveView = .page) -> BoardKey {
            BoardKey(view: view, query: WorkerQuery(parameters: parameters))
        }
        func board(_ key: BoardKey) -> Board { Board(key: key, registry: store.snapshot(), at: at, seq: 1, grace: 3) }
        let page = board(key([]))
        let floor = board(key([("group", "none")]))
        #expect(Board(key: key([("sort", "calls")]), reordering: page) != nil)
        #expect(Board(key: key([("sort", "calls"), ("group", "none")]), reordering: page) != nil)
        #expect(Board(key: key([("attention", "1")]), reordering: page) != nil)
        #expect(Board(key: key([("sort", "time"), ("group", "none")]), reordering: floor) != nil)
        // A view grouped by team, from one that is not: its headings do not split by team.
        #expect(Board(key: key([("sort", "calls")]), reordering: floor) == nil)
        // Other agents, another page kind, the kiosk's name tags.
        #expect(Board(key: key([("sort", "calls"), ("team", "Sales")]), reordering: page) == nil)
        #expect(Board(key: key([("multi", "1")]), reordering: page) == nil)
        #expect(Board(key: key([("sort", "calls")], view: .kiosk), reordering: board(key([], view: .kiosk))) == nil)
        #expect(Board(key: key([], view: .kiosk), reordering: page) == nil)
        // The cache offers one that groups alike first, else one grouped by team, never the kiosk's.
        var cache = BoardCache(limit: 8, linger: 60)
        _ = cache.insert(floor, now: 0, pinned: { _ in false })
        #expect(cache.sibling(of: key([("sort", "calls")])) == nil)
        #expect(cache.sibling(of: key([("sort", "calls"), ("group", "none")]))?.key == floor.key)
        _ = cache.insert(page, now: 0, pinned: { _ in false })
        #expect(cache.sibling(of: key([("sort", "calls")]))?.key == page.key)
        #expect(cache.sibling(of: key([("sort", "calls"), ("group", "none")]))?.key == floor.key)
        #expect(cache.sibling(of: key([("sort", "calls")], view: .kiosk)) == nil)
    }

    @Test("a new order of a view a page has open is made from its board, with the rows a board counted afresh has")
    func pageOrder() async throws {
        let server = try await TestServer(seeds: [], now: "2026-11-25T09:05:00Z")
        var lines: [String] = []
        for i in 0..<40 {
            let id = "WK\(i)"
            lines.append(#"{"type":"worker","at":"2026-11-25T09:00:00Z","worker":"\#(id)","name":"Agent \#(i % 17)","team":"Team \#(i % 3)"}"#)
            if i % 3 != 0 {
                lines.append(#"{"type":"call.start","at":"2026-11-25T09:0\#(i % 5):00Z","worker":"\#(id)","call":"CA\#(i)","queue":"Q"}"#)
            }
            if i % 4 == 1 { lines.append(#"{"type":"call.hold","at":"2026-11-25T09:04:\#(10 + i)Z","worker":"\#(id)","call":"CA\#(i)"}"#) }
        }
        let body = Array(lines.joined(separator: "\n").utf8)
        _ = server.pipeline.ingest(body: body, source: "test")
        _ = try server.client.get("/")
        let views = ["/?sort=hold-time&group=none", "/?sort=call-time", "/?attention=1"]
        let made = try views.map { try rowIDs(server.client.get($0).text) }
        // Each view alone on a server of its own: its board counted afresh.
        var fresh: [[String]] = []
        for view in views {
            let alone = try await TestServer(seeds: [], now: "2026-11-25T09:05:00Z")
            _ = alone.pipeline.ingest(body: body, source: "test")
            fresh.append(try rowIDs(alone.client.get(view).text))
        }
        #expect(made == fresh)
        #expect(made.allSatisfy { $0.count == 40 })
        #expect(made[0] != made[1])
    }
}

@Suite("Search in names and ids")
struct SearchTests {
    @Test("ASCII is compared byte by byte ignoring case; other text falls back to a diacritic-blind search")
    func contains() {
        #expect(WorkerQuery.contains("Agent 12 Example", "agent 1"))
        #expect(WorkerQuery.contains("WK100234", "wk1002"))
        #expect(WorkerQuery.contains("abc", "C"))
        #expect(!WorkerQuery.contains("abc", "abd"))
        #expect(!WorkerQuery.contains("ab", "abc"))
        #expect(!WorkerQuery.contains("Agent [1]", "agent {1}"), "only letters fold")
        #expect(WorkerQuery.contains("José Núñez", "jose nunez", diacriticInsensitive: true))
        #expect(!WorkerQuery.contains("José", "jose"), "ids are not diacritic-blind")
    }
}

@Suite("What an empty board says")
struct EmptyBoardTests {
    @Test("missing followed files are named to whoever sees every team, and only said to the others")
    func missingFiles() {
        let files = ["/var/log/a.ndjson", "/var/log/b.ndjson"]
        #expect(EmptyBoard.waiting(.init(missingFiles: [files[0]])) == "Waiting for events: /var/log/a.ndjson does not exist yet.")
        #expect(EmptyBoard.waiting(.init(missingFiles: files))
                == "Waiting for events: /var/log/a.ndjson and /var/log/b.ndjson do not exist yet.")
        #expect(EmptyBoard.waiting(.init(missingFiles: files, namesFiles: false)) == "Waiting for events: the event files do not exist yet.")
        #expect(EmptyBoard.waiting(.init(anyLine: false)) == "Waiting for the first event.")
        #expect(EmptyBoard.waiting(.init()) == "No agents are on the floor.")
    }
}

import Foundation
import Testing

@Suite("Teams View over the real server")
struct TeamsPageTests {
    @Test("a multi-call agent shows one card per call: the held one muted with its hold timer")
    func multiCallCards() async throws {
        let server = try await TestServer(seeds: ["multicall.ndjson"], now: "2026-11-25T09:05:21Z")
        let reply = try server.client.get("/")
        #expect(reply.status == 200)
        #expect(reply.header("content-type") == "text/html; charset=utf-8")
        let html = reply.text
        let row = try #require(section(of: html, from: "id=\"w-WK01\"", to: "</tr>"))
        #expect(row.contains("Ada Okafor"))
        #expect(occurrences(of: "class=\"card card--", in: row) == 2)
        let held = try #require(section(of: row, from: "card card--held", to: "</li>"))
        #expect(held.contains("data-call=\"CA01\""))
        #expect(held.contains("Muted"))
        #expect(held.contains("On hold"))
        // Held since 09:03:21, page at 09:05:21: two minutes, past the 60 s warning threshold.
        #expect(held.contains("timer timer--hold is-warn"))
        #expect(held.contains(">2:00</time>"))
        let live = try #require(section(of: row, from: "card card--live", to: "</li>"))
        #expect(live.contains("data-call=\"CA02\""))
        #expect(live.contains("transfer"))
        #expect(!live.contains("Muted"))
        // The chat task shows under other tasks, and capacity counts both calls.
        #expect(row.contains("web visitor"))
        #expect(row.contains("<b>2</b>/2"))
    }

    @Test("a blank name falls back to the worker id; one call is \"1 call\" to a screen reader")
    func blankNameAndOneCall() async throws {
        let server = try await TestServer(seeds: [], now: "2026-11-25T09:05:00Z")
        let lines = [#"{"type":"worker","at":"2026-11-25T09:00:00Z","worker":"WK77","name":"","team":"Sales"}"#,
                     #"{"type":"worker","at":"2026-11-25T09:00:00Z","worker":"WK78","name":"   ","team":"Sales"}"#,
                     #"{"type":"worker","at":"2026-11-25T09:00:00Z","worker":"WK79","name":"Ada","team":"Sales"}"#,
                     #"{"type":"worker","at":"2026-11-25T09:01:00Z","worker":"WK79","name":"","team":"Sales"}"#,
                     #"{"type":"call.start","at":"2026-11-25T09:02:00Z","worker":"WK77","call":"CA1"}"#]
        _ = server.pipeline.ingest(body: Array(lines.joined(separator: "\n").utf8), source: "test")
        let html = try server.client.get("/").text
        for id in ["WK77", "WK78", "WK79"] {
            let row = try #require(section(of: html, from: "id=\"w-\(id)\"", to: "</tr>"))
            #expect(row.contains("class=\"agent__name\">\(id)<"), "\(row)")
        }
        let api = try server.client.get("/api/workers/WK78").json()
        #expect(api["name"] as? String == "WK78")
        let row = try #require(section(of: html, from: "id=\"w-WK77\"", to: "</tr>"))
        #expect(row.contains("aria-label=\"1 call\""), "\(row)")
    }

    @Test("a team no agent on the floor has is named on / and the kiosk, not an unexplained empty board")
    func absentTeam() async throws {
        let server = try await TestServer(seeds: [], now: "2026-11-25T09:05:00Z")
        func add(_ id: String, _ name: String, _ team: String) {
            let line = #"{"type":"worker","at":"2026-11-25T09:00:00Z","worker":"\#(id)","name":"\#(name)","team":"\#(team)"}"#
            _ = server.pipeline.ingest(body: Array(line.utf8), source: "test")
        }
        add("WK1", "Ada Okafor", "Billing")
        add("WK2", "Bob Silva", "Sales")
        // Another case: teams are keyed as events spell them, so the one on the floor is offered, and the others listed.
        let page = try server.client.get("/?team=billing").text
        let empty = try #require(section(of: page, from: "<p class=\"empty\" id=\"empty\"", to: "</p>"))
        #expect(!empty.contains("hidden"), "\(empty)")
        #expect(empty.contains("No agent of team “billing” is on the floor yet."), "\(empty)")
        #expect(empty.contains("Did you mean <a href=\"/?team=Billing\">“Billing”</a>?"), "\(empty)")
        #expect(empty.contains("Teams on the floor: <a href=\"/?team=Billing\">Billing</a>, <a href=\"/?team=Sales\">Sales</a>."),
                "\(empty)")
        #expect(!empty.contains("match these filters"), "\(empty)")
        // The API answers such a team with no workers (it may log in later), and names it.
        let api = try server.client.get("/api/workers?team=billing&team=Sales")
        #expect(api.status == 200)
        let body = try api.json()
        #expect(body["teamsNotOnFloor"] as? [String] == ["billing"])
        #expect((body["workers"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == ["WK2"])
        #expect(try server.client.get("/api/workers?team=Billing").json()["teamsNotOnFloor"] == nil)
        #expect(try server.client.get("/api/summary?team=billing").json()["teamsNotOnFloor"] as? [String] == ["billing"])
        #expect(try server.client.get("/api/summary?team=Billing").json()["teamsNotOnFloor"] == nil)
        // The filter still says what was asked for.
        #expect(page.contains("<option value=\"billing\" selected>billing (none on the floor)</option>"))
        // Anything from the query is escaped.
        let evil = try server.client.get("/?team=%3Cb%3Ex%3C%2Fb%3E").text
        #expect(evil.contains("No agent of team “&lt;b&gt;x&lt;/b&gt;” is on the floor yet.") && !evil.contains("<b>x</b>"))
        // Some teams on the floor, one not: the agents show, and a note names the one missing.
        let partial = try server.client.get("/?team=Sales&team=Support").text
        #expect(partial.contains("id=\"w-WK2\""))
        let note = try #require(section(of: partial, from: "id=\"team-notice\"", to: "</p>"))
        #expect(note.contains("No agent of team “Support” is on the floor yet."), "\(note)")
        #expect(!(try server.client.get("/?team=Sales").text.contains("id=\"team-notice\"")))
        // The kiosk of a team that has not logged in yet says so, and fills when its agents arrive.
        let kiosk = try server.client.get("/kiosk?team=Support").text
        let waiting = try #require(section(of: kiosk, from: "<p class=\"kempty\" id=\"empty\"", to: "</p>"))
        #expect(!waiting.contains("hidden") && waiting.contains("No agent of team “Support” is on the floor yet."), "\(waiting)")
        add("WK3", "Cy Wei", "Support")
        let filled = try server.client.get("/kiosk?team=Support").text
        #expect(filled.contains("Cy Wei"))
        #expect(try #require(section(of: filled, from: "<p class=\"kempty\" id=\"empty\"", to: ">")).contains("hidden"))
        #expect(!(try server.client.get("/?team=Support").text.contains("on the floor yet")))
    }

    @Test("an empty floor says what the feed is doing, not that filters match nothing")
    func emptyFloorSaysTheFeed() async throws {
        let server = try await TestServer(seeds: [], now: "2026-11-25T09:05:00Z")
        func empty(_ path: String) throws -> String {
            String(try #require(section(of: try server.client.get(path).text, from: "id=\"empty\">", to: "</p>")).dropFirst(11))
        }
        #expect(try empty("/").hasPrefix("Waiting for the first event."))
        #expect(try empty("/kiosk").hasPrefix("Waiting for the first event."))
        #expect(try empty("/?team=Sales").hasPrefix("Waiting for the first event."))
        let lines = [#"{"type":"worker","at":"2026-11-25T09:00:00Z","worker":"WK1","name":"Ada","team":"Sales"}"#,
                     #"{"type":"worker.remove","at":"2026-11-25T09:01:00Z","worker":"WK1"}"#]
        _ = server.pipeline.ingest(body: Array(lines.joined(separator: "\n").utf8), source: "test")
        #expect(try empty("/").hasPrefix("No agents are on the floor."))
        #expect(try empty("/?team=Sales").hasPrefix("No agent of team “Sales” is on the floor yet."))
        #expect(!(try empty("/?multi=1").contains("match these filters")))
    }

    @Test("the filters show the view as set: attention=1 is the Sort choice \"Problems first\"; Clear filters whenever anything is set")
    func filterStateShown() async throws {
        let server = try await TestServer(seeds: ["multicall.ndjson"], now: "2026-11-25T09:05:21Z")
        func sortChoice(_ path: String) throws -> [String] {
            let html = try server.client.get(path).text
            let select = try #require(section(of: html, from: "<select name=\"sort\">", to: "</select>"))
            return select.components(separatedBy: "<option ").filter { $0.contains(" selected>") }
                .map { String($0.split(separator: ">")[1].prefix { $0 != "<" }) }
        }
        #expect(try sortChoice("/?attention=1") == ["Problems first"])
        #expect(try sortChoice("/?attention=1&sort=hold-time") == ["Problems first, then longest on hold"])
        #expect(try sortChoice("/?attention=1&sort=calls") == ["Problems first, then most calls"])
        #expect(try sortChoice("/?attention=1&sort=activity") == ["Problems first, then activity"])
        // The order within the ranks rides along in the form, before the select: applying the filters again keeps
        // both, and a Sort choice made afterwards comes last and wins.
        let ranked = try server.client.get("/?attention=1&sort=calls").text
        let form = try #require(section(of: ranked, from: "<form class=\"filters\"", to: "</form>"))
        let hidden = try #require(form.range(of: "<input type=\"hidden\" name=\"sort\" value=\"calls\">"))
        #expect(hidden.upperBound <= (form.range(of: "<select name=\"sort\">")?.lowerBound ?? form.startIndex))
        #expect(try sortChoice("/?sort=calls&sort=attention") == ["Problems first, then most calls"])
        #expect(try sortChoice("/?sort=calls&sort=name") == ["Name"])
        #expect(!(try server.client.get("/?attention=1").text.contains("name=\"sort\" value=")))
        #expect(try sortChoice("/?sort=hold-time") == ["Longest on hold first"])
        // sort=hold orders as hold-time does: one choice says so, not two labels for one order.
        #expect(try sortChoice("/?sort=hold") == ["Longest on hold first"])
        let html = try server.client.get("/").text
        let select = try #require(section(of: html, from: "<select name=\"sort\">", to: "</select>"))
        let labels = captures(#"<option value="[^"]*"[^>]*>([^<]+)</option>"#, in: select).map { $0[0] }
        #expect(labels == ["Name", "Activity", "Longest in activity first", "Most calls first", "Longest on hold first",
                           "Longest call first", "Problems first"], "\(labels)")
        #expect(Set(labels).count == labels.count)
        #expect(try sortChoice("/") == ["Name"])
        // What the choice sends is the same view as attention=1.
        let chosen = try server.client.get("/?sort=attention").text
        #expect(chosen.contains("data-live=\"/live?attention=1&amp;") && !chosen.contains("id=\"filter-notice\""))
        for path in ["/?attention=1", "/?sort=hold-time", "/?group=none", "/?team=Support", "/?multi=1"] {
            #expect(try server.client.get(path).text.contains(">Clear filters</a>"), "\(path)")
        }
        #expect(!(try server.client.get("/").text.contains(">Clear filters</a>")))
        // group=none has no control of its own: the form keeps it.
        #expect(try server.client.get("/?group=none").text.contains("<input type=\"hidden\" name=\"group\" value=\"none\">"))
        #expect(!(try server.client.get("/").text.contains("name=\"group\"")))
        // So is a page size other than the default; the page number is not (the rows change).
        let paged = try server.client.get("/?per=50&page=2").text
        #expect(paged.contains("<input type=\"hidden\" name=\"per\" value=\"50\">") && !paged.contains("name=\"page\""))
        #expect(!(try server.client.get("/?per=200").text.contains("name=\"per\"")))
    }

    @Test("the On hold tile's muted and mute-unknown figures count held calls only, as the tile does")
    func heldTileCountsHeldCalls() async throws {
        // WK01 holds CA01 (muted) while on CA02 (live, mute not reported).
        let server = try await TestServer(seeds: ["multicall.ndjson"], now: "2026-11-25T09:05:21Z")
        let html = try server.client.get("/").text
        let tile = try #require(section(of: html, from: "tile tile--held", to: "</a>"))
        #expect(tile.contains("<span class=\"tile__value\">1</span>"))
        #expect(tile.contains("1 muted · 0 mute unknown"), "\(tile)")
        // The API's figures keep counting live and held calls together.
        let summary = try server.client.get("/api/summary").json()
        #expect(summary["muteUnknownCalls"] as? Int == 1)
    }

    @Test("a second call from a queue is marked as a misroute, a transfer is not")
    func misrouteFlag() async throws {
        let server = try await TestServer(seeds: ["misroute.ndjson", "multicall.ndjson"], now: "2026-11-25T09:07:00Z")
        let html = try server.client.get("/").text
        let bruno = try #require(section(of: html, from: "id=\"w-WK02\"", to: "</tr>"))
        #expect(bruno.contains("Misroute"))
        #expect(bruno.contains("row--misroute"))
        let ada = try #require(section(of: html, from: "id=\"w-WK01\"", to: "</tr>"))
        #expect(!ada.contains("Misroute"))
    }

    @Test("two live calls past the grace period raise the wrong-call risk; an unmuted held call too")
    func wrongCallRisk() async throws {
        let early = try await TestServer(seeds: ["wrong-call-risk.ndjson"], now: "2026-11-25T09:10:31Z")
        let earlyHTML = try early.client.get("/").text
        let chenEarly = try #require(section(of: earlyHTML, from: "id=\"w-WK03\"", to: "</tr>"))
        #expect(!chenEarly.contains("Wrong-call risk"), "within the 3 s grace period")

        let later = try await TestServer(seeds: ["wrong-call-risk.ndjson"], now: "2026-11-25T09:12:10Z")
        let html = try later.client.get("/").text
        let chen = try #require(section(of: html, from: "id=\"w-WK03\"", to: "</tr>"))
        #expect(occurrences(of: "Wrong-call risk", in: chen) == 2)
        let dana = try #require(section(of: html, from: "id=\"w-WK04\"", to: "</tr>"))
        let held = try #require(section(of: dana, from: "card card--held", to: "</li>"))
        #expect(held.contains("Wrong-call risk"), "held, reported unmuted, for 10 s")
        #expect(held.contains("Mic on"))
    }

    @Test("event text is HTML-escaped and the page forbids inline script")
    func escaping() async throws {
        let server = try await TestServer(seeds: ["escape.ndjson"], now: "2026-11-25T09:02:00Z")
        let reply = try server.client.get("/")
        let html = reply.text
        #expect(!html.contains("<script>alert"))
        #expect(!html.contains("<img src=x"))
        #expect(!html.contains("<svg onload"))
        #expect(!html.contains("<b>Red</b>"))
        #expect(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;Eve&quot;"))
        let csp = try #require(reply.header("content-security-policy"))
        #expect(csp.contains("script-src 'self'"))
        #expect(!csp.contains("unsafe-inline"))
        // The only scripts are external files.
        #expect(!html.contains("<script>"))
    }

    @Test("control characters in names or the URL cannot pose as timer markers")
    func forgedMarkers() async throws {
        let server = try await TestServer(seeds: ["escape.ndjson"], now: "2026-11-25T09:02:00Z")
        let html = try server.client.get("/").text
        let row = try #require(section(of: html, from: "id=\"w-WKctl\"", to: "</tr>"))
        #expect(row.contains("c5 Mallory"))
        #expect(!row.contains("data-since=\"5\""))
        let reflected = try server.client.get("/?q=%01c5%02").text
        #expect(!reflected.contains("data-since=\"5\""))
        #expect(reflected.contains("value=\"c5\""))
    }

    @Test("filters in the query string narrow the agents shown")
    func filters() async throws {
        let server = try await TestServer(seeds: ["multicall.ndjson", "misroute.ndjson", "wrong-call-risk.ndjson"],
                                          now: "2026-11-25T09:12:10Z")
        let all = try server.client.get("/").text
        #expect(all.contains("4 of 4 agents"))
        #expect(all.contains("id=\"empty\" hidden"), "the no-match note waits hidden for live updates")
        let sales = try server.client.get("/?team=Sales").text
        #expect(sales.contains("id=\"w-WK03\"") && sales.contains("id=\"w-WK04\""))
        #expect(!sales.contains("id=\"w-WK01\""))
        #expect(sales.contains("2 of 2 agents"), "a view pinned to teams counts against those teams, not the floor")
        #expect(try server.client.get("/?team=Sales&q=chen").text.contains("1 of 2 agents"))
        let search = try server.client.get("/?q=ada").text
        #expect(search.contains("id=\"w-WK01\"") && !search.contains("id=\"w-WK02\""))
        let skill = try server.client.get("/?skill=french").text
        #expect(skill.contains("id=\"w-WK04\"") && !skill.contains("id=\"w-WK03\""))
        let flagged = try server.client.get("/?flagged=1").text
        #expect(flagged.contains("id=\"w-WK02\"") && flagged.contains("id=\"w-WK03\"") && !flagged.contains("id=\"w-WK01\""))
        let none = try server.client.get("/?team=Nobody").text
        #expect(none.contains("<p class=\"empty\" id=\"empty\">No agent of team “Nobody” is on the floor yet."))
        let nobody = try server.client.get("/?q=zzzz").text
        #expect(nobody.contains("<p class=\"empty\" id=\"empty\">No agents match these filters"))
    }

    @Test("a matching If-None-Match gets 304 with an empty body; a changed registry gets a new page")
    func conditionalGet() async throws {
        let server = try await TestServer(seeds: ["multicall.ndjson"], now: "2026-11-25T09:05:21Z")
        let first = try server.client.get("/")
        let etag = try #require(first.header("etag"))
        let again = try server.client.get("/", headers: ["If-None-Match": etag])
        #expect(again.status == 304)
        #expect(again.body.isEmpty)
        _ = server.pipeline.ingest(body: try TestServer.seed("misroute.ndjson"), source: "more")
        let changed = try server.client.get("/", headers: ["If-None-Match": etag])
        #expect(changed.status == 200)
        #expect(changed.header("etag") != etag)
    }

    @Test("unknown paths answer 404; static files and the favicon are served")
    func notFoundAndStatic() async throws {
        let server = try await TestServer(seeds: [], now: "2026-11-25T09:00:00Z")
        let unknown = try server.client.get("/nope")
        #expect(unknown.status == 404)
        #expect(unknown.text == "no page at /nope\n")
        #expect(try server.client.get("/static/../Package.swift").status == 404)
        let css = try server.client.get("/static/teamsview.css")
        #expect(css.status == 200)
        #expect(css.header("content-type")?.hasPrefix("text/css") == true)
        #expect(try server.client.get("/favicon.ico").status == 200)
        #expect(try server.client.get("/healthz").text == "ok\n")
    }
    @Test("a call started 14 days ago with no end shows as \"End not received\" with its start, counted for operators, not as a live call")
    func callWhoseEndNeverArrived() async throws {
        let server = try await TestServer(seeds: [], now: "2026-11-25T09:00:00Z")
        let lines = [#"{"type":"worker","at":"2026-11-11T08:00:00Z","worker":"WK01","name":"Ada Okafor","team":"Billing"}"#,
                     #"{"type":"call.start","at":"2026-11-11T08:00:00Z","worker":"WK01","call":"CA01","from":"+15551230001"}"#,
                     #"{"type":"call.start","at":"2026-11-25T08:59:00Z","worker":"WK02","call":"CA02","from":"+15551230002"}"#]
        _ = server.pipeline.ingest(body: Array(lines.joined(separator: "\n").utf8), source: "test")
        let html = try server.client.get("/").text
        let row = try #require(section(of: html, from: "id=\"w-WK01\"", to: "</tr>"))
        let card = try #require(section(of: row, from: "class=\"card card--", to: "</li>"))
        #expect(card.contains("card--unended"), "\(card)")
        #expect(card.contains("End not received"))
        #expect(card.contains("<time datetime=\"2026-11-11T08:00:00Z\">2026-11-11 08:00:00 UTC</time>"), "\(card)")
        // No running call timer (it would read 337 hours).
        #expect(!card.contains("timer--call"), "\(card)")
        #expect(!card.contains(">Live<"))
        // Nor is the agent "On call" on it (it has no other call).
        #expect(!row.contains("data-presence=\"on-call\""), "\(row)")
        // The fresh call elsewhere is a live call as ever.
        let fresh = try #require(section(of: html, from: "id=\"w-WK02\"", to: "</tr>"))
        #expect(fresh.contains("card card--live"))

        let kiosk = try server.client.get("/kiosk").text
        let tile = try #require(section(of: kiosk, from: "id=\"w-WK01\"", to: "</article>"))
        #expect(tile.contains("tcall--unended"), "\(tile)")
        #expect(tile.contains("End not received"))
        #expect(!tile.contains("timer--call"), "\(tile)")

        let api = try server.client.get("/api/workers/WK01").json()
        let call = try #require((api["calls"] as? [[String: Any]])?.first)
        #expect(call["endNotReceived"] as? Bool == true)
        let other = try server.client.get("/api/workers/WK02").json()
        #expect(((other["calls"] as? [[String: Any]])?.first)?["endNotReceived"] as? Bool == false)

        let summary = try server.client.get("/api/summary").json()
        #expect(summary["callsEndNotReceived"] as? Int == 1)
        #expect(summary["callsLive"] as? Int == 1)
        #expect(summary["agentsBusy"] as? Int == 1)
        #expect(api["presence"] as? String != "on-call")
        let status = try server.client.get("/api/status").json()
        #expect(status["callsEndNotReceived"] as? Int == 1)
        let statusPage = try server.client.get("/status").text
        let tileHTML = try #require(section(of: statusPage, from: "id=\"end-not-received\"", to: "</div>"))
        #expect(tileHTML.contains(">1</span>"), "\(tileHTML)")
        let metrics = try server.client.get("/metrics").text
        #expect(metrics.contains("teamsview_calls{state=\"end-not-received\"} 1"), "\(metrics)")
        #expect(metrics.contains("teamsview_calls{state=\"live\"} 1"))
    }

    @Test("the Activity filter offers the activities reported, not the placeholder of a worker with none yet")
    func activityFilterLeavesOutThePlaceholder() async throws {
        let server = try await TestServer(seeds: [], now: "2026-11-25T09:00:00Z")
        let lines = [#"{"type":"worker","at":"2026-11-25T08:50:00Z","worker":"WK01","name":"Ada Okafor","team":"Billing"}"#,
                     #"{"type":"worker","at":"2026-11-25T08:50:00Z","worker":"WK02","name":"Bo Lind","team":"Billing"}"#,
                     #"{"type":"activity","at":"2026-11-25T08:51:00Z","worker":"WK02","activity":"Available"}"#]
        _ = server.pipeline.ingest(body: Array(lines.joined(separator: "\n").utf8), source: "test")
        let html = try server.client.get("/").text
        #expect(html.contains("<option value=\"Available\""), "\(html)")
        #expect(!html.contains("<option value=\"Unknown\""))
        // Nor is the agent lost: presence=unknown finds them.
        let unknown = try server.client.get("/api/workers?presence=unknown").json()
        #expect((unknown["workers"] as? [[String: Any]])?.map { $0["id"] as? String } == ["WK01"])
    }

    @Test("beside a call whose end never arrived, a fresh queue call is the agent's one call: no misroute, not on 2+ calls")
    func freshCallBesideOneWhoseEndNeverArrived() async throws {
        let server = try await TestServer(seeds: [], now: "2026-11-25T09:00:00Z")
        let lines = [#"{"type":"worker","at":"2026-11-11T08:00:00Z","worker":"WK01","name":"Ada Okafor","team":"Billing"}"#,
                     #"{"type":"call.start","at":"2026-11-11T08:00:00Z","worker":"WK01","call":"CA01","from":"+15551230001"}"#,
                     #"{"type":"call.hold","at":"2026-11-11T08:05:00Z","worker":"WK01","call":"CA01"}"#,
                     #"{"type":"call.start","at":"2026-11-25T08:59:00Z","worker":"WK01","call":"CA02","from":"+15551230002","via":"queue","queue":"Billing"}"#]
        _ = server.pipeline.ingest(body: Array(lines.joined(separator: "\n").utf8), source: "test")
        let html = try server.client.get("/").text
        let row = try #require(section(of: html, from: "id=\"w-WK01\"", to: "</tr>"))
        #expect(row.contains(">On call<"), "\(row)")
        #expect(!row.contains("On 2 calls"))
        #expect(!row.contains("row--multi"))
        #expect(!row.contains("row--misroute"))
        let api = try server.client.get("/api/workers/WK01").json()
        #expect(api["callCount"] as? Int == 1)
        #expect(api["presence"] as? String == "on-call")
        let calls = try #require(api["calls"] as? [[String: Any]])
        #expect(calls.map { $0["flags"] as? [String] ?? ["?"] } == [[], []])
        let summary = try server.client.get("/api/summary").json()
        #expect(summary["agentsOnMultipleCalls"] as? Int == 0)
        #expect(summary["misroutes"] as? Int == 0)
        #expect(summary["callsLive"] as? Int == 1)
        #expect(summary["callsHeld"] as? Int == 0)
        let multi = try server.client.get("/api/workers?multi=1").json()
        #expect((multi["workers"] as? [Any])?.isEmpty == true)
    }

    @Test("a view sorted problems-first or not grouped, filtered to teams, is headed with those teams, not \"All agents\"")
    func floorHeadingNamesTheTeamFilter() async throws {
        let server = try await TestServer(seeds: ["demo.ndjson"], now: "2026-11-25T09:05:00Z")
        func headings(_ path: String) throws -> [String] {
            let html = try server.client.get(path).text
            return html.components(separatedBy: "<span class=\"team__name\">").dropFirst()
                .map { String($0.prefix { $0 != "<" }) }
        }
        #expect(try headings("/?team=Sales") == ["Sales"])
        #expect(try headings("/?team=Sales&sort=attention") == ["Sales"])
        #expect(try headings("/?team=Sales&attention=1") == ["Sales"])
        #expect(try headings("/?team=Tech%20Support&team=Billing&group=none") == ["Billing, Tech Support"])
        #expect(try headings("/?sort=attention") == ["All agents"])
    }

    @Test("the footer says when the last event was as a clock reads it, the instant kept in <time datetime>")
    func footerLastEvent() async throws {
        let server = try await TestServer(seeds: ["multicall.ndjson"], now: "2026-11-25T09:05:21Z")
        let foot = try #require(section(of: try server.client.get("/").text, from: "<footer class=\"foot\">", to: "</footer>"))
        let iso = try #require(captures(#"<time datetime="([^"]+)">"#, in: foot).first?.first, "\(foot)")
        #expect(iso.hasPrefix("2026-11-25T"))
        // Readable: the clock of that day (the page's day: no date), not the RFC 3339 text.
        #expect(foot.contains("\">" + String(iso.dropFirst(11).prefix(8)) + " UTC</time>"), "\(foot)")
        #expect(!foot.contains(">" + iso))
        let empty = try await TestServer(seeds: [], now: "2026-11-25T09:05:21Z")
        #expect(try empty.client.get("/").text.contains("last event none yet"))
    }

    @Test("teams are listed in natural order: \"Team 2\" before \"Team 10\" in the board's groups, the filter and the kiosk")
    func teamsInNaturalOrder() async throws {
        let server = try await TestServer(seeds: [], now: "2026-11-25T09:05:00Z")
        let teams = ["Team 10", "Team 2", "team 1", "Team 1b"]
        let lines = teams.enumerated().map { i, team in
            #"{"type":"worker","at":"2026-11-25T09:00:00Z","worker":"WK\#(i)","name":"Agent \#(i)","team":"\#(team)"}"#
        }
        _ = server.pipeline.ingest(body: Array(lines.joined(separator: "\n").utf8), source: "test")
        let natural = ["team 1", "Team 1b", "Team 2", "Team 10"]
        let html = try server.client.get("/").text
        let headings = html.components(separatedBy: "<span class=\"team__name\">").dropFirst().map { String($0.prefix { $0 != "<" }) }
        #expect(headings == natural)
        let select = try #require(section(of: html, from: "<select name=\"team\">", to: "</select>"))
        #expect(captures(#"<option value="([^"]+)">"#, in: select).map { $0[0] } == natural)
        let api = try server.client.get("/api/workers").json()
        let order = (api["workers"] as? [[String: Any]] ?? []).compactMap { $0["team"] as? String }
        #expect(order == natural)
        let kiosk = try server.client.get("/kiosk").text
        #expect(captures(#"data-worker="(WK[0-9])""#, in: kiosk).map { $0[0] } == ["WK2", "WK3", "WK1", "WK0"])
    }
}

func section(of text: String, from start: String, to end: String) -> String? {
    guard let a = text.range(of: start) else { return nil }
    guard let b = text.range(of: end, range: a.upperBound..<text.endIndex) else { return String(text[a.lowerBound...]) }
    return String(text[a.lowerBound..<b.upperBound])
}

func occurrences(of needle: String, in text: String) -> Int {
    text.components(separatedBy: needle).count - 1
}

import Foundation
import Mustache
import Simulation
import TeamsDomain
import TeamsIngest
import Testing
@testable import TeamsWeb

/// The row and tile writers against their design, `Templates/row.mustache` and `kiosk-tile.mustache` rendered by
/// swift-mustache: the same bytes for rows and tiles of every shape.
@Suite("Rows and tiles: the writers write the templates' markup")
struct MarkupWriterTests {
    static func library() async throws -> MustacheLibrary {
        HTMLText.register()
        return try await MustacheLibrary(directory: TestServer.repoRoot + "/Templates")
    }

    /// Both renderings of `worker`'s row and kiosk tile, for every combination of the settings, recent flags and
    /// name tag they depend on.
    static func compare(_ worker: WorkerState, at now: Timestamp, library: MustacheLibrary, writer: RowWriter,
                        sourceLocation: SourceLocation = #_sourceLocation) -> Int {
        let tiles = TileWriter(library: library)
        var compared = 0
        for masked in [false, true] {
            for links in [false, true] {
                var settings = ViewSettings(maskCallers: masked)
                settings.reportLinks = links
                let flags = worker.callFlags(at: now, grace: settings.grace)
                for recent in [CallFlags(), .misroute, .wrongCallRisk, [.misroute, .wrongCallRisk]] {
                    let view = RowView(worker, flags: flags, recent: recent, settings: settings)
                    let expected = TimerMarkup.mark(library.render(view, withTemplate: "row") ?? "")
                    let written = writer.write(view)
                    #expect(written == expected, "\(worker.id) masked \(masked) links \(links) recent \(recent.rawValue)",
                            sourceLocation: sourceLocation)
                    for tag in [nil, "", "WK1 <b>\"\u{301}"] as [String?] {
                        let tile = TileView(row: view, tag: tag)
                        #expect(tiles.write(tile) == library.render(tile, withTemplate: "kiosk-tile") ?? "",
                                "tile \(worker.id) masked \(masked) links \(links) recent \(recent.rawValue) tag \(tag ?? "nil")",
                                sourceLocation: sourceLocation)
                    }
                    compared += 1
                }
            }
        }
        return compared
    }

    static func apply(_ lines: [String], to registry: inout Registry) {
        var decoder = NativeDecoder(limits: NativeLimits(maxClockSkew: 86_400 * 365))
        for line in lines {
            guard case .success(let event?) = decoder.decode(line) else { continue }
            _ = registry.apply(event)
        }
    }

    @Test("the repository's templates are written by the writers; a row or tile template changed is rendered as it is")
    func writersOnlyForTheTemplatesTheyWrite() async throws {
        let library = try await Self.library()
        let page = PageRenderer(library: library, settings: ViewSettings(), assetVersion: "1")
        #expect(page.rowWriter != nil)
        #expect(KioskRenderer(page: page).tileWriter != nil)
        // A copy of the templates with both changed, as under `--assets`.
        let dir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("teamsview-custom-\(UUID())")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.copyItem(at: URL(fileURLWithPath: TestServer.repoRoot + "/Templates"), to: dir)
        for name in ["row", "kiosk-tile"] {
            let file = dir.appendingPathComponent(name + ".mustache")
            let text = try String(contentsOf: file, encoding: .utf8)
            try text.replacingOccurrences(of: "{{name}}", with: "{{name}} (custom)").write(to: file, atomically: true, encoding: .utf8)
        }
        let custom = try await MustacheLibrary(directory: dir.path)
        let customPage = PageRenderer(library: custom, settings: ViewSettings(), assetVersion: "1")
        #expect(customPage.rowWriter == nil)
        #expect(KioskRenderer(page: customPage).tileWriter == nil)
        let row = String(decoding: customPage.rowMarkup(MarkupParts.probe, flags: []).bytes, as: UTF8.self)
        #expect(row.contains("Ada Okafor (custom)"))
    }

    @Test("a simulated floor over half an hour: every agent's row and tile, the same bytes")
    func simulatedFloor() async throws {
        let library = try await Self.library()
        let writer = RowWriter(library: library)
        let start = RFC3339.parse("2026-12-07T09:00:00Z")!
        var sim = ContactCentreSimulator(.init(agents: 60, seed: 11, misrouteShare: 0.2, showcaseInterval: 20), start: start)
        var registry = Registry()
        Self.apply(sim.initialLines(), to: &registry)
        var compared = 0
        var shapes = Set<String>()
        for minute in stride(from: 5, through: 30, by: 5) {
            var lines: [String] = []
            for s in stride(from: (minute - 5) * 60 + 1, through: minute * 60, by: 1) {
                lines += sim.step(to: start.adding(seconds: Double(s)))
                // An agent unmuted on a held call beside a live one at the moment compared (unmuted 2–4 s in,
                // muted again 9–14 s in).
                if s == minute * 60 - 6 { lines += sim.stage(.unmutedOnHeldCall) ?? [] }
            }
            Self.apply(lines, to: &registry)
            let now = start.adding(seconds: Double(minute * 60))
            for (_, worker) in registry.workers {
                compared += Self.compare(worker, at: now, library: library, writer: writer)
                for call in worker.calls { shapes.insert(call.phase.rawValue + (call.muted.map { "\($0)" } ?? "?")) }
                if !worker.tasks.isEmpty { shapes.insert("task") }
            }
        }
        #expect(compared > 1000)
        // The floor had calls in every phase, muted and not, and tasks: the comparison covered them.
        #expect(shapes.isSuperset(of: ["live?", "livetrue", "livefalse", "heldtrue", "heldfalse", "wrapup?"]), "\(shapes.sorted())")
    }

    @Test("rows the simulator does not make: placeholders, ends not received, mic on, ringing, hostile text")
    func edgeShapes() async throws {
        let library = try await Self.library()
        let writer = RowWriter(library: library)
        let now = RFC3339.parse("2026-12-07T09:00:00Z")!
        func at(_ seconds: Double) -> String { RFC3339.format(now.adding(seconds: seconds)) }
        // As a JSON string's content: the quote escaped for JSON, a bare quote once decoded.
        let hostile = #"x\"\#u{301} onmouseover=a() y='<\#u{301}b>&amp;"#
        let lines = [
            // A placeholder: calls but no profile.
            #"{"type":"call.start","at":"\#(at(-60))","worker":"WP","call":"C1","via":"direct","direction":"outbound"}"#,
            // An end never received (30 h), a ringing call, a call with the mic on, a wrap-up.
            #"{"type":"worker","at":"\#(at(-200_000))","worker":"WE","name":"Émile \#(hostile)","team":"Sales","skills":["a\#(hostile)","b"],"capacity":{"voice":3,"chat":1,"sms":0}}"#,
            #"{"type":"activity","at":"\#(at(-200_000))","worker":"WE","activity":"Busy \#(hostile)"}"#,
            #"{"type":"call.start","at":"\#(at(-108_000))","worker":"WE","call":"C2\#(hostile)","from":"+1555\#(hostile)","queue":"Q\#(hostile)","via":"queue"}"#,
            #"{"type":"call.offer","at":"\#(at(-20))","worker":"WE","call":"C3","from":"+15550003","queue":"Sales","via":"transfer"}"#,
            #"{"type":"call.start","at":"\#(at(-300))","worker":"WE","call":"C4","via":"outbound","direction":"outbound"}"#,
            #"{"type":"call.unmute","at":"\#(at(-200))","worker":"WE","call":"C4"}"#,
            #"{"type":"call.start","at":"\#(at(-100))","worker":"WE","call":"C5","from":"","queue":"","via":"queue"}"#,
            #"{"type":"call.wrapup","at":"\#(at(-50))","worker":"WE","call":"C5"}"#,
            #"{"type":"task.start","at":"\#(at(-40))","worker":"WE","task":"T1","channel":"chat","from":"web \#(hostile)","queue":"Chat\#(hostile)"}"#,
            #"{"type":"task.start","at":"\#(at(-30))","worker":"WE","task":"T2","channel":"sms\#(hostile)"}"#,
            // Two calls live from queues: a misroute and the wrong-call risk condition.
            #"{"type":"worker","at":"\#(at(-600))","worker":"WM","name":"Mo","team":"Billing","capacity":{"voice":1}}"#,
            #"{"type":"call.start","at":"\#(at(-500))","worker":"WM","call":"C6","via":"queue","queue":"Billing"}"#,
            #"{"type":"call.start","at":"\#(at(-400))","worker":"WM","call":"C7","via":"queue","queue":"Billing"}"#,
            #"{"type":"call.unmute","at":"\#(at(-399))","worker":"WM","call":"C6"}"#,
            #"{"type":"call.unmute","at":"\#(at(-399))","worker":"WM","call":"C7"}"#,
        ]
        var registry = Registry()
        Self.apply(lines, to: &registry)
        // A channel switched off (from Twilio's worker channel availability).
        _ = registry.apply(Event(at: now.adding(seconds: -30), .channelAvailability("WE", channel: "chat", available: false)))
        #expect(registry.workers.count == 3)
        #expect(registry.workers["WE"]?.name.contains("\"\u{301} onmouseover") == true)
        #expect(registry.workers["WE"]?.calls.count == 4)
        #expect(registry.workers["WE"]?.channelsOff.contains("chat") == true)
        var compared = 0
        for (_, worker) in registry.workers {
            compared += Self.compare(worker, at: now, library: library, writer: writer)
        }
        #expect(compared == 48)
        let marked = writer.write(RowView(registry.workers["WE"]!, flags: registry.workers["WE"]!.callFlags(at: now),
                                          settings: ViewSettings()))
        let written = String(decoding: marked.bytes, as: UTF8.self)
        #expect(marked.timers.count >= 6, "the activity's, each call's and each task's timers")
        #expect(written.contains("calls end within 24 h"), "\(written)")
        #expect(written.contains("Mic on") && written.contains("Ringing"))
        let bareQuote = "\"\u{301}"
        #expect(!written.contains(bareQuote), "every quote escaped")
    }

    @Test("the marked writer cuts timers out as TimerMarkup.mark does, marker bytes in text and odd markers included")
    func markedWriter() {
        enum Piece { case raw(StaticString), text(String), escaped(String), timer(String) }
        let marker = TimerMarkup.marker(.hold, since: Timestamp(microseconds: 1_764_000_000_123_000))
        let cases: [[Piece]] = [
            [.raw("<a>"), .timer(marker), .escaped("x<\"'&>y"), .timer(TimerMarkup.marker(.call, since: Timestamp(microseconds: -5_000))),
             .text("<b>"), .timer(TimerMarkup.marker(.task, since: Timestamp(microseconds: 0)))],
            // Not markers as `TimerMarkup.marker` writes them: written as text, then marked as a whole.
            [.raw("a"), .timer(""), .timer("\u{1}c007\u{2}"), .timer("\u{1}z12\u{2}"), .timer("\u{1}c-0\u{2}"), .raw("b")],
            [.timer("\u{1}c12"), .raw("x"), .timer(marker), .raw("y")],
            [.timer("\u{1}c1\u{2}\u{1}h2\u{2}"), .timer("\u{1}c" + String(repeating: "9", count: 19) + "\u{2}")],
            // A marker's start byte in text: it swallows what follows up to the next end byte, as in one String.
            [.raw("<i>"), .escaped("\u{1}h1<"), .timer(marker), .raw("z")],
            [.text("\u{1}w"), .raw("q"), .text("5\u{2}r"), .timer(marker), .text("\u{1}")],
        ]
        for pieces in cases {
            var writer = MarkedWriter(capacity: 0)
            var html = ""
            for piece in pieces {
                switch piece {
                case .raw(let s): writer.raw(s); html += s.description
                case .text(let s): writer.text(s); html += s
                case .escaped(let s): writer.escaped(s); html += HTMLText.escape(s)
                case .timer(let s): writer.timer(s); html += s
                }
            }
            #expect(writer.finish() == TimerMarkup.mark(html), "\(html.debugDescription)")
        }
    }

    @Test("initials of ASCII names byte by byte are the initials of the Character-wise path; other names take that path")
    func initials() {
        let names = ["Ada Okafor", "ada okafor", "  ada   okafor  ", "Ada", "", " ", "a b c", "1st place", "x-ray yankee",
                     "a\tb c", "\tada\nokafor", "a\u{7F}b c", "\r\n", "a\r\nb", "zZ zz", "@home !now", "~ ~", "Agent 10 Example",
                     "`a {b", "[x] y"]
        for name in names {
            #expect(RowView.asciiInitials(name) == RowView.initials(name), "\(name.debugDescription)")
        }
        for name in ["Émile Zola", "ada Øster", "日本 語", "a\u{301}b c", "ß x", "ada\u{200E} okafor"] {
            #expect(RowView.asciiInitials(name) == nil, "\(name.debugDescription)")
        }
    }
}

import HTTPTypes
import MicroHTTP
import TeamsDomain

/// `GET /live?view=page|kiosk&<filters>[&page=&per=]&last=<id>`: a Server-Sent Events stream of
/// a board's view through a window (none given: the whole view).
///
/// Messages (`event:` name, `data:` JSON), which `Public/live.js` applies:
/// - `hello` `{epoch, view, heartbeat, staleAfter, t, last}` first on every stream;
/// - `reset` `{v, t, last, body, summary, count, range?, shown}`: the whole window (a resync);
/// - `rows` `{v, t, last, teams:[{slug, after, html}], rows:[{id, team, after, html}], removed:[id],
///   teamsRemoved:[slug], summary?, count?, range?, shown}`: apply in that order; `after` is the id
///   of the element the row (or team) goes right after, `null` for first;
/// - `feed` `{t, last}`: feed and clock state (with every heartbeat).
///
/// `count` is `"N of M agents"` (the whole view of the whole registry), `range` is `"rows X–Y of N"`
/// for a windowed view, `shown` the rows of the whole view. Every message but `hello` carries
/// `id: <epoch>-<seq>`. A client that reconnects with that id (`Last-Event-ID` header, or `?last=`
/// since a page's own `EventSource` cannot set headers; a page embeds the id of the board it was
/// rendered from) gets the messages it missed from the channel's buffer, or a `reset` when the
/// buffer no longer covers them (or the server restarted: another epoch).
extension LiveUpdates {
    public func handle(_ request: Request) -> Response {
        var fields = HTTPFields()
        fields[.contentType] = "text/event-stream; charset=utf-8"
        fields[.cacheControl] = "no-store"
        fields[HTTPField.Name("X-Accel-Buffering")!] = "no"
        fields[.xContentTypeOptions] = "nosniff"
        if request.method == .head {
            return Response(status: .ok, headerFields: fields)
        }
        let view = LiveView(rawValue: request.queryValue("view") ?? "page") ?? .page
        let key = ChannelKey(board: BoardKey(view: view, query: WorkerQuery(parameters: request.query)),
                             window: BoardWindow(request, defaultPer: nil))
        let last = (request.headerFields[HTTPField.Name("Last-Event-ID")!] ?? request.queryValue("last")).flatMap(LiveCursor.init)
        let body = StreamingBody(maxPendingBytes: settings.maxPendingBytes)
        guard let client = admit(body, to: key, last: last) else {
            var busy = HTTPFields()
            busy[.contentType] = "text/plain; charset=utf-8"
            busy[.retryAfter] = "10"
            busy[.cacheControl] = "no-store"
            return Response(status: .serviceUnavailable, headerFields: busy,
                            body: .bytes(Array("Too many live clients; try again shortly.\n".utf8)))
        }
        body.onClose { [weak self] in
            let mono = WallClock.monotonicSeconds()
            self?.state.withLock { $0.broadcaster.remove(client, from: key, now: mono) }
        }
        return Response(status: .ok, headerFields: fields, body: .stream(body))
    }

    /// Opens the channel if needed, then writes `hello` and either the missed messages or a
    /// `reset` (rendered with no lock held) and adds the client; nil when refused.
    private func admit(_ body: StreamingBody, to key: ChannelKey, last: LiveCursor?) -> UInt64? {
        let refused = state.withLock { s -> Bool in
            guard !s.stopped, s.broadcaster.hasRoom else {
                s.broadcaster.statistics.refused += 1
                return true
            }
            return false
        }
        if refused { return nil }
        let hello = helloMessage(key.board.view)
        for _ in 0..<8 {
            // The channel and the board its clients are at.
            let opened = state.withLock { s -> Board? in
                if let c = s.broadcaster.channels[key] { return c.payload }
                guard let board = s.boards.board(key.board) else { return nil }
                s.broadcaster.open(key, payload: board, seq: board.seq, now: WallClock.monotonicSeconds())
                return board
            }
            guard let board = opened else {
                _ = self.board(for: key.board)  // keeps it; the next round opens the channel on it
                continue
            }
            // Up to date or recent enough: replay from the buffer.
            if let last, last.epoch == epoch {
                let client = state.withLock { s -> UInt64?? in
                    guard s.broadcaster.hasRoom else { s.broadcaster.statistics.refused += 1; return .some(nil) }
                    guard let missed = s.broadcaster.replay(key, after: last.seq) else { return nil }
                    s.broadcaster.statistics.replays += 1
                    return .some(s.broadcaster.admit(body, to: key, first: [hello] + missed))
                }
                if let client { return client }
            }
            // A resync: the board as the channel has it, then whatever came after it meanwhile.
            let reset = resetMessage(board, key: key)
            let client = state.withLock { s -> UInt64?? in
                guard s.broadcaster.hasRoom else { s.broadcaster.statistics.refused += 1; return .some(nil) }
                guard let after = s.broadcaster.replay(key, after: board.seq) else { return nil }
                s.broadcaster.statistics.resyncs += 1
                return .some(s.broadcaster.admit(body, to: key, first: [hello, reset] + after))
            }
            if let client { return client }
        }
        return nil
    }

    /// The `reset` of a channel at its board: rendered once and shared by the clients that
    /// connect within `LiveSettings.resetReuse` seconds (a reconnect storm renders it once, and
    /// every stream queues the same bytes), rendered anew after that so its clock stays current.
    private func resetMessage(_ board: Board, key: ChannelKey) -> [UInt8] {
        let mono = WallClock.monotonicSeconds()
        if let kept = state.withLock({ $0.resets[key] }), kept.seq == board.seq, kept.version == board.version,
           mono - kept.at < settings.resetReuse {
            return kept.bytes
        }
        let bytes = renderer.resetMessage(board, window: key.window, id: LiveCursor(epoch: epoch, seq: board.seq).text,
                                          now: clock.now(), lastLine: statistics.lastLineReceivedAt)
        state.withLock { $0.resets[key] = State.Reset(seq: board.seq, version: board.version, at: mono, bytes: bytes) }
        return bytes
    }

    private func helloMessage(_ view: LiveView) -> [UInt8] {
        var hello = LiveMessage(event: "hello", id: nil)
        hello.string("epoch", epoch)
        hello.string("view", view.rawValue)
        hello.number("heartbeat", settings.heartbeat)
        hello.number("staleAfter", renderer.page.settings.staleAfter)
        hello.clock(version: nil, now: clock.now(), lastLine: statistics.lastLineReceivedAt)
        return Array("retry: \(settings.retryMilliseconds)\n\n".utf8) + hello.finish()
    }
}

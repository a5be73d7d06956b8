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
/// - `feed` `{t, last}`: feed and clock state (with every heartbeat);
/// - `evicted` `{reason, retry}`: the view was evicted over the memory budget (`ViewBudget`) and
///   the stream ends; reconnect after `retry` milliseconds or more (its buffer is gone: a resync).
///
/// `count` is `"N of M agents"` (the whole view of the whole registry), `range` is `"rows X–Y of N"`
/// for a windowed view, `shown` the rows of the whole view. Every message but `hello` and `evicted`
/// carries `id: <epoch>-<seq>.<stream>` (`LiveCursor`). A client that reconnects with that id
/// (`Last-Event-ID` header, or `?last=` since a page's own `EventSource` cannot set headers; a page
/// embeds the id of the board it was rendered from, `<epoch>-<seq>`) gets the messages it missed
/// from the channel's buffer, or a `reset` when the buffer no longer covers them (or the server
/// restarted: another epoch). When the id names a stream still open on the same channel (same
/// view, filters and window: a client whose network dropped before the server noticed), that
/// stream is closed and the new one takes its slot, even at `maxClients`.
///
/// Refusals are 503 with `Retry-After`: past `maxClients` streams, or for a new view when
/// `maxViews` views all have clients.
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
        let client = UInt64.random(in: 1...UInt64.max)
        if let refusal = admit(body, as: client, to: key, last: last) {
            var busy = HTTPFields()
            busy[.contentType] = "text/plain; charset=utf-8"
            busy[.retryAfter] = "10"
            busy[.cacheControl] = "no-store"
            let why = refusal == .views ? "Too many live views" : "Too many live clients"
            return Response(status: .serviceUnavailable, headerFields: busy,
                            body: .bytes(Array("\(why); try again shortly.\n".utf8)))
        }
        body.onClose { [weak self] in
            let mono = WallClock.monotonicSeconds()
            self?.state.withLock { $0.broadcaster.remove(client, from: key, now: mono) }
        }
        enforceViewBudget()
        return Response(status: .ok, headerFields: fields, body: .stream(body))
    }

    /// Why a stream was not admitted.
    private enum Refusal {
        /// `maxClients` streams are open (or the server is stopping).
        case clients
        /// A new view, and `maxViews` views all have clients.
        case views
    }

    /// Opens the channel if needed, then writes `hello` and either the missed messages or a
    /// `reset` (rendered with no lock held) and adds the client as `client`; nil when admitted.
    /// A `last` naming a stream still open on the channel closes it and takes its slot.
    private func admit(_ body: StreamingBody, as client: UInt64, to key: ChannelKey, last: LiveCursor?) -> Refusal? {
        let own = last.flatMap { $0.epoch == epoch ? $0.stream : nil }
        let refused = state.withLock { s -> Bool in
            let taking = own.map { s.broadcaster.channels[key]?.clients[$0] != nil } ?? false
            guard !s.stopped, s.broadcaster.hasRoom || taking else {
                s.broadcaster.statistics.refused += 1
                return true
            }
            return false
        }
        if refused { return .clients }
        let hello = helloMessage(key.board.view)
        let tail = LiveCursor.tail(stream: client)
        // The stream taken over (under the lock that admits the new one), ended once no lock is held.
        var replaced: StreamingBody?
        defer { replaced?.close() }
        for _ in 0..<8 {
            // The channel and the board its clients are at.
            let opened = state.withLock { s -> Opening in
                let mono = WallClock.monotonicSeconds()
                _ = s.boards.use(key.board, now: mono)
                s.channelUse[key] = mono
                if let c = s.broadcaster.channels[key] { return .board(c.payload) }
                guard let board = s.boards.board(key.board) else { return s.boards.hasRoom(pinned: s.pinned.contains) ? .build : .full }
                guard s.broadcaster.open(key, payload: board, seq: board.seq, now: mono) else { return .full }
                return .board(board)
            }
            let board: Board
            switch opened {
            case .board(let b):
                board = b
            case .build:
                _ = self.board(for: key.board)  // keeps it; the next round opens the channel on it
                continue
            case .full:
                state.withLock { $0.broadcaster.statistics.refusedViews += 1 }
                return .views
            }
            // Up to date or recent enough: replay from the buffer.
            if let last, last.epoch == epoch {
                let (admitted, old) = state.withLock { s -> (Bool?, StreamingBody?) in
                    let old = s.takeOver(own, in: key)
                    guard s.broadcaster.hasRoom else { s.broadcaster.statistics.refused += 1; return (false, old) }
                    guard let missed = s.broadcaster.replay(key, after: last.seq) else { return (nil, old) }
                    s.broadcaster.statistics.replays += 1
                    return (s.broadcaster.admit(body, as: client, tail: tail, to: key,
                                                first: [hello] + missed.flatMap { [$0, tail] }), old)
                }
                replaced = replaced ?? old
                if let admitted { return admitted ? nil : .clients }
            }
            // A resync: the board as the channel has it, then whatever came after it meanwhile.
            let reset = resetMessage(board, key: key)
            let (admitted, old) = state.withLock { s -> (Bool?, StreamingBody?) in
                let old = s.takeOver(own, in: key)
                guard s.broadcaster.hasRoom else { s.broadcaster.statistics.refused += 1; return (false, old) }
                guard let after = s.broadcaster.replay(key, after: board.seq) else { return (nil, old) }
                s.broadcaster.statistics.resyncs += 1
                return (s.broadcaster.admit(body, as: client, tail: tail, to: key,
                                            first: [hello, reset, tail] + after.flatMap { [$0, tail] }), old)
            }
            replaced = replaced ?? old
            if let admitted { return admitted ? nil : .clients }
        }
        return .clients
    }

    /// Where a stream's channel stands as it is admitted.
    private enum Opening {
        /// Open, its clients at this board.
        case board(Board)
        /// The view has no board yet: build one.
        case build
        /// A new view, and `maxViews` views all have clients.
        case full
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
        hello.clock(version: nil, now: clock.now(), lastLine: statistics.lastLineReceivedAt, lastEvent: store.snapshot().lastEventAt)
        return Array("retry: \(settings.retryMilliseconds)\n\n".utf8) + hello.finish()
    }
}

private extension LiveUpdates.State {
    /// Removes the client `stream` of the channel `key`, if it has it, so that a reconnection
    /// takes its slot; its stream, for the caller to end once no lock is held.
    mutating func takeOver(_ stream: UInt64?, in key: LiveUpdates.ChannelKey) -> StreamingBody? {
        guard let stream, let old = broadcaster.takeOver(stream, in: key, now: WallClock.monotonicSeconds()) else { return nil }
        broadcaster.statistics.takeovers += 1
        return old
    }
}

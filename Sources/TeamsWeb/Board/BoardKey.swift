import MicroHTTP

/// What identifies a board: the page kind it is drawn for and its normalised query.
///
/// Two requests with the same filters in any order (`?team=A&team=B` and `?team=B&team=A`) have
/// equal keys, so they share one board.
struct BoardKey: Hashable, Sendable {
    var view: LiveView
    var query: WorkerQuery
}

/// A page of a board: rows `(page - 1) * per ..< page * per` of the view's order.
///
/// `?page=` counts from 1; `?per=` is at most `maxPer`. Totals, team headers and the summary
/// always cover the whole view, never only the window.
struct BoardWindow: Hashable, Sendable {
    static let defaultPer = 200
    static let maxPer = 1000

    var page: Int
    var per: Int

    init(page: Int, per: Int) {
        self.per = min(Self.maxPer, max(1, per))
        self.page = max(1, page)
    }

    /// The window a request asks for; `defaultPer` rows of page 1 when it names none, nil when
    /// it names none and `defaultPer` is nil (the whole view).
    init?(_ request: Request, defaultPer: Int?) {
        let page = request.queryValue("page").flatMap { Int($0) }
        let per = request.queryValue("per").flatMap { Int($0) }
        guard page != nil || per != nil || defaultPer != nil else { return nil }
        self.init(page: page ?? 1, per: per ?? defaultPer ?? Self.defaultPer)
    }

    /// The first row (0-based) of the window.
    var start: Int { (page - 1) * per }

    /// The rows of the window in a view of `count` rows.
    func range(in count: Int) -> Range<Int> {
        let lower = min(start, count)
        return lower..<min(count, lower + per)
    }

    /// The last page of a view of `count` rows (1 for an empty view).
    func pages(for count: Int) -> Int { max(1, (count + per - 1) / per) }

    /// `page=2&per=200`, for links and the live stream.
    var queryString: String { "page=\(page)&per=\(per)" }
}

import Foundation
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
    /// A `page` or `per` it cannot follow (see ``WorkerQuery/invalidParameters(_:for:)``) is page 1, or
    /// `defaultPer` rows (at most ``maxPer`` when more were asked for).
    init?(_ request: Request, defaultPer: Int?) {
        let page = request.queryValue("page")
        let per = request.queryValue("per")
        guard page != nil || per != nil || defaultPer != nil else { return nil }
        let asked = per.flatMap { Self.per($0) ?? (Self.number($0).map { $0 > Self.maxPer } == true ? Self.maxPer : nil) }
        self.init(page: page.flatMap(Self.page) ?? 1, per: asked ?? defaultPer ?? Self.defaultPer)
    }

    /// The page a `page=` value names (a whole number from 1); nil when it names none.
    static func page(_ text: String) -> Int? {
        number(text).flatMap { $0 >= 1 ? $0 : nil }
    }

    /// The rows a `per=` value asks for (a whole number from 1 to ``maxPer``); nil otherwise.
    static func per(_ text: String) -> Int? {
        number(text).flatMap { (1...maxPer).contains($0) ? $0 : nil }
    }

    private static func number(_ text: String) -> Int? {
        Int(text.trimmingCharacters(in: .whitespaces))
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

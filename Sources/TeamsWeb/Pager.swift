/// The page bar of a paged table (`pager.mustache`): `rows X–Y of N`, and links to the previous and next
/// pages; a page past the end (a bookmark of a list that has since shrunk) says where the rows are now and
/// links to the last page.
enum Pager {
    /// - Parameters:
    ///   - count: rows in the whole list.
    ///   - label: the bar's accessible name (the template's default: "Pages of agents").
    ///   - link: the address of a page (1-based).
    static func model(count: Int, window: BoardWindow, label: String? = nil, link: (Int) -> String) -> [String: Any] {
        let range = window.range(in: count)
        let last = window.pages(for: count)
        let text: String
        if !range.isEmpty {
            text = "rows \(range.lowerBound + 1)–\(range.upperBound) of \(count)"
        } else if count == 0 {
            text = "no rows"
        } else {
            text = "no rows on page \(window.page): the " + Formatting.plural(count, "row") + (count == 1 ? " is" : " are")
                + (last == 1 ? " on page 1" : " on pages 1–\(last)")
        }
        var model: [String: Any] = ["text": text, "page": window.page, "pages": last]
        if let label { model["label"] = label }
        if window.page > last { model["prevLabel"] = last == 1 ? "First page" : "Last page" }
        if window.page > 1 { model["prev"] = link(min(window.page - 1, last)) }
        if window.page < last { model["next"] = link(window.page + 1) }
        return model
    }
}

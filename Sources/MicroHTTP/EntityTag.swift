/// Entity-tag comparison for `If-None-Match` (RFC 9110 §13.1.2): weak comparison, so `W/"x"`
/// matches `"x"`, and `*` matches any current representation.
enum EntityTag {
    /// Whether an `If-None-Match` field value matches the response's `ETag`.
    /// A malformed list matches nothing from the point where it breaks.
    static func ifNoneMatch(_ fieldValue: String, matches etag: String) -> Bool {
        guard let current = opaqueTag(Array(etag.utf8)[...]) else { return false }
        var rest = Array(fieldValue.utf8)[...]
        while true {
            while let first = rest.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") || first == UInt8(ascii: ",") {
                rest = rest.dropFirst()
            }
            guard let first = rest.first else { return false }
            if first == UInt8(ascii: "*") { return true }
            if rest.starts(with: "W/".utf8) { rest = rest.dropFirst(2) }
            guard rest.first == UInt8(ascii: "\""),
                  let close = rest.dropFirst().firstIndex(of: UInt8(ascii: "\"")) else { return false }
            if rest[rest.startIndex...close].elementsEqual(current) { return true }
            rest = rest[(close + 1)...]
        }
    }

    /// The quoted opaque tag of an entity-tag (`W/` removed), quotes included.
    private static func opaqueTag(_ tag: ArraySlice<UInt8>) -> ArraySlice<UInt8>? {
        var tag = tag
        while tag.first == UInt8(ascii: " ") { tag = tag.dropFirst() }
        while tag.last == UInt8(ascii: " ") { tag = tag.dropLast() }
        if tag.starts(with: "W/".utf8) { tag = tag.dropFirst(2) }
        guard tag.count >= 2, tag.first == UInt8(ascii: "\""), tag.last == UInt8(ascii: "\"") else { return nil }
        return tag
    }
}

// The request-target parser (`/path?query`, absolute-form too) in front of every route. Beyond "does not
// crash": an accepted target has a path starting with `/`, one non-empty segment per non-empty raw segment,
// one query pair per non-empty `&` piece, and a target rebuilt from what was parsed parses to the same thing.
import FuzzCheck
import MicroHTTP

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRequestTarget(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let raw = Array(fuzzInput(data, size))
    guard let target = RequestTarget(raw) else { return 0 }
    invariant(target.path.utf8.first == UInt8(ascii: "/"), "path \(target.path.debugDescription) does not start with /")
    invariant(!target.segments.contains(""), "an empty segment")
    var rawTarget = raw
    if let hash = rawTarget.firstIndex(of: UInt8(ascii: "#")) { rawTarget.removeSubrange(hash...) }
    if rawTarget.first == UInt8(ascii: "/") {
        let query = rawTarget.firstIndex(of: UInt8(ascii: "?"))
        let rawPath = rawTarget[..<(query ?? rawTarget.endIndex)]
        invariant(target.segments.count == rawPath.split(separator: UInt8(ascii: "/")).count, "segment count")
        let pairs = query.map { rawTarget[($0 + 1)...].split(separator: UInt8(ascii: "&")).count } ?? 0
        invariant(target.query.count == pairs, "\(target.query.count) query pairs from \(pairs) pieces")
    }
    var rebuilt = Array("/".utf8) + Array(target.segments.map(percentEncode).joined(separator: Array("/".utf8)))
    if !target.query.isEmpty {
        rebuilt += Array("?".utf8)
        rebuilt += Array(target.query.map { percentEncode($0.name) + Array("=".utf8) + percentEncode($0.value) }.joined(separator: Array("&".utf8)))
    }
    guard let again = RequestTarget(rebuilt) else { invariant(false, "rebuilt target rejected"); return 0 }
    invariant(again.segments == target.segments, "rebuilt segments differ")
    invariant(again.query.elementsEqual(target.query) { $0 == $1 }, "rebuilt query differs")
    return 0
}

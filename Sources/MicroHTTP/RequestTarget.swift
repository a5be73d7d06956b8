import PercentEncoding

/// The request target (`/path?query`) split and percent-decoded.
///
/// Parsed from the raw target rather than libmicrohttpd's decoded URL, because libmicrohttpd
/// passes malformed escapes through unchanged and decodes `%2F` before the path is split;
/// here a bad escape or non-UTF-8 result is a 400, and `%2F` stays inside its segment.
/// `package` so the fuzz target (Fuzz/Targets/fuzz-request-target) can reach it.
package struct RequestTarget: Equatable {
    /// The whole path, decoded.
    package var path: String
    /// The non-empty path segments, each decoded on its own.
    package var segments: [String]
    package var query: [(name: String, value: String)]

    package static func == (lhs: RequestTarget, rhs: RequestTarget) -> Bool {
        lhs.path == rhs.path && lhs.segments == rhs.segments
            && lhs.query.elementsEqual(rhs.query) { $0 == $1 }
    }

    /// Nil for a target that is not origin-form or absolute-form, or that decodes badly.
    package init?(_ raw: some Collection<UInt8>) {
        var target = ArraySlice(raw)
        if let fragment = target.firstIndex(of: UInt8(ascii: "#")) {
            target = target[..<fragment]
        }
        // Absolute-form (`http://host/path`), which proxies send: keep the path part.
        if target.first != UInt8(ascii: "/") {
            guard let scheme = target.firstRange(of: Array("://".utf8)) else { return nil }
            let afterAuthority = target[scheme.upperBound...]
            target = afterAuthority.firstIndex(of: UInt8(ascii: "/")).map { afterAuthority[$0...] }
                ?? afterAuthority.firstIndex(of: UInt8(ascii: "?")).map { [UInt8(ascii: "/")] + afterAuthority[$0...] }
                ?? [UInt8(ascii: "/")]
        }
        let rawPath: ArraySlice<UInt8>
        let rawQuery: ArraySlice<UInt8>
        if let mark = target.firstIndex(of: UInt8(ascii: "?")) {
            rawPath = target[..<mark]
            rawQuery = target[(mark + 1)...]
        } else {
            rawPath = target
            rawQuery = []
        }
        guard let path = Self.decode(rawPath, plusIsSpace: false) else { return nil }
        var segments: [String] = []
        for rawSegment in rawPath.split(separator: UInt8(ascii: "/")) {
            guard let segment = Self.decode(rawSegment, plusIsSpace: false) else { return nil }
            segments.append(segment)
        }
        var query: [(name: String, value: String)] = []
        for pair in rawQuery.split(separator: UInt8(ascii: "&")) {
            let equals = pair.firstIndex(of: UInt8(ascii: "="))
            let rawName = equals.map { pair[..<$0] } ?? pair
            let rawValue = equals.map { pair[($0 + 1)...] } ?? []
            guard let name = Self.decode(rawName, plusIsSpace: true),
                  let value = Self.decode(rawValue, plusIsSpace: true) else { return nil }
            query.append((name, value))
        }
        self.path = path
        self.segments = segments
        self.query = query
    }

    /// Percent-decodes bytes into UTF-8 text; nil for a broken escape or invalid UTF-8.
    static func decode(_ bytes: some Collection<UInt8>, plusIsSpace: Bool) -> String? {
        PercentDecoding.decodeOrNil(bytes, plusIsSpace: plusIsSpace)
    }
}

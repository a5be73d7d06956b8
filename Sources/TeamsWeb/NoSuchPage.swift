import HTTPTypes
import JSONOutput
import MicroHTTP

/// The answer to a path no route serves (the router's fallback): 404 with `no page at PATH` as one line of
/// plain text, which ``ErrorPages`` makes the refusal page for a browser; under `/api/` the API's own
/// refusal, `{"error":"no such endpoint: PATH"}`, as for an unknown worker.
enum NoSuchPage {
    /// The longest path named in the answer, in characters; a longer one is cut, with `…`.
    static let longestPath = 200

    static func answer(_ request: Request) -> Response {
        let path = shown(request.path)
        if request.path.hasPrefix("/api/") {
            var writer = JSONWriter(capacity: 64 + path.utf8.count)
            writer.beginObject()
            writer.key("error")
            writer.string("no such endpoint: \(path)")
            writer.endObject()
            return jsonResponse(writer.bytes, status: .notFound)
        }
        return Response(status: .notFound, contentType: "text/plain; charset=utf-8", text: "no page at \(path)\n")
    }

    /// `path` as the answer names it: on one line (control characters become `�`), and not past `longestPath`.
    static func shown(_ path: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in path.unicodeScalars {
            scalars.append(scalar.properties.generalCategory == .control ? "\u{FFFD}" : scalar)
        }
        let line = String(scalars)
        return line.count > longestPath ? line.prefix(longestPath) + "…" : line
    }
}

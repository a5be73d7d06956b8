/// A request body that is one JSON array of events (batching webhook sinks send these) rather than NDJSON.
enum JSONArrayBody {
    /// True when the first non-blank byte is `[`: an NDJSON body starts with `{` on every line.
    static func looksLikeArray(_ buffer: UnsafeBufferPointer<UInt8>) -> Bool {
        for b in buffer {
            if b == 0x20 || b == 0x09 || b == 0x0D || b == 0x0A { continue }
            return b == 0x5B
        }
        return false
    }

    /// Feeds each element's bytes to the session as one line. A body that is not one well-formed array is
    /// read as NDJSON instead, so each of its lines is judged on its own.
    static func ingest(_ buffer: UnsafeBufferPointer<UInt8>, into session: inout IngestSession) {
        var tape = JSONTape(maxDepth: 33)  // the array itself is one level
        do throws(JSONError) {
            try tape.parse(buffer)
        } catch {
            session.feed(buffer)
            session.finishBody()
            return
        }
        tape.withRoot(buffer) { root in
            for element in root.elements {
                let t = element.token
                // Strings' recorded range excludes the quotes; put them back so the decoder sees the value.
                let start = t.kind == .string ? Int(t.start) - 1 : Int(t.start)
                let end = t.kind == .string ? Int(t.end) + 1 : Int(t.end)
                session.element(UnsafeBufferPointer(rebasing: buffer[start..<end]))
            }
        }
        session.endOfChunk()
    }
}

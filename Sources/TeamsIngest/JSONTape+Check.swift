extension JSONTape {
    /// What is inconsistent in the last parsed tape, or `nil` when it describes `bytes` exactly: every token's
    /// byte range lies inside the input and starts and ends on the right delimiters, each subtree's `next`
    /// skips exactly its descendants, counts match the children, and siblings appear in input order.
    /// For the fuzz targets and tests (O(tokens)); `bytes` must be the buffer given to ``parse(_:)``.
    package func structuralProblem(in bytes: UnsafeBufferPointer<UInt8>) -> String? {
        guard !tokens.isEmpty else { return "no tokens after a successful parse" }
        var problem: String?
        let end = check(0, bytes, after: 0, problem: &problem)
        if let problem { return problem }
        if end != tokens.count { return "root subtree ends at token \(end) of \(tokens.count)" }
        return nil
    }

    /// Checks the subtree at `index`, whose value must start at or after byte `after`; returns the index after it.
    private func check(_ index: Int, _ bytes: UnsafeBufferPointer<UInt8>, after: Int, problem: inout String?) -> Int {
        guard problem == nil else { return tokens.count }
        guard index < tokens.count else {
            problem = "token \(index) is past the tape (\(tokens.count) tokens)"
            return tokens.count
        }
        let t = tokens[index]
        let start = Int(t.start), end = Int(t.end), next = Int(t.next)
        func fail(_ what: String) -> Int {
            problem = "token \(index) (\(t.kind), bytes \(start)..<\(end)): \(what)"
            return tokens.count
        }
        guard start <= end, end <= bytes.count else { return fail("range outside the input of \(bytes.count) bytes") }
        let valueStart = t.kind == .string ? start - 1 : start
        guard valueStart >= after else { return fail("starts before the end of the previous value (\(after))") }
        switch t.kind {
        case .string:
            guard start >= 1, bytes[start - 1] == 0x22, end < bytes.count, bytes[end] == 0x22 else {
                return fail("not between quotes")
            }
            let escaped = bytes[start..<end].contains(0x5C)
            guard escaped == t.flag else { return fail("escape flag \(t.flag) but backslash present: \(escaped)") }
        case .number:
            guard end > start else { return fail("empty number") }
            let integer = !bytes[start..<end].contains { $0 == 0x2E || $0 == 0x65 || $0 == 0x45 }
            guard integer == t.flag else { return fail("integer flag \(t.flag) does not match the text") }
        case .bool:
            guard end - start == (t.flag ? 4 : 5) else { return fail("boolean of the wrong length") }
        case .null:
            guard end - start == 4 else { return fail("null of the wrong length") }
        case .object, .array:
            let (open, close): (UInt8, UInt8) = t.kind == .object ? (0x7B, 0x7D) : (0x5B, 0x5D)
            guard end - start >= 2, bytes[start] == open, bytes[end - 1] == close else {
                return fail("not between its brackets")
            }
            var cursor = index + 1
            var at = start + 1
            for _ in 0..<Int(t.count) {
                if t.kind == .object {
                    guard cursor < tokens.count, tokens[cursor].kind == .string else { return fail("member key is not a string") }
                    cursor = check(cursor, bytes, after: at, problem: &problem)
                    at = Int(tokens[cursor - 1].end) + 1
                }
                guard problem == nil else { return tokens.count }
                let child = cursor
                cursor = check(child, bytes, after: at, problem: &problem)
                guard problem == nil else { return tokens.count }
                let c = tokens[child]
                at = c.kind == .string ? Int(c.end) + 1 : Int(c.end)
            }
            guard at <= end - 1 else { return fail("children run past the closing bracket") }
            guard next == cursor else { return fail("next is \(next), children end at \(cursor)") }
            return next
        }
        guard next == index + 1 else { return fail("scalar's next is \(next)") }
        return next
    }
}

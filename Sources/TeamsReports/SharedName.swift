import Synchronization

/// A name many agents share (a queue, how a call arrived, a worker), kept once for the whole process: what
/// reports keep per agent and per event is this 4-byte number, not a string of its own (16 bytes, and a
/// heap copy of its own for names over 15 bytes, as TaskRouter's 34-character ids are).
///
/// The table only grows: it holds each distinct name once (a floor has its workers, some hundred queues and
/// a handful of ways in), which reports keep in their database anyway.
struct SharedName: Sendable, Hashable {
    let id: UInt32

    /// The empty name (no queue): number 0, without the table.
    static let empty = SharedName(id: 0)

    private init(id: UInt32) { self.id = id }

    init(_ text: String) {
        id = text.isEmpty ? 0 : Self.table.withLock { $0.id(of: text) }
    }

    var isEmpty: Bool { id == 0 }

    /// The name as given (the table's one copy).
    var text: String {
        id == 0 ? "" : Self.table.withLock { $0.names[$0.index(id)] }
    }

    private struct Table {
        var ids: [String: UInt32] = [:]
        var names: [String] = []

        func index(_ id: UInt32) -> Int { Int(id) - 1 }

        mutating func id(of text: String) -> UInt32 {
            if let id = ids[text] { return id }
            names.append(text)
            let id = UInt32(names.count)
            ids[text] = id
            return id
        }
    }

    private static let table = Mutex(Table())
}

extension SharedName: Codable {
    /// As the string, so what is stored does not depend on this process's numbering.
    init(from decoder: any Decoder) throws {
        self.init(try decoder.singleValueContainer().decode(String.self))
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }
}

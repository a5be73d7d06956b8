/// One copy of each distinct value of a kind the registry holds many equal ones of, so workers keep a reference
/// to a shared heap block rather than a block each: skill lists (agents of a team mostly share one,
/// `["billing", "spanish"]`: 64 bytes and more a worker) and capacity maps (`voice: 2, chat: 2`: 80 bytes a
/// worker).
///
/// Bounded: past ``limit`` distinct values the table starts over (values already handed out stay valid; only
/// sharing restarts), so a feed of ever-new values cannot grow it without end.
struct SharedValues<Value: Hashable & Sendable>: Sendable {
    static var limit: Int { 1024 }
    private var values: Set<Value> = []

    /// Distinct values held.
    var count: Int { values.count }

    /// `value`, or an equal value already held.
    mutating func shared(_ value: Value) -> Value {
        if let held = values.firstIndex(of: value) { return values[held] }
        if values.count >= Self.limit { values = [] }
        values.insert(value)
        return value
    }
}

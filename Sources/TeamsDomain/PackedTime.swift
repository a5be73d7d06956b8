/// An optional time stored in 8 bytes: a `Timestamp?` takes 16 in a struct (8 and a flag, padded), and every
/// call of the registry holds four (`CallState.offeredAt`, `holdSince`, `liveSince`, `wrapupSince`).
///
/// nil is stored as `Int64.max` microseconds, later than any time an event can carry (RFC 3339 ends at year
/// 9999, about 2.5e17 µs).
@propertyWrapper
public struct PackedTime: Sendable, Hashable {
    private var micros: Int64

    private static let none = Int64.max

    public init(wrappedValue: Timestamp?) {
        micros = wrappedValue?.microseconds ?? Self.none
    }

    public var wrappedValue: Timestamp? {
        get { micros == Self.none ? nil : Timestamp(microseconds: micros) }
        set { micros = newValue?.microseconds ?? Self.none }
    }
}

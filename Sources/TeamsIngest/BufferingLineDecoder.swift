import TeamsDomain

/// A decoder that holds events back for a while (to put an unordered feed in order) and lets them
/// go as time passes. Sources call `tick` when input is quiet and `flush` when it ends.
public protocol BufferingLineDecoder: LineDecoder {
    /// Appends the held events that are due at `now` (the server's clock).
    mutating func tick(now: Timestamp, into events: inout [Event])
    /// Appends every held event.
    mutating func flush(into events: inout [Event])
}

extension TwilioDecoder: BufferingLineDecoder {}

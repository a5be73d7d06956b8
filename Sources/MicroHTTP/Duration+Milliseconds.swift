extension Duration {
    /// In milliseconds, to the microsecond: a figure for a log line.
    var milliseconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds * 1_000_000 + attoseconds / 1_000_000_000_000) / 1000
    }
}

extension Duration {
    /// In milliseconds, to the microsecond: a figure for a log line.
    var milliseconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds * 1_000_000 + attoseconds / 1_000_000_000_000) / 1000
    }

    /// Whole nanoseconds, rounded down (saturating far past any request's length): a request-duration bucket's unit.
    var wholeNanoseconds: Int {
        let (seconds, attoseconds) = components
        let (product, overflow) = Int(seconds).multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? (seconds < 0 ? .min : .max) : product + Int(attoseconds / 1_000_000_000)
    }
}

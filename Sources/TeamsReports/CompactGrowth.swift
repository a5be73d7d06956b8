extension Array {
    /// Makes room for one more element, growing by a quarter (at least one) instead of doubling.
    ///
    /// For the arrays the reports keep per agent (figure rows, the event log): a few elements each, kept
    /// for hours, and on a 20,000-agent floor doubling left about a third of them unused (an agent's three
    /// 136-byte rows took a four-row block). Growth stays geometric, so appending stays O(1) amortised.
    mutating func reserveOneMore() {
        if count == capacity { reserveCapacity(count + count / 4 + 1) }
    }
}

/// Stops the fuzzer with a message when an invariant does not hold; libFuzzer then saves the input as a crash.
///
/// `fatalError` rather than `precondition`: optimised builds drop a precondition's message, and the message
/// is what says which invariant broke.
public func invariant(_ holds: Bool, _ message: @autoclosure () -> String,
                      file: StaticString = #fileID, line: UInt = #line) {
    if !holds { fatalError("invariant broken: \(message())", file: file, line: line) }
}

/// The fuzzer's input as a buffer (libFuzzer passes a pointer and a length; the pointer may be null when empty).
public func fuzzInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> UnsafeBufferPointer<UInt8> {
    UnsafeBufferPointer(start: size > 0 ? data : nil, count: size)
}

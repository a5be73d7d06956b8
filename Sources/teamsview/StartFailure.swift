/// Why `serve` cannot start, in words for the operator: printed as `Error: …` (with no usage text, unlike a
/// mistyped option) and the process exits with status 1.
struct StartFailure: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}

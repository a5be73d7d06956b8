/// Why a command cannot do what it was asked (`serve` cannot start, `users add` would overwrite a user), in words
/// for the operator: printed as `Error: …` (with no usage text, unlike a mistyped option) and the process exits
/// with status 1.
struct CommandFailure: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}

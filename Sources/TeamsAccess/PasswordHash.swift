import HummingbirdBcrypt

/// Password hashing with bcrypt (hummingbird-auth's `HummingbirdBcrypt`): `$2b$` strings carrying cost and salt.
public enum PasswordHash {
    /// The cost (log2 of rounds) new hashes use unless told otherwise.
    public static let defaultCost: UInt8 = 12

    /// A new bcrypt hash of `password` with a random salt. `cost` is clamped to 4...31.
    /// Only the first 72 bytes of a password count (bcrypt's limit).
    public static func hash(_ password: String, cost: UInt8 = defaultCost) -> String {
        Bcrypt.hash(password, cost: min(31, max(4, cost)))
    }

    /// Whether `password` matches `hash`; false for anything that is not a bcrypt hash.
    public static func verify(_ password: String, hash: String) -> Bool {
        guard hash.hasPrefix("$2") else { return false }
        return Bcrypt.verify(password, hash: hash)
    }
}

import Foundation
import Synchronization

/// A display (kiosk) or API token as kept on disk: its SHA-256 digest, never the token itself.
public struct AccessToken: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// A wall display: the kiosk and its live stream, read-only, by cookie after `/kiosk?token=`.
        case kiosk
        /// A program: `GET /api/*` and `/metrics` with `Authorization: Bearer`.
        case api
    }

    /// Short public name used to list and revoke (8 hex digits).
    public var id: String
    public var kind: Kind
    public var label: String
    public var teams: TeamScope
    /// SHA-256 of the token, lowercase hex (see ``SecretToken/digest(_:)``).
    public var digest: String
    /// RFC 3339 time of creation, UTC.
    public var created: String
}

/// The tokens file in the data directory (`access-tokens.json`, mode 0600): `{"version": 1, "tokens": [...]}`.
/// Changed by `teamsview tokens create|revoke`; a revoked token is removed from it.
public struct AccessTokenFile: Sendable {
    public static let fileName = "access-tokens.json"
    public private(set) var tokens: [AccessToken]

    struct Shape: Codable {
        var version: Int
        var tokens: [AccessToken]
    }

    public init(tokens: [AccessToken] = []) { self.tokens = tokens }

    /// Reads the file; a missing file holds no tokens.
    public static func load(path: String) throws -> AccessTokenFile {
        guard FileManager.default.fileExists(atPath: path) else { return AccessTokenFile() }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CocoaError(.fileReadNoPermission, userInfo: [NSFilePathErrorKey: path])
        }
        let shape = try JSONDecoder().decode(Shape.self, from: data)
        guard shape.version == 1 else {
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSFilePathErrorKey: path, NSLocalizedDescriptionKey: "unknown version"])
        }
        return AccessTokenFile(tokens: shape.tokens)
    }

    public func save(path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try encoder.encode(Shape(version: 1, tokens: tokens)), to: path)
    }

    /// Adds a new token and returns it with its secret (shown once; only the digest is kept).
    public mutating func create(kind: AccessToken.Kind, label: String, teams: TeamScope, now: Date = Date())
        -> (token: AccessToken, secret: String) {
        let secret = SecretToken.random()
        var id: String
        repeat { id = String(SecretToken.digest(SecretToken.random()).prefix(8)) } while tokens.contains { $0.id == id }
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        let token = AccessToken(id: id, kind: kind, label: label, teams: teams, digest: SecretToken.digest(secret),
                                created: formatter.string(from: now))
        tokens.append(token)
        return (token, secret)
    }

    /// Removes a token by id; returns it, nil when there is none.
    public mutating func revoke(id: String) -> AccessToken? {
        guard let index = tokens.firstIndex(where: { $0.id == id }) else { return nil }
        return tokens.remove(at: index)
    }
}

/// The running server's view of the tokens file: reread when the file changes (checked at most once per
/// `checkInterval` seconds, on a request) and on ``reload()`` (SIGHUP). A file that cannot be read keeps
/// the tokens last read and is reported through `onError`.
public final class AccessTokenRegistry: Sendable {
    public let path: String?
    let checkInterval: Double
    struct State {
        var byDigest: [String: AccessToken] = [:]
        var modified: Date?
        var size: Int = -1
        var checkedAt: Double = -.infinity
    }
    private let state = Mutex(State())
    let onError: @Sendable (String) -> Void

    /// `path` nil: no tokens at all (reports in memory and no data directory).
    public init(path: String?, checkInterval: Double = 1, onError: @escaping @Sendable (String) -> Void = { _ in }) {
        self.path = path
        self.checkInterval = checkInterval
        self.onError = onError
        reload()
    }

    /// Rereads the file now.
    public func reload() {
        guard let path else { return }
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        let modified = attributes?[.modificationDate] as? Date
        let size = (attributes?[.size] as? NSNumber)?.intValue ?? -1
        do {
            let file = try AccessTokenFile.load(path: path)
            let table = Dictionary(file.tokens.map { ($0.digest, $0) }, uniquingKeysWith: { a, _ in a })
            state.withLock { $0.byDigest = table; $0.modified = modified; $0.size = size }
        } catch {
            state.withLock { $0.modified = modified; $0.size = size }
            onError("cannot read \(path): \(error)")
        }
    }

    /// The token of a secret, nil when unknown or revoked. Rereads the file first if it changed.
    public func token(secret: String, now: Double) -> AccessToken? {
        refreshIfChanged(now: now)
        let digest = SecretToken.digest(secret)
        return state.withLock { $0.byDigest[digest] }
    }

    /// Number of tokens known.
    public var count: Int { state.withLock { $0.byDigest.count } }

    func refreshIfChanged(now: Double) {
        guard let path else { return }
        let due = state.withLock { s -> Bool in
            guard now - s.checkedAt >= checkInterval else { return false }
            s.checkedAt = now
            return true
        }
        guard due else { return }
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        let modified = attributes?[.modificationDate] as? Date
        let size = (attributes?[.size] as? NSNumber)?.intValue ?? -1
        let changed = state.withLock { $0.modified != modified || $0.size != size }
        if changed { reload() }
    }
}

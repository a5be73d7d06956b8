import Foundation

/// One supervisor who may sign in: name, bcrypt hash of the password, and the teams they see.
public struct User: Sendable, Codable, Equatable {
    public var name: String
    /// `$2b$...` (see ``PasswordHash``); nil for a user who signs in only through the reverse proxy.
    public var passwordHash: String?
    public var teams: TeamScope

    public init(name: String, passwordHash: String?, teams: TeamScope) {
        self.name = name
        self.passwordHash = passwordHash
        self.teams = teams
    }
}

/// The users file (`--users FILE`): a JSON object `{"version": 1, "users": [{"name", "passwordHash", "teams"}]}`,
/// `teams` being `*` or comma-separated team names. Written by `teamsview users add`, mode 0600, replaced
/// atomically (write to a temporary file, then rename).
public struct UserDirectory: Sendable {
    public private(set) var users: [String: User]

    public init(_ users: [User] = []) {
        self.users = Dictionary(users.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
    }

    struct FileShape: Codable {
        var version: Int
        var users: [User]
    }

    public enum LoadError: Error, CustomStringConvertible {
        case unreadable(String)
        case malformed(String, String)

        public var description: String {
            switch self {
            case .unreadable(let path): return "cannot read the users file \(path)"
            case .malformed(let path, let why): return "the users file \(path) is not valid: \(why)"
            }
        }
    }

    /// Reads a users file. A missing file is an empty directory only when `missingIsEmpty`.
    public static func load(path: String, missingIsEmpty: Bool = false) throws(LoadError) -> UserDirectory {
        guard let data = FileManager.default.contents(atPath: path) else {
            if missingIsEmpty && !FileManager.default.fileExists(atPath: path) { return UserDirectory() }
            throw .unreadable(path)
        }
        do {
            let shape = try JSONDecoder().decode(FileShape.self, from: data)
            guard shape.version == 1 else { throw LoadError.malformed(path, "unknown version \(shape.version)") }
            for user in shape.users where user.name.isEmpty || user.name.count > 100 {
                throw LoadError.malformed(path, "a user name must be 1 to 100 characters")
            }
            return UserDirectory(shape.users)
        } catch let error as LoadError {
            throw error
        } catch {
            throw .malformed(path, "\(error)")
        }
    }

    /// Adds or replaces a user.
    public mutating func put(_ user: User) { users[user.name] = user }

    /// Removes a user; false when there was none of that name.
    @discardableResult
    public mutating func remove(_ name: String) -> Bool { users.removeValue(forKey: name) != nil }

    /// Writes the file (mode 0600) through a temporary file and a rename, so a reader never sees half of it.
    public func save(path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try encoder.encode(FileShape(version: 1, users: users.values.sorted { $0.name < $1.name }))
        try AtomicFile.write(data, to: path)
    }

    public func user(named name: String) -> User? { users[name] }
}

/// Whole-file replacement: a temporary file beside the target, mode 0600, fsync, then rename.
enum AtomicFile {
    static func write(_ data: Data, to path: String) throws {
        let temporary = path + ".tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: temporary]) }
        var ok = true
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Foundation.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n <= 0 { ok = false; return }
                offset += n
            }
        }
        if fsync(fd) != 0 { ok = false }
        close(fd)
        guard ok, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
    }
}

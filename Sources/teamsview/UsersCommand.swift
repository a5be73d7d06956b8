import ArgumentParser
import Foundation
import TeamsAccess

/// `teamsview users add|remove|list`: the users file of `serve --users`.
struct UsersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "users", abstract: "Add, remove and list the supervisors who sign in (the file of serve --users).",
        subcommands: [Add.self, Remove.self, List.self])

    struct FileOption: ParsableArguments {
        @Option(help: ArgumentHelp("The users file (created when missing, mode 0600).", valueName: "path"))
        var users: String
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a user (with --replace, change an existing user's password and teams). The password comes from --password-file, else a prompt on a terminal, else the first line of standard input.")

        @Argument(help: "The name they sign in with.")
        var name: String

        @Option(help: ArgumentHelp("Teams they see: comma-separated team names as the events name them, or * for every team.", valueName: "teams"))
        var teams: String

        @Option(help: ArgumentHelp("A file holding the password (its first line).", valueName: "path"))
        var passwordFile: String?

        @Option(help: "bcrypt cost (log2 of rounds, 4...31).")
        var cost = Int(PasswordHash.defaultCost)

        @Flag(help: "Replace the user if the file already has one of that name (new password and teams).")
        var replace = false

        @OptionGroup var file: FileOption

        func validate() throws {
            guard !name.isEmpty, name.count <= 100, !name.contains(where: { $0.isNewline }) else {
                throw ValidationError("a name is 1 to 100 characters on one line")
            }
            guard TeamScope(parsing: teams) != nil else { throw ValidationError("--teams needs * or at least one team name") }
            let parts = teams.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            guard !(parts.contains("*") && parts.count > 1) else {
                throw ValidationError("--teams takes * (every team) or team names, not both")
            }
            guard (4...31).contains(cost) else { throw ValidationError("--cost must be 4...31") }
        }

        func run() throws {
            var directory = try load()
            // Before asking for a password: a typo must not overwrite someone else's sign-in.
            let existing = directory.user(named: name)
            // Names are matched exactly at sign-in: `Alice` beside `alice` is two people to the server, one to a person.
            if existing == nil, let other = directory.users.values.first(where: { $0.name.caseInsensitiveCompare(name) == .orderedSame }) {
                throw CommandFailure("\(name) differs from \(other.name), already in \(file.users), only in case; nothing changed. "
                                     + "Use \(other.name) (with --replace to change it), or another name")
            }
            if let existing, !replace {
                throw CommandFailure("\(name) is already in \(file.users) (teams: \(existing.teams.text)); nothing changed. "
                                     + "Add --replace to give them a new password and teams")
            }
            let password = try readPassword()
            guard password.count >= 8 else { throw CommandFailure("the password must have at least 8 characters; nothing changed") }
            directory.put(User(name: name, passwordHash: PasswordHash.hash(password, cost: UInt8(cost)),
                               teams: TeamScope(parsing: teams)!))
            try directory.save(path: file.users)
            let done = existing == nil ? "can sign in" : "replaced: new password"
            print("\(name) \(done); teams: \(TeamScope(parsing: teams)!.text). A running server reads the change on SIGHUP.")
        }

        func readPassword() throws -> String {
            if let passwordFile {
                guard let data = FileManager.default.contents(atPath: passwordFile) else {
                    throw CommandFailure("cannot read --password-file \(passwordFile)")
                }
                return String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
            }
            if isatty(STDIN_FILENO) != 0, let entered = getpass("Password for \(name): ") {
                return String(cString: entered)
            }
            return readLine(strippingNewline: true) ?? ""
        }

        func load() throws -> UserDirectory {
            do { return try UserDirectory.load(path: file.users, missingIsEmpty: true) } catch { throw CommandFailure("\(error)") }
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a user.")
        @Argument var name: String
        @OptionGroup var file: FileOption

        func run() throws {
            var directory: UserDirectory
            do { directory = try UserDirectory.load(path: file.users) } catch { throw CommandFailure("\(error)") }
            guard directory.remove(name) else { throw CommandFailure("no user \(name) in \(file.users); nothing changed") }
            try directory.save(path: file.users)
            print("\(name) removed. A running server reads the change on SIGHUP; their open sessions end at expiry.")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List users and their teams.")
        @OptionGroup var file: FileOption

        func run() throws {
            let directory: UserDirectory
            do { directory = try UserDirectory.load(path: file.users) } catch { throw CommandFailure("\(error)") }
            for user in directory.users.values.sorted(by: { $0.name < $1.name }) {
                print("\(user.name)\tteams: \(user.teams.text)\(user.passwordHash == nil ? "\t(proxy sign-in only)" : "")")
            }
        }
    }
}

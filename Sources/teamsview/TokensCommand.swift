import ArgumentParser
import Foundation
import TeamsAccess

/// `teamsview tokens create|list|revoke`: kiosk display tokens and API tokens, in the data directory.
struct TokensCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokens",
        abstract: "Create, list and revoke kiosk display tokens and API tokens (kept in the data directory; a running server sees changes within a second).",
        subcommands: [Create.self, List.self, Revoke.self])

    struct Place: ParsableArguments {
        @Option(help: ArgumentHelp("The server's data directory (default: $STATE_DIRECTORY when set, else ./teamsview-data).",
                                   valueName: "path"))
        var dataDir: String?

        var directory: String { ReportOptions.directory(dataDir) }
        var path: String { directory + "/" + AccessTokenFile.fileName }

        func load() throws -> AccessTokenFile {
            do { return try AccessTokenFile.load(path: path) } catch { throw ValidationError("cannot read \(path): \(error)") }
        }

        var audit: AuditLog { AuditLog(path: directory + "/" + AuditLog.fileName) }
    }

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a token and print it once (only its SHA-256 digest is kept).")

        @Option(help: "kiosk: a wall display, read-only, opened once as /kiosk?token=...; api: Authorization: Bearer for GET /api/* (and /metrics with --teams '*').")
        var kind: AccessToken.Kind

        @Option(help: ArgumentHelp("Teams it shows: comma-separated team names, or * for every team.", valueName: "teams"))
        var teams: String

        @Option(help: "A label for listings (where the screen hangs, what program uses it).")
        var label = ""

        @OptionGroup var place: Place

        func validate() throws {
            guard TeamScope(parsing: teams) != nil else { throw ValidationError("--teams needs * or at least one team name") }
            guard label.count <= 200, !label.contains(where: \.isNewline) else { throw ValidationError("--label is one line of at most 200 characters") }
        }

        func run() throws {
            try FileManager.default.createDirectory(atPath: place.directory, withIntermediateDirectories: true)
            var file = try place.load()
            let (token, secret) = file.create(kind: kind, label: label, teams: TeamScope(parsing: teams)!)
            try file.save(path: place.path)
            place.audit.record("token.created", user: nil, address: nil,
                               detail: "\(token.kind.rawValue) token \(token.id) teams \(token.teams.text) \(token.label)")
            print("id\t\(token.id)")
            print("token\t\(secret)")
            if kind == .kiosk { print("open once on the display: /kiosk?token=\(secret)") }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tokens (never their secrets).")
        @OptionGroup var place: Place

        func run() throws {
            for t in try place.load().tokens {
                print("\(t.id)\t\(t.kind.rawValue)\tteams: \(t.teams.text)\tcreated \(t.created)\t\(t.label)")
            }
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token by id: its displays and programs are refused at once.")
        @Argument var id: String
        @OptionGroup var place: Place

        func run() throws {
            var file = try place.load()
            guard let token = file.revoke(id: id) else { throw ValidationError("no token \(id) in \(place.path)") }
            try file.save(path: place.path)
            place.audit.record("token.revoked", user: nil, address: nil, detail: "\(token.kind.rawValue) token \(token.id) \(token.label)")
            print("revoked \(token.id)")
        }
    }
}

extension AccessToken.Kind: ExpressibleByArgument {}

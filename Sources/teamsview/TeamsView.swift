import ArgumentParser
import TeamsWeb

@main
struct TeamsView: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "teamsview",
        abstract: "Live Teams View of a contact centre: every call each agent holds, from an NDJSON event stream.",
        version: ServerVersion.text,
        subcommands: [Serve.self, Simulate.self, UsersCommand.self, TokensCommand.self],
        defaultSubcommand: Serve.self
    )
}

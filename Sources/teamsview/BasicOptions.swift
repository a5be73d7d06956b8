import ArgumentParser
import Logging

/// The `serve` options most runs need: where to listen, where events come from, the title and the log's level and format.
/// Listed first by `serve --help`.
struct BasicOptions: ParsableArguments {
    @Option(help: "Address to listen on (use 0.0.0.0 to serve the network).")
    var host = "127.0.0.1"

    // Unconditional: `--port -1` is a port out of range (said so), not an unknown option `-1`.
    @Option(parsing: .unconditional, help: "TCP port to listen on, 0 to 65535 (0 picks a free one and logs it).")
    var port = 8080

    @Option(name: .customLong("events"), help: ArgumentHelp(
        "An NDJSON event file to read, or - for standard input. Repeat for several sources. The file must exist, unless --follow.", valueName: "path"))
    var events: [String] = []

    @Flag(help: "Keep reading event files as they grow, like tail -F (survives truncation and rotation); a file that does not exist yet is waited for (logged, and shown on /status).")
    var follow = false

    @Flag(help: "Feed a built-in simulated contact centre (4 teams, live calls, transfers, holds, misroutes); it starts fresh each time and keeps nothing on disk.")
    var demo = false

    @Option(help: "Agents in the simulated contact centre (with --demo).")
    var demoAgents = 40

    @Option(help: "Call rate multiplier of the simulated contact centre (with --demo).")
    var demoRate = 1.0

    @Option(help: "Title shown on the pages.")
    var title = "Teams View"

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel = "info"

    @Option(help: "Log line format: text (for people), logfmt or json (one object per line, for journald and log shippers).")
    var logFormat: LogFormat = .text

    @Flag(help: "Log one line per HTTP request (label teamsview.access): method, path (token values redacted), status, bytes, milliseconds, peer address. A live stream is logged when it ends.")
    var accessLog = false

    func validate() throws {
        guard (0...65_535).contains(port) else {
            throw ValidationError("--port takes a whole number from 0 to 65535 (0 picks a free port); got \(port)")
        }
        guard demoAgents >= 1, demoAgents <= 100_000 else { throw ValidationError("--demo-agents must be 1...100000") }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("unknown --log-level \(logLevel)") }
        if events.filter({ $0 == "-" }).count > 1 { throw ValidationError("standard input (-) can be read only once") }
    }
}

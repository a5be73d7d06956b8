import ArgumentParser
import Foundation
import Logging
import TeamsReports

/// The `serve` options of reports: where the database lives, how long figures are kept, the time zone.
struct ReportOptions: ParsableArguments {
    @Flag(inversion: .prefixedNo, help: "Keep interval statistics, agent timelines and incidents (pages /report, /incidents).")
    var reports = true

    @Option(help: ArgumentHelp("Directory of the write-ahead log and the reports database (default: $STATE_DIRECTORY when set, else ./teamsview-data).",
                               valueName: "path"))
    var dataDir: String?

    @Flag(help: "Keep no write-ahead log and reports in memory only: nothing survives a restart.")
    var inMemory = false

    @Option(help: "Days figures, timelines and incidents are kept.")
    var retentionDays = 90

    @Option(help: ArgumentHelp("Seconds an event may arrive late and still correct figures already written (60...604800); each agent's events of up to twice this are kept in memory.", valueName: "seconds"))
    var lateWindow = 3600

    @Option(help: ArgumentHelp("IANA time zone of report days and intervals (default: the machine's).", valueName: "zone"))
    var timeZone: String?

    func validate() throws {
        guard (1...3650).contains(retentionDays) else { throw ValidationError("--retention-days must be 1...3650") }
        guard (60...604_800).contains(lateWindow) else { throw ValidationError("--late-window must be 60...604800 seconds") }
        if let timeZone, ReportZone(identifier: timeZone) == nil {
            throw ValidationError("--time-zone \(timeZone) is not an IANA time zone name (e.g. Europe/Paris)")
        }
        if inMemory && dataDir != nil { throw ValidationError("--in-memory and --data-dir exclude each other") }
    }

    /// The directory used, `nil` in memory.
    var directory: String? {
        if inMemory { return nil }
        return Self.directory(dataDir)
    }

    /// `--data-dir` when given, else $STATE_DIRECTORY, else ./teamsview-data (shared with the `tokens` command).
    static func directory(_ dataDir: String?) -> String {
        if let dataDir { return dataDir }
        if let state = ProcessInfo.processInfo.environment["STATE_DIRECTORY"], !state.isEmpty {
            // systemd may list several directories separated by colons: the first is ours.
            return String(state.split(separator: ":").first ?? Substring(state))
        }
        return "./teamsview-data"
    }

    /// Opens the reports database and its writer, or `nil` with `--no-reports`.
    func open(grace: Double, logger: Logger) throws -> ReportWriter? {
        guard reports else {
            logger.info("reports are off (--no-reports)")
            return nil
        }
        let zone = timeZone.flatMap(ReportZone.init(identifier:)) ?? .machine
        let database = try ReportDatabase(directory: directory)
        let writer = try ReportWriter(database: database, zone: zone,
                                      settings: .init(grace: grace, retentionDays: retentionDays, lateWindow: Double(lateWindow)),
                                      logger: Logger(label: "teamsview.reports"))
        if let path = database.path {
            logger.info("reports database \(path), time zone \(zone.identifier), kept \(retentionDays) days")
        } else {
            logger.notice("reports are kept in memory only (--in-memory): they will not survive a restart")
        }
        writer.start()
        return writer
    }
}

/// How the pages present the registry: thresholds, grace, privacy.
public struct ViewSettings: Sendable {
    /// Seconds two live calls (or an unmuted held call) may last before the wrong-call-risk flag.
    public var grace: Double
    /// Show only the last four digits of callers' numbers, in pages and API alike.
    public var maskCallers: Bool
    /// Seconds on a call before its timer turns to warning / alert.
    public var callWarn: Double, callAlert: Double
    /// Seconds on hold before its timer turns to warning / alert.
    public var holdWarn: Double, holdAlert: Double
    /// Seconds in a not-available activity (break, lunch...) before warning / alert.
    public var activityWarn: Double, activityAlert: Double
    /// Seconds of feed silence after which the pages show the stale-feed banner.
    public var staleAfter: Double
    /// The title shown on the pages.
    public var title: String
    /// Seconds a cleared flag stays visible, marked "just cleared" (`--flag-linger`).
    public var flagLinger: Double
    /// The activity that means logged out (`--offline-activity`): presence `offline`, not `away`.
    public var offlineActivity: String
    /// Sign-in is on: the pages' navigation offers "Sign out".
    public var signOutLink = false
    /// Reports are on: the pages' navigation offers Reports and Incidents.
    public var reportLinks = false
    /// Event files read with `--follow`: `/status` and `/api/status` name those that do not exist (yet).
    public var followedFiles: [String] = []

    public init(grace: Double = 3, maskCallers: Bool = false,
                callWarn: Double = 600, callAlert: Double = 1200,
                holdWarn: Double = 60, holdAlert: Double = 180,
                activityWarn: Double = 900, activityAlert: Double = 1800,
                staleAfter: Double = 30, title: String = "Teams View", flagLinger: Double = 60,
                offlineActivity: String = "Offline") {
        self.offlineActivity = offlineActivity
        self.flagLinger = flagLinger
        self.grace = grace
        self.maskCallers = maskCallers
        self.callWarn = callWarn
        self.callAlert = callAlert
        self.holdWarn = holdWarn
        self.holdAlert = holdAlert
        self.activityWarn = activityWarn
        self.activityAlert = activityAlert
        self.staleAfter = staleAfter
        self.title = title
    }
}

import TeamsDomain

/// One event as reports keep it: what the figures need of a domain `Event`, nothing of the caller.
///
/// Profiles, capacity and non-voice tasks are not in reports' event log; `transferOut` is made by
/// the reports themselves when a call that an agent had starts at another agent `via: transfer`.
public struct ReportEvent: Sendable, Hashable, Codable {
    public enum Kind: UInt8, Sendable, Hashable, Codable {
        case activity = 1, callStart, hold, resume, mute, unmute, wrapup, end, remove, transferOut, offer, miss
    }

    /// Microseconds since the Unix epoch.
    public var at: Int64
    public var kind: Kind
    /// The call id, or the activity's name.
    public var ref: String
    /// `callStart`/`offer`/`transferOut`: the call's queue (empty when none).
    public var queue: String
    /// `callStart`: how the call arrived (`queue`, `transfer`, `outbound`, `direct`).
    public var via: String

    public init(at: Int64, kind: Kind, ref: String = "", queue: String = "", via: String = "") {
        self.at = at
        self.kind = kind
        self.ref = ref
        self.queue = queue
        self.via = via
    }

    /// The report event of a domain event, with its worker; `nil` for events reports do not use.
    static func from(_ event: Event) -> (WorkerID, ReportEvent)? {
        let at = event.at.microseconds
        switch event.kind {
        case .activity(let w, let name, _):
            return (w, ReportEvent(at: at, kind: .activity, ref: name))
        case .callStart(let w, let start):
            return (w, ReportEvent(at: at, kind: .callStart, ref: start.call, queue: start.queue ?? "",
                                   via: start.via.rawValue))
        case .call(let w, let call, let change):
            let kind: Kind
            switch change {
            case .hold: kind = .hold
            case .resume: kind = .resume
            case .mute: kind = .mute
            case .unmute: kind = .unmute
            case .wrapup: kind = .wrapup
            case .end: kind = .end
            case .miss: kind = .miss
            }
            return (w, ReportEvent(at: at, kind: kind, ref: call))
        case .callOffer(let w, let offer):
            return (w, ReportEvent(at: at, kind: .offer, ref: offer.call, queue: offer.queue ?? "", via: offer.via.rawValue))
        case .workerRemove(let w):
            return (w, ReportEvent(at: at, kind: .remove))
        case .worker, .capacity, .channelAvailability, .taskStart, .taskEnd, .heartbeat:
            return nil
        }
    }
}

/// A `ReportEvent` as an agent's log keeps it in memory: its queue as a shared name and its way in as one
/// byte, so 32 bytes an event (a log holds every event of the last hour or two of each agent).
struct LoggedEvent: Sendable, Hashable {
    var at: Int64
    /// The call id, or the activity's name.
    var ref: String
    var queue: SharedName
    /// `CallVia`'s case index plus one; 0 for none (any text that is no `CallVia`, which reports never write).
    private var viaCode: UInt8
    var kind: ReportEvent.Kind

    init(_ e: ReportEvent) {
        at = e.at
        ref = e.ref
        queue = SharedName(e.queue)
        viaCode = CallVia(rawValue: e.via).flatMap { v in Self.viaCases.firstIndex(of: v).map { UInt8($0 + 1) } } ?? 0
        kind = e.kind
    }

    /// How the call arrived (`callStart`, `offer`), as a shared name.
    var via: SharedName { Self.viaNames[Int(viaCode)] }

    /// `CallVia.allCases` made once (the property builds a new array at each read), and `viaCode` → shared name.
    private static let viaCases = CallVia.allCases
    private static let viaNames: [SharedName] = [.empty] + viaCases.map { SharedName($0.rawValue) }
}

extension SharedName {
    /// `via` of a call that came from a queue, and of one transferred in.
    static let viaQueue = SharedName(CallVia.queue.rawValue)
    static let viaTransfer = SharedName(CallVia.transfer.rawValue)
}

import TeamsDomain

/// What a restricted credential may send: native v1 lines of a few call changes, nothing else.
///
/// Agents' browsers hold the companion Flex plugin's client token, so anyone at a desk can read it. With it they
/// may report hold, resume, mute and unmute of a call (``CallChange``), never start or end calls, change
/// activities, profiles or workers, or send Twilio's formats. A line passes when it is one JSON object in the
/// native format (no `specversion`, `EventType` or `StatusCallbackEvent` member that would make the Twilio
/// decoder read it as Twilio's) that decodes to a `call.*` event of an allowed change. Everything else is
/// refused with category ``IngestReject/Category/notPermitted`` (or the native decoder's own reason when the
/// line is not a valid native event at all).
///
/// Holds a reusable parse tape: one permit per session, used by one thread at a time.
public struct NativeLinePermit {
    /// The call changes allowed.
    public let allowed: Set<CallChange>
    let limits: NativeLimits
    var tape = JSONTape()

    /// The plugin's set: `call.hold`, `call.resume`, `call.mute`, `call.unmute`.
    public static let agentCallControls: Set<CallChange> = [.hold, .resume, .mute, .unmute]

    public init(allowed: Set<CallChange> = NativeLinePermit.agentCallControls, limits: NativeLimits = NativeLimits()) {
        self.allowed = allowed
        self.limits = limits
    }

    /// The allowed native types, for reasons and documentation (`call.hold, call.mute, ...`).
    public var allowedTypes: String {
        CallChange.allCases.filter(allowed.contains).map { "call.\($0.rawValue)" }.joined(separator: ", ")
    }

    /// Nil when the line may go to the decoder; otherwise why not.
    public mutating func check(_ line: UnsafeBufferPointer<UInt8>) -> IngestReject? {
        do throws(JSONError) {
            try tape.parse(line)
        } catch {
            return NativeDecoder.reject(error, line)
        }
        let limits = self.limits, allowed = self.allowed, types = allowedTypes
        do throws(IngestReject) {
            try tape.withRoot(line) { (root) throws(IngestReject) in
                guard root.kind == .object, TwilioDecoder.format(of: root) == .native else {
                    throw IngestReject(.notPermitted, "this token may send only native \(types) lines")
                }
                var reader = NativeEventReader(root: root, limits: limits)
                let event = try reader.event()
                guard case .call(_, _, let change) = event.kind, allowed.contains(change) else {
                    throw IngestReject(.notPermitted, "this token may send only native \(types) lines")
                }
            }
            return nil
        } catch {
            return error
        }
    }

    /// Why a form body (a Twilio callback) is refused under this permit.
    public var formRefusal: IngestReject {
        IngestReject(.notPermitted, "this token may send only native \(allowedTypes) lines, not forms")
    }
}

import TeamsDomain

/// The fields of native v1 events, recognised from key bytes without building strings.
enum NativeField: Int, CaseIterable {
    case type, at, worker, name, team, skills, capacity, activity, available, call, from, queue, direction, via,
        task, channel

    var key: StaticString {
        switch self {
        case .type: return "type"
        case .at: return "at"
        case .worker: return "worker"
        case .name: return "name"
        case .team: return "team"
        case .skills: return "skills"
        case .capacity: return "capacity"
        case .activity: return "activity"
        case .available: return "available"
        case .call: return "call"
        case .from: return "from"
        case .queue: return "queue"
        case .direction: return "direction"
        case .via: return "via"
        case .task: return "task"
        case .channel: return "channel"
        }
    }

    /// The field a key names, or `nil` for fields the format ignores.
    @inline(__always)
    static func named(_ p: UnsafePointer<UInt8>, _ n: Int) -> NativeField? {
        // Dispatch on length first: most keys are then settled by one comparison.
        switch n {
        case 2: return bytesEqual(p, n, "at") ? .at : nil
        case 3: return bytesEqual(p, n, "via") ? .via : nil
        case 4:
            switch p[0] {
            case 0x74: return bytesEqual(p, n, "type") ? .type : bytesEqual(p, n, "team") ? .team : bytesEqual(p, n, "task") ? .task : nil
            case 0x6E: return bytesEqual(p, n, "name") ? .name : nil
            case 0x63: return bytesEqual(p, n, "call") ? .call : nil
            case 0x66: return bytesEqual(p, n, "from") ? .from : nil
            default: return nil
            }
        case 5: return bytesEqual(p, n, "queue") ? .queue : nil
        case 6: return bytesEqual(p, n, "worker") ? .worker : bytesEqual(p, n, "skills") ? .skills : nil
        case 7: return bytesEqual(p, n, "channel") ? .channel : nil
        case 8: return bytesEqual(p, n, "capacity") ? .capacity : bytesEqual(p, n, "activity") ? .activity : nil
        case 9: return bytesEqual(p, n, "available") ? .available : bytesEqual(p, n, "direction") ? .direction : nil
        default: return nil
        }
    }
}

/// The event types of native v1.
enum NativeType {
    case worker, activity, callStart, callOffer, call(CallChange), taskStart, taskEnd, workerRemove, heartbeat

    @inline(__always)
    static func named(_ p: UnsafePointer<UInt8>, _ n: Int) -> NativeType? {
        switch n {
        case 6: return bytesEqual(p, n, "worker") ? .worker : nil
        case 8:
            if bytesEqual(p, n, "activity") { return .activity }
            if bytesEqual(p, n, "call.end") { return .call(.end) }
            if bytesEqual(p, n, "task.end") { return .taskEnd }
            return nil
        case 9:
            if bytesEqual(p, n, "call.hold") { return .call(.hold) }
            if bytesEqual(p, n, "call.mute") { return .call(.mute) }
            if bytesEqual(p, n, "call.miss") { return .call(.miss) }
            if bytesEqual(p, n, "heartbeat") { return .heartbeat }
            return nil
        case 10:
            if bytesEqual(p, n, "call.start") { return .callStart }
            if bytesEqual(p, n, "task.start") { return .taskStart }
            if bytesEqual(p, n, "call.offer") { return .callOffer }
            return nil
        case 11:
            if bytesEqual(p, n, "call.resume") { return .call(.resume) }
            if bytesEqual(p, n, "call.unmute") { return .call(.unmute) }
            if bytesEqual(p, n, "call.wrapup") { return .call(.wrapup) }
            return nil
        case 13: return bytesEqual(p, n, "worker.remove") ? .workerRemove : nil
        default: return nil
        }
    }
}

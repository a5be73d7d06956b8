import TeamsDomain

/// A value that writes its compact form (``CompactTag``) straight into a ``CompactSink``, without going
/// through `Encoder` and its boxed containers: the hand-written form of the large, many-entried parts of a
/// saved floor (the Twilio decoder's correlation maps), where generic `Codable` spent most of a snapshot's
/// time in retains, releases and runtime metadata look-ups.
///
/// The bytes must be exactly those the value's `encode(to:)` writes through ``CompactEncoder``, so
/// ``CompactDecoder`` and the value's `init(from:)` read both (no format change; a test compares the two).
/// A value reaches this path only from a container that checked for it once (see ``BoundedMap``'s
/// `encode(to:)`), so no dynamic cast is paid per value.
protocol CompactEncodable {
    /// Appends this value (its tag and payload) to `sink`.
    func encode(compact sink: CompactSink)
}

extension CompactSink {
    /// Writes a keyed container: `body` writes its entries with ``key(_:)`` and a value each.
    func keyed(_ body: () -> Void) {
        let (index, _) = openContainer(.keyed)
        body()
        close(above: index)
    }

    /// Writes an unkeyed container: `body` writes its values.
    func unkeyed(_ body: () -> Void) {
        let (index, _) = openContainer(.unkeyed)
        body()
        close(above: index)
    }

    /// An entry's key in a keyed container (a synthesized conformance's property name).
    func key(_ name: StaticString) {
        name.withUTF8Buffer { utf8 in
            varint(UInt64(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    /// A case without associated values of an enum with a synthesized conformance: `{case: {}}`.
    func caseName(_ name: StaticString) {
        keyed {
            key(name)
            keyed {}
        }
    }

    /// `value` written by `write`, or null (an unkeyed container's optional, as `encodeOptional` writes it).
    func optional<T>(_ value: T?, _ write: (T) -> Void) {
        if let value { write(value) } else { tag(.null) }
    }

    /// Any other value, through its `encode(to:)` (closes what it opens, as in a container).
    func generic<T: Encodable>(_ value: T) {
        do { try self.value(value) } catch { failure = failure ?? error }
    }
}

// A saved floor's workers: the registry's bulk (every field of every worker, each call, each tombstone), written
// here in the order and form of `WorkerState.Fields.encode(to:)`, `CallState.encode(to:)` and the synthesized
// `EndedWork` conformance. The rare, small parts (channel maps, the channels switched off, tasks, the tombstone
// filter) go through their own `encode(to:)`.
extension WorkerState: CompactEncodable {
    func encode(compact sink: CompactSink) {
        let f = savedFields
        sink.unkeyed {
            sink.string(f.id)
            sink.string(f.name)
            sink.string(f.team)
            sink.unkeyed { for skill in f.skills { sink.string(skill) } }
            sink.string(f.activity)
            sink.optional(f.available, sink.bool)
            sink.signed(f.activitySince.microseconds)
            sink.generic(f.capacity)
            sink.generic(f.channelsOff)
            sink.generic(f.channelAvailabilityAt)
            sink.unkeyed { for call in f.calls { call.encode(compact: sink) } }
            sink.generic(f.tasks)
            sink.unkeyed { for time in f.missedOfferTimes { sink.signed(time.microseconds) } }
            sink.bool(f.isPlaceholder)
            sink.unsigned(f.version)
            sink.signed(f.profileAt.microseconds)
            sink.signed(f.activityAt.microseconds)
            sink.generic(f.capacityAt)
            sink.signed(f.updatedAt.microseconds)
            sink.unkeyed { for tombstone in f.ended { tombstone.encode(compact: sink) } }
            sink.generic(f.endedFilter)
        }
    }
}

extension CallState: CompactEncodable {
    func encode(compact sink: CompactSink) {
        sink.unkeyed {
            sink.string(id)
            sink.string(phase.rawValue)
            sink.optional(muted, sink.bool)
            sink.optional(from, sink.string)
            sink.optional(queue, sink.string)
            sink.string(direction.rawValue)
            sink.string(via.rawValue)
            sink.signed(startedAt.microseconds)
            sink.optional(offeredAt) { sink.signed($0.microseconds) }
            sink.optional(holdSince) { sink.signed($0.microseconds) }
            sink.optional(liveSince) { sink.signed($0.microseconds) }
            sink.optional(wrapupSince) { sink.signed($0.microseconds) }
            sink.signed(muteChangedAt.microseconds)
            sink.bool(misroute)
            sink.signed(updatedAt.microseconds)
            sink.signed(phaseEventAt.microseconds)
            sink.signed(muteEventAt.microseconds)
        }
    }
}

extension EndedWork: CompactEncodable {
    func encode(compact sink: CompactSink) {
        sink.keyed {
            sink.key("digest")
            sink.unsigned(digest)
            sink.key("endedAt")
            sink.signed(endedAt.microseconds)
            sink.key("fingerprint")
            sink.unsigned(UInt64(fingerprint))
            sink.key("kind")
            sink.unsigned(UInt64(kind.rawValue))
        }
    }
}

extension String: CompactEncodable {
    func encode(compact sink: CompactSink) { sink.string(self) }
}

extension Int: CompactEncodable {
    func encode(compact sink: CompactSink) { sink.signed(Int64(self)) }
}

extension SidKey: CompactEncodable {
    func encode(compact sink: CompactSink) { sink.string(string) }
}

extension TwilioMapper.CallLeg: CompactEncodable {
    func encode(compact sink: CompactSink) {
        sink.keyed {
            sink.key("task")
            sink.string(task)
            sink.key("role")
            switch role {
            case .customer: sink.caseName("customer")
            case .worker: sink.caseName("worker")
            }
        }
    }
}

extension TwilioMapper.Holder: CompactEncodable {
    func encode(compact sink: CompactSink) {
        sink.keyed {
            if let reservation {
                sink.key("reservation")
                sink.string(reservation)
            }
            sink.key("worker")
            sink.string(worker)
            sink.key("state")
            switch state {
            case .offered: sink.caseName("offered")
            case .accepted: sink.caseName("accepted")
            case .wrapup: sink.caseName("wrapup")
            case .ended: sink.caseName("ended")
            }
            if let startedAt {
                sink.key("startedAt")
                sink.signed(startedAt.microseconds)
            }
            if let endedAt {
                sink.key("endedAt")
                sink.signed(endedAt.microseconds)
            }
        }
    }
}

extension TwilioMapper.TaskMemo: CompactEncodable {
    func encode(compact sink: CompactSink) {
        sink.keyed {
            if let voice {
                sink.key("voice")
                sink.bool(voice)
            }
            sink.key("holders")
            sink.unkeyed {
                for holder in holders { holder.encode(compact: sink) }
            }
            if let endedAt {
                sink.key("endedAt")
                sink.signed(endedAt.microseconds)
            }
            if let transfer {
                sink.key("transfer")
                sink.generic(transfer)
            }
        }
    }
}

extension TwilioMapper.WorkerMemo: CompactEncodable {
    func encode(compact sink: CompactSink) {
        sink.keyed {
            if let profile {
                sink.key("profile")
                sink.generic(profile)
            }
            if let activity {
                sink.key("activity")
                sink.string(activity)
            }
        }
    }
}

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

    /// Any other value, through its `encode(to:)` (closes what it opens, as in a container).
    func generic<T: Encodable>(_ value: T) {
        do { try self.value(value) } catch { failure = failure ?? error }
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

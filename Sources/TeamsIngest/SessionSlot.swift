import Logging

/// The home of a long-lived source's ``IngestSession`` (a file, standard input, `POST /ingest`), where a
/// saved floor can read it: the owner runs each operation through ``run(_:)``, with the pipeline's
/// ``JournalGate`` held shared; the snapshot reads the session with the gate held exclusively.
///
/// The slot stays registered with its pipeline after its source ends (a file read once), so the saved
/// floor still knows how far that file was read and it is not read again after a restart.
public final class SessionSlot: @unchecked Sendable {  // `session` is touched only with `gate` held
    private var session: IngestSession
    private let gate: JournalGate
    public let source: String
    let logger: Logger

    init(_ session: sending IngestSession, gate: JournalGate) {
        source = session.source
        logger = session.pipeline.logger
        self.session = session
        self.gate = gate
    }

    /// Runs one operation on the session (journal it, feed it, let held events go...). Only the slot's
    /// owner calls it, from one thread at a time.
    public func run<T>(_ body: (inout IngestSession) throws -> T) rethrows -> T {
        try gate.shared { try body(&session) }
    }

    /// The session's memory; only with the gate held exclusively.
    func memoryWhileExclusive() -> SessionMemory { session.memory }
}

import Synchronization

/// The start/stop/wait plumbing sources share: one reading thread and its stop signal.
final class SourceRunner: Sendable {
    let stopSignal = StopSignal()
    private let thread = Mutex<IngestThread?>(nil)

    /// Starts `body` on a new thread unless already started.
    func start(name: String, _ body: @escaping @Sendable (StopSignal) -> Void) {
        let signal = stopSignal
        thread.withLock { t in
            guard t == nil else { return }
            t = IngestThread(name: name) { body(signal) }
        }
    }

    func stop() {
        stopSignal.set()
        wait()
    }

    func wait() {
        thread.withLock { $0 }?.join()
    }
}

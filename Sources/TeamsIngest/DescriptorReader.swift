#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import TeamsDomain

/// The reading loop every descriptor-based source shares: wait (interruptibly) for data, `read()` a chunk,
/// feed it to the session, until end of input, a stop request or an error.
struct DescriptorReader: ~Copyable {
    /// Why ``drain(_:into:stop:)`` returned.
    enum Outcome: Equatable {
        /// `read()` returned 0: end of a pipe, or caught up with a file that may still grow.
        case endOfInput
        case stopped
        /// `read()` or `poll()` failed with this `errno`.
        case failed(Int32)
    }

    static let defaultChunkSize = 64 * 1024

    private let buffer: UnsafeMutableBufferPointer<UInt8>
    /// Bytes read by the last ``drain(_:into:stop:)``.
    private(set) var bytesRead = 0
    /// How long one wait for readability lasts before the stop flag is checked again.
    let waitSlice: Int32 = 100

    init(chunkSize: Int = DescriptorReader.defaultChunkSize) {
        buffer = .allocate(capacity: chunkSize)
    }

    deinit { buffer.deallocate() }

    /// Reads `fd` to its end, or until stopped, and says why it ended; the session is finished
    /// (last partial line, held events) unless it was stopped.
    mutating func readAll(_ fd: Int32, name: String, into slot: SessionSlot, stop: StopSignal) -> SourceEnd.Reason {
        switch drain(fd, into: slot, stop: stop) {
        case .endOfInput:
            slot.run { $0.finish() }
            return .endOfInput
        case .stopped:
            return .stopped
        case .failed(let code):
            slot.run { $0.finish() }
            return .failed("cannot read \(name): \(errnoDescription(code))")
        }
    }

    /// Reads `fd` until `read()` returns 0, feeding every chunk to the slot's session.
    mutating func drain(_ fd: Int32, into slot: SessionSlot, stop: StopSignal) -> Outcome {
        bytesRead = 0
        while true {
            if stop.isSet { return .stopped }
            // poll() first so a silent pipe (stdin) can still be stopped; regular files are always readable.
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pfd, 1, waitSlice)
            if ready == 0 {
                slot.run { $0.tick() }
                continue
            }
            if ready < 0 {
                if errno == EINTR { continue }
                return .failed(errno)
            }
            let n = read(fd, buffer.baseAddress, buffer.count)
            if n > 0 {
                bytesRead += n
                let chunk = UnsafeBufferPointer(rebasing: buffer[0..<n])
                guard Self.journalAndFeed(chunk, slot: slot, stop: stop) else { return .stopped }
            } else if n == 0 {
                return .endOfInput
            } else if errno == EINTR || errno == EAGAIN {
                continue
            } else {
                return .failed(errno)
            }
        }
    }
}

extension DescriptorReader {
    /// Appends `chunk` to the session's journal and feeds it, as one operation of the slot (a snapshot sees
    /// both or neither). Standard input waits until the chunk is on disk, so nothing read is lost by a crash
    /// (a file's chunks do not wait: it is read again from the last chunk the log kept); while the log cannot
    /// be written (a full disk) reading pauses and the write is retried every second, outside the operation.
    /// Moves the session's file position past the chunk. False when stopped while retrying.
    static func journalAndFeed(_ chunk: UnsafeBufferPointer<UInt8>, slot: SessionSlot, stop: StopSignal) -> Bool {
        var failures = 0
        while true {
            guard let why = slot.run({ attempt(chunk, session: &$0) }) else {
                if failures > 0 { slot.logger.notice("\(slot.source): the write-ahead log takes writes again; reading on") }
                return true
            }
            if failures == 0 {
                slot.logger.error("\(slot.source): cannot write the write-ahead log (\(why)); reading paused, retrying every second")
            }
            failures += 1
            if stop.sleep(.seconds(1)) { return false }
        }
    }

    /// One try of ``journalAndFeed(_:slot:stop:)``: `nil` when the chunk was fed, else why it could not be written.
    static func attempt(_ chunk: UnsafeBufferPointer<UInt8>, session: inout IngestSession) -> String? {
        var next = session.position
        next?.offset += chunk.count
        guard let journal = session.journal else {
            session.position = next
            session.feed(chunk)
            return nil
        }
        // A regular file can be read again: after a crash it resumes from the last chunk the log kept, so its
        // chunks need not wait for the disk (reading stays at full speed). Standard input cannot: each chunk waits.
        let sequence = journal.append(.chunk, source: session.source, at: Timestamp.now(), position: next, payload: chunk,
                                      sync: next == nil)
        if next == nil || journal.isFailing, let why = journal.waitUntilDurable(sequence) { return why }
        session.position = next
        session.feed(chunk)
        return nil
    }
}

/// The text of an `errno` value.
func errnoDescription(_ code: Int32) -> String {
    String(cString: strerror(code))
}

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
    mutating func readAll(_ fd: Int32, name: String, into session: inout IngestSession, stop: StopSignal) -> SourceEnd.Reason {
        switch drain(fd, into: &session, stop: stop) {
        case .endOfInput:
            session.finish()
            return .endOfInput
        case .stopped:
            return .stopped
        case .failed(let code):
            session.finish()
            return .failed("cannot read \(name): \(errnoDescription(code))")
        }
    }

    /// Reads `fd` until `read()` returns 0, feeding every chunk to `session`.
    mutating func drain(_ fd: Int32, into session: inout IngestSession, stop: StopSignal) -> Outcome {
        bytesRead = 0
        while true {
            if stop.isSet { return .stopped }
            // poll() first so a silent pipe (stdin) can still be stopped; regular files are always readable.
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pfd, 1, waitSlice)
            if ready == 0 {
                session.tick()
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
                guard Self.journal(chunk, session: &session, stop: stop) else { return .stopped }
                session.feed(chunk)
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
    /// Appends `chunk` to the session's journal and, for standard input, waits until it is on disk, so
    /// nothing read is lost by a crash (a file's chunks do not wait: it is read again from the last chunk the
    /// log kept); while it cannot be written (a full disk) reading pauses and the write is retried every
    /// second. Moves the session's file position past the chunk. False when stopped while retrying.
    static func journal(_ chunk: UnsafeBufferPointer<UInt8>, session: inout IngestSession, stop: StopSignal) -> Bool {
        var next = session.position
        next?.offset += chunk.count
        guard let journal = session.journal else {
            session.position = next
            return true
        }
        // A regular file can be read again: after a crash it resumes from the last chunk the log kept, so its
        // chunks need not wait for the disk (reading stays at full speed). Standard input cannot: each chunk waits.
        if next != nil, !journal.isFailing {
            _ = journal.append(.chunk, source: session.source, at: Timestamp.now(), position: next, payload: chunk, sync: false)
            session.position = next
            return true
        }
        var failures = 0
        while true {
            let sequence = journal.append(.chunk, source: session.source, at: Timestamp.now(), position: next, payload: chunk)
            guard let why = journal.waitUntilDurable(sequence) else {
                if failures > 0 {
                    session.pipeline.logger.notice("\(session.source): the write-ahead log takes writes again; reading on")
                }
                session.position = next
                return true
            }
            if failures == 0 {
                session.pipeline.logger.error("\(session.source): cannot write the write-ahead log (\(why)); reading paused, retrying every second")
            }
            failures += 1
            if stop.sleep(.seconds(1)) { return false }
        }
    }
}

/// The text of an `errno` value.
func errnoDescription(_ code: Int32) -> String {
    String(cString: strerror(code))
}

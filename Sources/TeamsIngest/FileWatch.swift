#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Wakes the reader of a followed file when the file or its directory changes, so appended lines are read
/// as soon as they are written instead of at the next poll.
///
/// On Linux it uses inotify: a watch on the open file (writes, truncation, the file being moved or deleted)
/// and one on its directory for its name (the file appearing, being replaced by a rename or created again:
/// rotation). Elsewhere, or when inotify cannot be set up (no such directory yet, out of watches), ``wait(upTo:stop:)``
/// simply sleeps, and the caller's poll interval is the only wake-up. Owned by one reading thread.
final class FileWatch {
    #if os(Linux)
    private var descriptor: Int32 = -1
    private var directoryWatch: Int32 = -1
    private var fileWatch: Int32 = -1
    private let directory: String
    private let name: [UInt8]
    #endif
    let path: String

    init(path: String) {
        self.path = path
        #if os(Linux)
        let slash = path.utf8.lastIndex(of: UInt8(ascii: "/"))
        if let slash {
            let dir = String(path[..<slash])
            directory = dir.isEmpty ? "/" : dir
            name = Array(path.utf8[path.utf8.index(after: slash)...])
        } else {
            directory = "."
            name = Array(path.utf8)
        }
        descriptor = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        watchDirectory()
        #endif
    }

    deinit {
        #if os(Linux)
        if descriptor >= 0 { close(descriptor) }
        #endif
    }

    /// Whether changes wake ``wait(upTo:stop:)`` (false: it only sleeps).
    var isEventDriven: Bool {
        #if os(Linux)
        return descriptor >= 0 && directoryWatch >= 0
        #else
        return false
        #endif
    }

    /// Watches the file the path names now (call after opening it, again after each rotation).
    func watchFile() {
        #if os(Linux)
        guard descriptor >= 0 else { return }
        if directoryWatch < 0 { watchDirectory() }
        if fileWatch >= 0 { inotify_rm_watch(descriptor, fileWatch) }
        let mask = IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVE_SELF | IN_DELETE_SELF
        fileWatch = inotify_add_watch(descriptor, path, UInt32(mask))
        #endif
    }

    /// Waits until the file or its name changes, `timeout` passes or `stop` is set; returns `true` if stopped.
    /// Changes that happened since the last wait return at once.
    @discardableResult
    func wait(upTo timeout: Duration, stop: StopSignal) -> Bool {
        #if os(Linux)
        guard descriptor >= 0 else { return stop.sleep(timeout) }
        if directoryWatch < 0 { watchDirectory() }
        // Slices, so a stop is noticed within ~50 ms as everywhere else.
        var remaining = timeout
        let slice = Duration.milliseconds(50)
        while remaining > .zero {
            if stop.isSet { return true }
            let step = min(remaining, slice)
            var p = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let ms = Int32(step.components.seconds * 1000 + step.components.attoseconds / 1_000_000_000_000_000)
            if poll(&p, 1, max(ms, 1)) > 0, drainRelevant() { return stop.isSet }
            remaining -= step
        }
        return stop.isSet
        #else
        return stop.sleep(timeout)
        #endif
    }

    #if os(Linux)
    private func watchDirectory() {
        guard descriptor >= 0 else { return }
        let mask = IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_MODIFY | IN_CLOSE_WRITE
        directoryWatch = inotify_add_watch(descriptor, directory, UInt32(mask))
    }

    /// Reads every queued inotify event; true when one concerns the file (its watch, or its name in the directory).
    private func drainRelevant() -> Bool {
        var relevant = false
        let size = 4096
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: MemoryLayout<inotify_event>.alignment)
        defer { buffer.deallocate() }
        while true {
            let n = read(descriptor, buffer, size)
            if n <= 0 { break }
            var offset = 0
            let header = MemoryLayout<inotify_event>.size
            while offset + header <= n {
                let event = buffer.load(fromByteOffset: offset, as: inotify_event.self)
                let nameStart = buffer.advanced(by: offset + header).assumingMemoryBound(to: UInt8.self)
                if event.mask & UInt32(IN_IGNORED) != 0 {
                    if event.wd == fileWatch { fileWatch = -1 }
                    if event.wd == directoryWatch { directoryWatch = -1; relevant = true }
                } else if event.wd == fileWatch {
                    relevant = true
                } else if event.wd == directoryWatch, event.len > 0 {
                    let length = strnlen(nameStart, Int(event.len))
                    if length == name.count, name.indices.allSatisfy({ name[$0] == nameStart[$0] }) {
                        relevant = true
                    }
                }
                offset += header + Int(event.len)
            }
        }
        return relevant
    }
    #endif
}

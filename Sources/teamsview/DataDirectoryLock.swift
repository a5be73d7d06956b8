import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One server per data directory: an exclusive `flock` on `DIR/teamsview.lock`, held for the process's life (the
/// kernel drops it when the process ends, however it ends). A second server on the same directory would append to
/// a write-ahead log the first one compacts away, and events it acknowledged would be lost: it is refused at start.
final class DataDirectoryLock {
    private let descriptor: Int32

    static func path(in directory: String) -> String { directory + "/teamsview.lock" }

    /// Takes the lock, creating the directory and the file when missing; the file then holds this process's id.
    /// - Throws: `CommandFailure` naming the directory (and the process holding it, when known) when another
    ///   process holds it, or when the file cannot be opened.
    init(directory: String) throws {
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = Self.path(in: directory)
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o640)
        guard fd >= 0 else {
            throw CommandFailure("cannot open \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let why = errno
            var text = [UInt8](repeating: 0, count: 32)
            let count = pread(fd, &text, text.count, 0)
            close(fd)
            guard why == EWOULDBLOCK else {
                throw CommandFailure("cannot lock \(path): \(String(cString: strerror(why)))")
            }
            let holder = count > 0 ? String(decoding: text[..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : ""
            throw CommandFailure("the data directory \(directory) is in use by another teamsview"
                                 + (holder.isEmpty ? "" : " (process \(holder))")
                                 + ": stop it first, or give this one its own --data-dir")
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pwrite(fd, pid, pid.count, 0)
        descriptor = fd
    }

    deinit { close(descriptor) }
}

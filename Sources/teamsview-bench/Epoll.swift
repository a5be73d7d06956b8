#if canImport(Glibc)
import Glibc
#endif

/// epoll(7), which the Glibc module does not bring in (sys/epoll.h is not part of it): the three calls are
/// looked up by name and `struct epoll_event` is laid out here (packed, 12 bytes, on x86-64; 16 elsewhere).
/// Level-triggered, read interest only; each socket is known by a number of the caller's.
struct Epoll: ~Copyable {
    private typealias Create = @convention(c) (Int32) -> Int32
    private typealias Control = @convention(c) (Int32, Int32, Int32, UnsafeMutableRawPointer?) -> Int32
    private typealias Wait = @convention(c) (Int32, UnsafeMutableRawPointer?, Int32, Int32) -> Int32

    #if arch(x86_64)
    private static let eventSize = 12
    #else
    private static let eventSize = 16
    #endif
    /// Offset of `data` in `struct epoll_event`.
    private static let dataOffset = eventSize - 8
    private static let epollIn: UInt32 = 0x001
    private static let controlAdd: Int32 = 1
    private static let closeOnExec: Int32 = 0o2000000

    private let fd: Int32
    private let control: Control
    private let wait: Wait
    /// Room for the events one wait returns.
    private let ready: UnsafeMutableRawPointer
    private let capacity: Int

    /// `nil` where epoll does not exist or cannot be created.
    init?(capacity: Int = 256) {
        guard let create = dlsym(nil, "epoll_create1"), let control = dlsym(nil, "epoll_ctl"),
              let wait = dlsym(nil, "epoll_wait") else { return nil }
        let fd = unsafeBitCast(create, to: Create.self)(Self.closeOnExec)
        guard fd >= 0 else { return nil }
        self.fd = fd
        self.control = unsafeBitCast(control, to: Control.self)
        self.wait = unsafeBitCast(wait, to: Wait.self)
        self.capacity = capacity
        ready = .allocate(byteCount: capacity * Self.eventSize, alignment: 8)
    }

    deinit {
        ready.deallocate()
        close(fd)
    }

    /// Watches `socket` for reading; `token` is what `wait` gives back for it. False on failure.
    func add(_ socket: Int32, token: UInt64) -> Bool {
        var event = [UInt8](repeating: 0, count: Self.eventSize)
        return event.withUnsafeMutableBytes { bytes in
            bytes.storeBytes(of: Self.epollIn, toByteOffset: 0, as: UInt32.self)
            bytes.storeBytes(of: token, toByteOffset: Self.dataOffset, as: UInt64.self)
            return control(fd, Self.controlAdd, socket, bytes.baseAddress) == 0
        }
    }

    /// Waits up to `timeoutMs` for sockets with something to read; calls `body` with each one's token.
    /// - Returns: how many were ready (0 on timeout or interruption).
    @discardableResult
    func wait(timeoutMs: Int32, _ body: (UInt64) -> Void) -> Int {
        let n = wait(fd, ready, Int32(capacity), timeoutMs)
        guard n > 0 else { return 0 }
        for k in 0..<Int(n) {
            body(ready.loadUnaligned(fromByteOffset: k * Self.eventSize + Self.dataOffset, as: UInt64.self))
        }
        return Int(n)
    }
}

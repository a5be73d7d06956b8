#if canImport(Glibc)
import Glibc
#endif

/// glibc's heap, for the process as a whole: its arenas and what it keeps of freed memory.
///
/// malloc.h is not part of the Glibc module: the functions are looked up by name (nothing happens
/// where they do not exist).
package enum ProcessHeap {
    /// Hands freed heap pages back to the system: glibc keeps what was freed, spread over its arenas,
    /// and the process's resident size would stay at its peak.
    package static func trim() {
        #if canImport(Glibc)
        guard let symbol = dlsym(nil, "malloc_trim") else { return }
        let trim = unsafeBitCast(symbol, to: (@convention(c) (Int) -> Int32).self)
        _ = trim(0)
        #endif
    }

    /// Caps glibc's arenas at `count` (`M_ARENA_MAX`), unless `MALLOC_ARENA_MAX` in the environment
    /// already says how many: by default glibc gives busy threads arenas of their own, up to eight per
    /// core, each keeping its own freed memory. Call before the threads start.
    /// - Returns: whether the cap was set here.
    @discardableResult
    package static func limitArenas(_ count: Int32) -> Bool {
        #if canImport(Glibc)
        if let set = getenv("MALLOC_ARENA_MAX"), set.pointee != 0 { return false }
        guard let symbol = dlsym(nil, "mallopt") else { return false }
        let mallopt = unsafeBitCast(symbol, to: (@convention(c) (Int32, Int32) -> Int32).self)
        let arenaMax: Int32 = -8  // M_ARENA_MAX
        return mallopt(arenaMax, count) == 1
        #else
        return false
        #endif
    }
}

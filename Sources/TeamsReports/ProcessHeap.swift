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

    /// Fixes the size from which glibc serves a block with `mmap` of its own (`M_MMAP_THRESHOLD`), unless
    /// the environment sets it (`MALLOC_MMAP_THRESHOLD_`, or `GLIBC_TUNABLES`). glibc otherwise raises the
    /// threshold to the largest block freed so far (up to 32 MiB): after one floor snapshot's buffer is freed,
    /// every page render of a few hundred KiB comes from the arenas, and the holes they leave between
    /// long-lived workers stay resident. A fixed threshold gives such blocks back to the system when freed.
    /// Call before the threads start.
    /// - Returns: whether the threshold was set here.
    @discardableResult
    package static func fixMmapThreshold(_ bytes: Int32) -> Bool {
        #if canImport(Glibc)
        for name in ["MALLOC_MMAP_THRESHOLD_", "GLIBC_TUNABLES"] {
            if let set = getenv(name), set.pointee != 0 { return false }
        }
        return mallopt(-3, bytes)  // M_MMAP_THRESHOLD
        #else
        return false
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
        return mallopt(-8, count)  // M_ARENA_MAX
        #else
        return false
        #endif
    }

    /// glibc's `mallopt(option, value)`; false where it failed or does not exist.
    private static func mallopt(_ option: Int32, _ value: Int32) -> Bool {
        #if canImport(Glibc)
        guard let symbol = dlsym(nil, "mallopt") else { return false }
        let mallopt = unsafeBitCast(symbol, to: (@convention(c) (Int32, Int32) -> Int32).self)
        return mallopt(option, value) == 1
        #else
        return false
        #endif
    }
}

#if os(Linux)
import CMalloc
import Glibc
#endif
import Synchronization

/// glibc's heap, for the process as a whole: its arenas and what it keeps of freed memory (glibc's
/// `malloc.h`, through `CMalloc`; nothing happens, and no figures are given, elsewhere).
package enum ProcessHeap {
    /// Hands freed heap pages back to the system: glibc keeps what was freed, spread over its arenas,
    /// and the process's resident size would stay at its peak.
    package static func trim() {
        #if os(Linux)
        _ = malloc_trim(0)
        #endif
        trimCount.add(1, ordering: .relaxed)
    }

    /// Trims so far, by any caller (`teamsview_heap_trims_total`).
    package static var trims: Int { trimCount.load(ordering: .relaxed) }
    private static let trimCount = Atomic<Int>(0)

    /// The heap's figures, in bytes (glibc's `mallinfo2`): `inUse`, the blocks the process holds (small ones
    /// from the arenas and large ones mapped on their own); `free`, what the arenas keep of freed memory (the
    /// system may have had whole free pages of it back, `trim`). Nil where there is no glibc. Walks the arenas'
    /// free lists under their locks: for a scrape, not for a hot path.
    package static func usage() -> (inUse: Int, free: Int)? {
        #if os(Linux)
        let info = mallinfo2()
        return (Int(info.uordblks + info.hblkhd), Int(info.fordblks))
        #else
        return nil
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
        #if os(Linux)
        for name in ["MALLOC_MMAP_THRESHOLD_", "GLIBC_TUNABLES"] {
            if let set = getenv(name), set.pointee != 0 { return false }
        }
        return mallopt(M_MMAP_THRESHOLD, bytes) == 1
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
        #if os(Linux)
        if let set = getenv("MALLOC_ARENA_MAX"), set.pointee != 0 { return false }
        return mallopt(M_ARENA_MAX, count) == 1
        #else
        return false
        #endif
    }
}

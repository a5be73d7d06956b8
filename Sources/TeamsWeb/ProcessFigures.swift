#if canImport(Glibc)
import Glibc
#endif
import Prometheus
import Synchronization
import TeamsReports

/// The `process_*` metrics every Prometheus client exports (the names of the Prometheus client libraries'
/// process collector): resident and virtual memory, CPU seconds, open and allowed file descriptors, and the
/// start time; `teamsview_build_info{version}`; and the heap's own figures, `teamsview_heap_in_use_bytes` (memory
/// allocated through malloc and not freed: the part of the resident size that grows with the floor) and
/// `teamsview_heap_free_bytes` (freed memory glibc's arenas keep for reuse), and `teamsview_heap_trims_total` (times
/// freed heap was handed back to the system: after a burst of events, by the reports' writer, as views go). Read from `/proc/self`, `getrusage`
/// and `mallinfo2` at each scrape (Linux; elsewhere the memory and descriptor figures stay 0).
final class ProcessFigures: Sendable {
    private let resident: Gauge
    private let virtual: Gauge
    private let openFDs: Gauge
    private let maxFDs: Gauge
    private let cpu: Counter
    private let heapInUse: Gauge
    private let heapFree: Gauge
    private let heapTrims: Counter
    private let cpuExported = Mutex<Double>(0)
    private let trimsExported = Mutex<Int>(0)

    init(registry r: PrometheusCollectorRegistry, started: Double, version: String) {
        resident = r.makeGauge(descriptor: .init(namespace: "process", metricName: "resident_memory", unitName: "bytes", helpText: "Resident memory size in bytes."))
        virtual = r.makeGauge(descriptor: .init(namespace: "process", metricName: "virtual_memory", unitName: "bytes", helpText: "Virtual memory size in bytes."))
        openFDs = r.makeGauge(descriptor: .init(namespace: "process", metricName: "open_fds", unitName: "", helpText: "Number of open file descriptors."))
        maxFDs = r.makeGauge(descriptor: .init(namespace: "process", metricName: "max_fds", unitName: "", helpText: "Maximum number of open file descriptors."))
        cpu = r.makeCounter(descriptor: .init(namespace: "process", metricName: "cpu_seconds", unitName: "total", helpText: "Total user and system CPU time spent in seconds."))
        heapInUse = r.makeGauge(descriptor: .init(namespace: "teamsview", metricName: "heap_in_use", unitName: "bytes", helpText: "Bytes allocated through malloc and not freed (glibc mallinfo2). Steady growth on a steady floor suggests a leak."))
        heapFree = r.makeGauge(descriptor: .init(namespace: "teamsview", metricName: "heap_free", unitName: "bytes", helpText: "Freed malloc bytes the allocator keeps for reuse instead of returning them (glibc mallinfo2). High beside heap in use suggests fragmentation."))
        heapTrims = r.makeCounter(descriptor: .init(namespace: "teamsview", metricName: "heap_trims", unitName: "total", helpText: "Times freed heap was handed back to the system (malloc_trim): after a burst of events, by the reports' writer, as views go."))
        r.makeGauge(descriptor: .init(namespace: "process", metricName: "start_time", unitName: "seconds", helpText: "Start time of the process since unix epoch in seconds."))
            .set(started)
        r.makeGauge(descriptor: .init(namespace: "teamsview", metricName: "build_info", unitName: "", helpText: "The running version (always 1)."), labels: [("version", version)]).set(Double(1))
    }

    /// Brings the figures up to date.
    func update() {
        #if canImport(Glibc)
        var usage = rusage()
        if getrusage(RUSAGE_SELF.rawValue, &usage) == 0 {
            let seconds = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
                + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
            let delta = cpuExported.withLock { exported -> Double in
                defer { exported = max(exported, seconds) }
                return seconds - exported
            }
            if delta > 0 { cpu.increment(by: delta) }
        }
        if let (size, rss) = Self.statm() {
            let page = Double(sysconf(Int32(_SC_PAGESIZE)))
            virtual.set(Double(size) * page)
            resident.set(Double(rss) * page)
        }
        if let heap = ProcessHeap.usage() {
            heapInUse.set(Double(heap.inUse))
            heapFree.set(Double(heap.free))
        }
        let trims = ProcessHeap.trims
        let newTrims = trimsExported.withLock { exported -> Int in
            defer { exported = max(exported, trims) }
            return trims - exported
        }
        if newTrims > 0 { heapTrims.increment(by: Int64(newTrims)) }
        openFDs.set(Double(Self.openDescriptors()))
        var limit = rlimit()
        if getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 { maxFDs.set(Double(limit.rlim_cur)) }
        #endif
    }

    #if canImport(Glibc)
    /// `/proc/self/statm`'s first two fields: total and resident pages.
    static func statm() -> (Int, Int)? {
        guard let file = fopen("/proc/self/statm", "r") else { return nil }
        defer { fclose(file) }
        var size = 0, rss = 0
        return withUnsafeMutablePointer(to: &size) { s in
            withUnsafeMutablePointer(to: &rss) { r in
                withVaList([s, r]) { vfscanf(file, "%ld %ld", $0) } == 2 ? (s.pointee, r.pointee) : nil
            }
        }
    }

    /// Entries of `/proc/self/fd`, less the one this count opens.
    static func openDescriptors() -> Int {
        guard let dir = opendir("/proc/self/fd") else { return 0 }
        defer { closedir(dir) }
        var count = 0
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { Array($0.prefix { $0 != 0 }) }
            if name != [UInt8(ascii: ".")] && name != [UInt8(ascii: "."), UInt8(ascii: ".")] { count += 1 }
        }
        return max(0, count - 1)
    }
    #endif
}

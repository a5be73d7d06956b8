#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension Timestamp {
    /// The system's real-time clock (CLOCK_REALTIME). The registry never reads it: event times come
    /// from events; sources and pages use it for "when did a line arrive" and "now".
    public static func now() -> Timestamp {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Timestamp(microseconds: Int64(ts.tv_sec) * 1_000_000 + Int64(ts.tv_nsec) / 1_000)
    }

    /// Seconds on the monotonic clock, for intervals that must not jump with the wall clock.
    public static func monotonicSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}

extension Timestamp {
    /// The start of this moment's day in the machine's local time zone (`TZ`, else /etc/localtime):
    /// "today" for per-agent counts such as missed offers.
    public var localMidnight: Timestamp {
        var seconds = time_t(microseconds / 1_000_000)
        var parts = tm()
        guard localtime_r(&seconds, &parts) != nil else { return self }
        parts.tm_hour = 0
        parts.tm_min = 0
        parts.tm_sec = 0
        parts.tm_isdst = -1
        let midnight = mktime(&parts)
        return midnight == -1 ? self : Timestamp(microseconds: Int64(midnight) * 1_000_000)
    }
}

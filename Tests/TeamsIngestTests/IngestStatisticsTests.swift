import Synchronization
import Testing
import TeamsDomain
@testable import TeamsIngest

@Suite("Ingest statistics")
struct IngestStatisticsTests {
    @Test("recent rejects keep only the last 20, oldest first")
    func ringBound() {
        let stats = IngestStatistics()
        for i in 1...45 {
            stats.reject(IngestReject(.json, "bad \(i)"), source: "s", lineNumber: i, preview: "x", at: Timestamp(microseconds: 0))
        }
        let snap = stats.snapshot()
        #expect(snap.recentRejects.count == 20)
        #expect(snap.recentRejects.first?.lineNumber == 26)
        #expect(snap.recentRejects.last?.reason == "bad 45")
        #expect(snap.linesRejected == 45)
        #expect(snap.rejectedByCategory[.json] == 45)
        #expect(snap.rejectedByCategory[.schema] == 0)
    }

    @Test("a floor saved before a category existed gets that category's counter on restore")
    func restoreAddsNewCategories() {
        var saved = IngestStatistics.Snapshot()
        saved.rejectedByCategory = [.json: 3]
        let statistics = IngestStatistics()
        statistics.restore(saved)
        let snap = statistics.snapshot()
        #expect(Set(snap.rejectedByCategory.keys) == Set(IngestReject.Category.allCases))
        #expect(snap.rejectedByCategory[.json] == 3 && snap.rejectedByCategory[.registryCap] == 0)
    }

    @Test("every category has a counter from the start (for metrics labels)")
    func categories() {
        let snap = IngestStatistics().snapshot()
        #expect(Set(snap.rejectedByCategory.keys) == Set(IngestReject.Category.allCases))
        #expect(IngestReject.Category.allCases.map(\.rawValue).sorted() == ["clock_skew", "encoding", "json", "not_permitted", "registry_cap", "schema", "too_long", "too_old", "unknown_type"])
    }

    @Test("lines after a silence (or the first) tell the observer; lines within it do not")
    func feedResumed() {
        let stats = IngestStatistics()
        let told = Mutex<[Int]>([])
        stats.onFeedResumed(after: 15) { told.withLock { $0.append(stats.snapshot().linesRead) } }
        func lines(_ n: Int, at seconds: Double) {
            let at = Timestamp(microseconds: Int64(seconds * 1_000_000))
            stats.noteArrival(at: at)
            #expect(stats.lastLineReceivedAt == at)
            stats.add(IngestStatistics.Tally(linesRead: n, eventsApplied: n), receivedAt: at)
        }
        lines(1, at: 100)   // the first line: told
        lines(2, at: 110)   // 10 s later: not silent
        lines(3, at: 124)   // 14 s later: not yet
        lines(4, at: 139)   // 15 s later: told, once the lines are counted
        stats.add(IngestStatistics.Tally(linesRead: 0, eventsApplied: 5), receivedAt: Timestamp(microseconds: 200_000_000))
        #expect(told.withLock { $0 } == [1, 10])
    }

    @Test("tallies add up; the last line time is the newest report")
    func tallies() {
        let stats = IngestStatistics()
        var tally = IngestStatistics.Tally()
        tally.linesRead = 3
        tally.eventsApplied = 2
        tally.linesSkippedEmpty = 1
        stats.add(tally, receivedAt: Timestamp(microseconds: 9))
        stats.add(tally, receivedAt: Timestamp(microseconds: 10))
        let snap = stats.snapshot()
        #expect(snap.linesRead == 6)
        #expect(snap.eventsApplied == 4)
        #expect(snap.linesSkippedEmpty == 2)
        #expect(snap.lastLineReceivedAt == Timestamp(microseconds: 10))
    }

    @Test("concurrent writers lose nothing")
    func concurrency() async {
        let stats = IngestStatistics()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    for _ in 0..<1000 {
                        var t = IngestStatistics.Tally()
                        t.linesRead = 1
                        stats.add(t, receivedAt: Timestamp(microseconds: 1))
                        stats.reject(IngestReject(.schema, "r"), source: "s", lineNumber: 1, preview: "", at: Timestamp(microseconds: 1))
                    }
                }
            }
        }
        let snap = stats.snapshot()
        #expect(snap.linesRead == 8000)
        #expect(snap.linesRejected == 8000)
        #expect(snap.recentRejects.count == 20)
    }

    @Test("previews are valid UTF-8, bounded, without control characters")
    func preview() {
        let bytes: [UInt8] = Array("ok ".utf8) + [0x00, 0xFF, 0x0A] + Array(repeating: 0x61, count: 300)
        let text = bytes.withUnsafeBufferPointer { LineBytes.preview($0, limit: 200) }
        #expect(text.hasPrefix("ok \u{FFFD}\u{FFFD}\u{FFFD}aaa"))
        #expect(text.hasSuffix("…"))
        #expect(text.utf8.count <= 200 + "…".utf8.count)
        // Never cut inside a character.
        let emoji = Array(String(repeating: "😀", count: 100).utf8)
        let cut = emoji.withUnsafeBufferPointer { LineBytes.preview($0, limit: 10) }
        #expect(cut == "😀😀…")
    }
}

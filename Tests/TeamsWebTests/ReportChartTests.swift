import Testing
@testable import TeamsWeb

@Suite("Report charts: the interval in progress, visible titles")
struct ReportChartTests {
    @Test("the interval in progress is averaged over its elapsed part; intervals not begun are left out")
    func elapsedPart() {
        // Intervals at 0, 900 and 1800 s; now is 5 minutes into the second.
        let spans = ReportsWeb.elapsed([0, 900, 1800], length: 900, now: 1200)
        #expect(spans == [900, 300])
        // Five minutes of one call live in those five minutes: an average of 1 call, not a third of one.
        let talk = 300.0 * 1_000_000
        #expect(talk / (spans[1] * 1_000_000) == 1)
        #expect(ReportsWeb.elapsed([0, 900], length: 900, now: 5000) == [900, 900])
    }

    @Test("the chart says the average and the interval in progress in words, and marks its point")
    func marked() {
        let labels = ["09:00", "09:15", "09:30"]
        let svg = ReportChart.lines(title: "Calls live: average per 15-minute interval", yLabel: "average", labels: labels,
                                    series: [.init(name: "Calls live", values: [2, 1])],
                                    inProgress: .init(index: 1, elapsedSeconds: 7 * 60 + 20))
        let caption = svg.components(separatedBy: "<svg").first ?? ""
        #expect(caption.contains("<figcaption class=\"chart__caption\">Calls live: average per 15-minute interval</figcaption>"))
        #expect(caption.contains("09:15 in progress: the average of its 7 minutes so far"))
        #expect(svg.contains("<circle cx=\"382\""))
        let bars = ReportChart.stacked(title: "Mix", yLabel: "agents", labels: labels,
                                       series: [.init(name: "Available", values: [3, 2])],
                                       inProgress: .init(index: 1, elapsedSeconds: 60))
        #expect(bars.components(separatedBy: "fill-opacity=\"0.5\"").count == 2)
    }

    @Test("x labels: whole hours of 15-minute intervals, room for each at phone size")
    func labelStep() {
        let day = (0..<96).map { String(format: "%02d:%02d", $0 / 4, $0 % 4 * 15) }
        let every = ReportChart.labelStep(day, plotWidth: ReportChart.Frame().plotWidth)
        #expect(every % 4 == 0 && 36 % every == 0)
        #expect(Double(96 / every) * (5 * 12 + 12) <= ReportChart.Frame().plotWidth)
    }

    @Test("counts have whole ticks")
    func wholeTicks() {
        #expect(ReportChart.niceScale(1, whole: true).max == 1 && ReportChart.niceScale(1, whole: true).step == 1)
        #expect(ReportChart.niceScale(3, whole: true).max == 3 && ReportChart.niceScale(3, whole: true).step == 1)
        #expect(ReportChart.niceScale(9, whole: true).step == 3)
        #expect(ReportChart.niceScale(1).step == 0.25)
    }
}

import Foundation

/// The query parameters of a wall display that its script reads: `rotate=` (the kiosk's seconds per screen)
/// and `reload=` (a full reload every so often, read by `live.js` on the Teams View and the kiosk).
enum DisplayParameters {
    /// Seconds a kiosk screen stays, at least and at most.
    static let rotateRange: ClosedRange<Double> = 5...600
    /// Seconds a kiosk screen stays without `rotate=`.
    static let defaultRotate: Double = 20

    /// The seconds a `rotate=` value names, when within ``rotateRange``; nil otherwise.
    static func rotate(_ text: String) -> Double? {
        guard let seconds = Double(text.trimmingCharacters(in: .whitespaces)), seconds.isFinite,
              rotateRange.contains(seconds) else { return nil }
        return seconds
    }

    /// The whole seconds a kiosk uses for a `rotate=` value: it, the nearest bound for a number outside
    /// ``rotateRange``, ``defaultRotate`` for anything else.
    static func rotateUsed(_ text: String?) -> Int {
        guard let text, let seconds = Double(text.trimmingCharacters(in: .whitespaces)), !seconds.isNaN else {
            return Int(defaultRotate)
        }
        return Int(min(rotateRange.upperBound, max(rotateRange.lowerBound, seconds)))
    }

    /// The seconds a `reload=` value names (`12h`, `30m`, `90s`, `3600`; at least 60), as `live.js` reads it;
    /// nil for one it ignores. An empty value asks for no reload and is not an error: 0.
    static func reloadSeconds(_ text: String) -> Double? {
        if text.isEmpty { return 0 }
        var digits = Substring(text)
        var unit: Double = 1
        switch digits.last {
        case "h": unit = 3600; digits = digits.dropLast()
        case "m": unit = 60; digits = digits.dropLast()
        case "s": digits = digits.dropLast()
        default: break
        }
        // Digits, optionally a point and digits: what the script's pattern takes (no sign, no exponent).
        let parts = digits.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              let number = Double(digits) else { return nil }
        let seconds = number * unit
        return seconds >= 60 ? seconds : nil
    }
}

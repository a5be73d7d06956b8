import PercentEncoding

/// `application/x-www-form-urlencoded` bodies, as Twilio POSTs its webhooks.
public enum FormDecoding {
    /// Parses a form body into fields: `&`-separated `name=value` pairs, `+` meaning space, `%XX` escapes.
    ///
    /// A pair without `=` is a field with an empty value; empty pairs (`a=1&&b=2`) are skipped, and so is
    /// a trailing line break (bodies saved to files end with one; an encoded body never contains one).
    /// Rejected (category `schema`): a `%` not followed by two hex digits, decoded bytes that are not
    /// UTF-8, an empty name, and a name given twice (Twilio never repeats one, so a repeat is a forgery
    /// or a bug and guessing which value counts would hide it).
    public static func parse(_ body: [UInt8]) throws(IngestReject) -> [String: String] {
        var fields: [String: String] = [:]
        var start = 0
        var n = body.count
        while n > 0, body[n - 1] == 0x0A || body[n - 1] == 0x0D { n -= 1 }
        while start <= n {
            var end = start
            while end < n, body[end] != UInt8(ascii: "&") { end += 1 }
            if end > start {
                let pair = body[start..<end]
                let eq = pair.firstIndex(of: UInt8(ascii: "="))
                let name = try decode(pair[pair.startIndex..<(eq ?? pair.endIndex)], what: "name")
                let value = try eq.map { (i) throws(IngestReject) -> String in try decode(pair[(i + 1)...], what: "value") } ?? ""
                guard !name.isEmpty else { throw IngestReject(.schema, "form field with an empty name at byte \(start)") }
                guard fields.updateValue(value, forKey: name) == nil else {
                    throw IngestReject(.schema, "form field \"\(name.prefix(64))\" given twice")
                }
            }
            start = end + 1
        }
        return fields
    }

    private static func decode(_ bytes: ArraySlice<UInt8>, what: String) throws(IngestReject) -> String {
        do throws(PercentDecoding.Failure) {
            return try PercentDecoding.decode(bytes, plusIsSpace: true)
        } catch .badEscape(let offset) {
            throw IngestReject(.schema, "form \(what) has a bad % escape at byte \(bytes.startIndex + offset)")
        } catch {
            throw IngestReject(.encoding, "form \(what) is not UTF-8 once decoded")
        }
    }
}

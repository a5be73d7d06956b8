// Webhook form bodies: percent-decoding (Sources/PercentEncoding) and the Twilio form reader (FormDecoding),
// then the Twilio decoder's form entry. Beyond "does not crash": decoded text is never longer than its
// input, encoding and decoding any text is the identity, a parsed form re-encoded parses to the same fields,
// a rejected form leaves the events untouched, and decoding a body equals decoding its parsed fields.
import FuzzCheck
import PercentEncoding
import TeamsDomain
import TeamsIngest

let limits = NativeLimits(maxClockSkew: 86_400)
let configuration = TwilioDecoder.Configuration(reorderWindow: 0, memory: 8, limits: limits)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFormDecoder(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Array(fuzzInput(data, size))

    for plus in [false, true] {
        switch Result(catching: { () throws(PercentDecoding.Failure) -> String in try PercentDecoding.decode(bytes, plusIsSpace: plus) }) {
        case .success(let text):
            invariant(text.utf8.count <= bytes.count, "decoded \(text.utf8.count) bytes from \(bytes.count)")
            invariant(PercentDecoding.decodeOrNil(percentEncode(text), plusIsSpace: plus) == text, "encode/decode is not the identity")
        case .failure(.badEscape(let at)):
            invariant(at >= 0 && at < bytes.count && bytes[at] == UInt8(ascii: "%"), "bad escape reported at \(at)")
        case .failure(.invalidUTF8):
            break
        }
    }

    let fields: [String: String]
    do throws(IngestReject) {
        fields = try FormDecoding.parse(bytes)
    } catch {
        invariant(!error.reason.isEmpty && error.reason.utf8.count <= 400, "rejection reason of \(error.reason.utf8.count) bytes")
        return 0
    }
    invariant(!fields.keys.contains(""), "a field with an empty name")
    let reencoded = Array(fields.sorted { $0.key < $1.key }.map { percentEncode($0.key) + [UInt8(ascii: "=")] + percentEncode($0.value) }
        .joined(separator: [UInt8(ascii: "&")]))
    invariant((try? FormDecoding.parse(reencoded)) == fields, "re-encoded form parses differently")

    var fromBody = TwilioDecoder(configuration: configuration)
    var fromFields = TwilioDecoder(configuration: configuration)
    var a: [Event] = [Event(at: Timestamp(microseconds: 0), .heartbeat)]
    var b = a
    let rejectA = fromBody.decode(formBody: bytes, into: &a)
    let rejectB = fromFields.decode(form: fields, into: &b)
    invariant(rejectA == rejectB, "body and fields decode differently: \(String(describing: rejectA)) vs \(String(describing: rejectB))")
    if rejectA != nil { invariant(a.count == 1, "a rejected form added events") }
    fromBody.flush(into: &a)
    fromFields.flush(into: &b)
    invariant(a == b, "body and fields yield different events")
    for event in a.dropFirst() {
        if let worker = event.worker { invariant(!worker.isEmpty, "empty worker id in \(event)") }
    }
    return 0
}

/// Percent-decoding (RFC 3986 §2.1) of URL parts and `application/x-www-form-urlencoded` fields
/// (WHATWG URL Standard §5.1, where `+` means a space), shared by the HTTP layer's request targets
/// and the ingest side's webhook forms.
public enum PercentDecoding {
    /// Why bytes did not decode.
    public enum Failure: Error, Equatable, Sendable {
        /// A `%` not followed by two hex digits, at this offset from the start of the input.
        case badEscape(at: Int)
        /// The decoded bytes are not UTF-8.
        case invalidUTF8
    }

    /// Decodes `%XX` escapes (and `+` as a space when `plusIsSpace`) into UTF-8 text.
    /// - Throws: ``Failure/badEscape(at:)`` or ``Failure/invalidUTF8``.
    /// Inlinable, so each caller gets a copy specialised to its collection type (a generic call across the
    /// module boundary costs more than the decoding itself for a short target such as `/`).
    @inlinable
    public static func decode(_ bytes: some Collection<UInt8>, plusIsSpace: Bool) throws(Failure) -> String {
        // Most parts hold no escape: they are validated where they are, without a copy.
        if !bytes.contains(where: { $0 == UInt8(ascii: "%") || ($0 == UInt8(ascii: "+") && plusIsSpace) }) {
            guard let text = String(validating: bytes, as: UTF8.self) else { throw .invalidUTF8 }
            return text
        }
        var decoded: [UInt8] = []
        decoded.reserveCapacity(bytes.count)
        var iterator = bytes.makeIterator()
        var offset = 0
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                    throw .badEscape(at: offset)
                }
                decoded.append(high << 4 | low)
                offset += 3
            case UInt8(ascii: "+") where plusIsSpace:
                decoded.append(UInt8(ascii: " "))
                offset += 1
            default:
                decoded.append(byte)
                offset += 1
            }
        }
        guard let text = String(validating: decoded, as: UTF8.self) else { throw .invalidUTF8 }
        return text
    }

    /// Decodes like ``decode(_:plusIsSpace:)``; nil instead of a reason.
    @inlinable
    public static func decodeOrNil(_ bytes: some Collection<UInt8>, plusIsSpace: Bool) -> String? {
        try? decode(bytes, plusIsSpace: plusIsSpace)
    }

    /// The value of one hex digit, either case.
    @usableFromInline
    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

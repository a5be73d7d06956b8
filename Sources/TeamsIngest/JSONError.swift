/// Why bytes are not (acceptable) JSON, with the byte offset where parsing stopped.
public struct JSONError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// A byte that cannot start or continue a value here.
        case unexpectedByte(UInt8)
        /// The input ended inside a value (a truncated document).
        case unexpectedEnd
        /// A backslash escape JSON does not define, e.g. `\q`.
        case invalidEscape(UInt8)
        /// `\u` not followed by four hex digits.
        case invalidUnicodeEscape
        /// A `\uD800`-style escape without its other half; Swift strings cannot hold one.
        case unpairedSurrogate(UInt16)
        /// A raw byte below 0x20 inside a string.
        case controlCharacter(UInt8)
        /// A byte sequence inside a string that is not UTF-8.
        case invalidUTF8(UInt8)
        /// Objects and arrays nested deeper than the parser's limit.
        case tooDeep(limit: Int)
        /// Something other than whitespace after the value.
        case trailingData(UInt8)
        /// A number that does not follow the JSON grammar (`01`, `1.`, `-`, `1e`).
        case invalidNumber
        /// An empty or whitespace-only document.
        case empty
        /// The document is larger than the parser addresses (4 GiB).
        case tooLarge
    }

    public var kind: Kind
    /// Byte offset (from 0) in the parsed buffer.
    public var offset: Int

    public init(_ kind: Kind, at offset: Int) {
        self.kind = kind
        self.offset = offset
    }

    /// True when the bytes are not UTF-8; such input is reported as an encoding problem rather than a JSON one.
    public var isEncodingError: Bool {
        if case .invalidUTF8 = kind { return true }
        return false
    }

    public var description: String {
        switch kind {
        case .unexpectedByte(let b): return "unexpected byte \(hex(b)) at \(offset)"
        case .unexpectedEnd: return "unexpected end of input at \(offset)"
        case .invalidEscape(let b): return "invalid escape \\\(printable(b)) at \(offset)"
        case .invalidUnicodeEscape: return "invalid \\u escape at \(offset)"
        case .unpairedSurrogate(let u): return "unpaired surrogate \\u\(hex4(u)) at \(offset)"
        case .controlCharacter(let b): return "unescaped control character \(hex(b)) in string at \(offset)"
        case .invalidUTF8(let b): return "invalid UTF-8 byte \(hex(b)) at \(offset)"
        case .tooDeep(let limit): return "nesting deeper than \(limit) at \(offset)"
        case .trailingData(let b): return "unexpected byte \(hex(b)) at \(offset) after the value"
        case .invalidNumber: return "invalid number at \(offset)"
        case .empty: return "empty document"
        case .tooLarge: return "document larger than 4 GiB"
        }
    }
}

private let hexDigits: [Character] = Array("0123456789ABCDEF")

func hex(_ b: UInt8) -> String {
    "0x" + String(hexDigits[Int(b >> 4)]) + String(hexDigits[Int(b & 0xF)])
}

private func hex4(_ u: UInt16) -> String {
    String([hexDigits[Int(u >> 12)], hexDigits[Int((u >> 8) & 0xF)], hexDigits[Int((u >> 4) & 0xF)], hexDigits[Int(u & 0xF)]])
}

private func printable(_ b: UInt8) -> String {
    (0x21...0x7E).contains(b) ? String(UnicodeScalar(b)) : hex(b)
}

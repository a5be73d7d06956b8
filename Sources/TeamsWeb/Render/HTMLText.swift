import Foundation
import Mustache

/// HTML escaping of text for element content and quoted attribute values, one UTF-8 byte at a time:
/// `&`, `<`, `>`, `"` and `'` become `&amp;`, `&lt;`, `&gt;`, `&quot;` and `&#39;`; every other byte is kept.
///
/// swift-mustache's own HTML escaping (2.1) compares whole `Character`s, so a quote followed by a combining
/// mark (`"` U+0301, one grapheme) is not escaped: in `title="{{caller}}"` it would end the attribute and
/// let the rest of an event's text add attributes (`onmouseover=…`) to the page. Every template selects this
/// escaping instead with its first line, `{{%CONTENT_TYPE: HTML_BYTES}}` (``HTMLText/contentTypeName``).
enum HTMLText {
    /// The content type name templates select with `{{%CONTENT_TYPE: HTML_BYTES}}`.
    static let contentTypeName = "HTML_BYTES"

    /// `text` escaped; `text` itself (no copy) when it has nothing to escape, as most names and numbers.
    static func escape(_ text: String) -> String {
        guard text.utf8.contains(where: needsEscape) else { return text }
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + 16)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "&"): out.append(contentsOf: "&amp;".utf8)
            case UInt8(ascii: "<"): out.append(contentsOf: "&lt;".utf8)
            case UInt8(ascii: ">"): out.append(contentsOf: "&gt;".utf8)
            case UInt8(ascii: "\""): out.append(contentsOf: "&quot;".utf8)
            case UInt8(ascii: "'"): out.append(contentsOf: "&#39;".utf8)
            default: out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    @inline(__always)
    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "&") || byte == UInt8(ascii: "<") || byte == UInt8(ascii: ">")
            || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'")
    }

    /// Makes ``contentTypeName`` known to swift-mustache: before any template is parsed (a template naming
    /// it is refused when it is unknown, so none can fall back to the library's escaping unnoticed).
    static func register() {
        MustacheContentTypes.register(ContentType(), named: contentTypeName)
    }

    /// The first line every template starts with.
    static var selection: String { "{{%CONTENT_TYPE: \(contentTypeName)}}\n" }

    /// A template (`.mustache`, in `directory` or below) that does not start with ``selection``.
    struct Unselected: Error, CustomStringConvertible {
        let files: [String]
        var description: String {
            "\(files.joined(separator: ", ")) must start with the line \(selection.dropLast()): without it event text is "
                + "escaped by swift-mustache's own escaping, which leaves a quote followed by a combining mark as it is"
        }
    }

    /// Throws ``Unselected`` naming every template in `directory` that does not select this escaping.
    static func check(templates directory: String) throws(Unselected) {
        let root = URL(fileURLWithPath: directory)
        let files = (FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)?.compactMap { $0 as? URL } ?? [])
            .filter { $0.pathExtension == "mustache" }
        let unselected = files.filter { file in
            guard let handle = try? FileHandle(forReadingFrom: file) else { return true }
            defer { try? handle.close() }
            let head = (try? handle.read(upToCount: selection.utf8.count)) ?? Data()
            return head != Data(selection.utf8)
        }
        guard unselected.isEmpty else {
            throw Unselected(files: unselected.map { String($0.path.dropFirst(root.path.count + 1)) }.sorted())
        }
    }

    struct ContentType: MustacheContentType {
        func escapeText(_ text: String) -> String { HTMLText.escape(text) }
    }
}

import Foundation
import Testing
@testable import TeamsWeb

@Suite("HTML escaping of event text")
struct HTMLTextTests {
    @Test("the five characters are escaped byte by byte, a quote before a combining mark too")
    func escapesEveryQuote() {
        #expect(HTMLText.escape(#"a & b < c > d " e ' f"#) == "a &amp; b &lt; c &gt; d &quot; e &#39; f")
        // One grapheme each: a Character-by-Character escaper leaves them as they are.
        #expect(HTMLText.escape("\"\u{301} x='\u{301}<\u{301}") == "&quot;\u{301} x=&#39;\u{301}&lt;\u{301}")
        #expect(HTMLText.escape("Chloé Ōkafor 张伟 +1 555") == "Chloé Ōkafor 张伟 +1 555")
        #expect(HTMLText.escape("") == "")
    }

    @Test("every template selects the escaping first, partials and icons included")
    func everyTemplateSelectsIt() throws {
        let root = URL(fileURLWithPath: TestServer.repoRoot + "/Templates")
        let files = try #require(FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)?
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "mustache" })
        #expect(files.count > 10)
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            // A partial is rendered with the library's own escaping unless it selects this one itself.
            #expect(text.hasPrefix("{{%CONTENT_TYPE: \(HTMLText.contentTypeName)}}\n"), "\(file.lastPathComponent)")
        }
        try HTMLText.check(templates: root.path)
    }

    @Test("a template that does not select it is refused by name")
    func refusesOneWithout() throws {
        let dir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("teamsview-templates-\(UUID())")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("icons"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data((HTMLText.selection + "<p>{{x}}</p>").utf8).write(to: dir.appendingPathComponent("good.mustache"))
        try Data("<p>{{x}}</p>".utf8).write(to: dir.appendingPathComponent("icons/bad.mustache"))
        #expect(throws: HTMLText.Unselected.self) { try HTMLText.check(templates: dir.path) }
        do {
            try HTMLText.check(templates: dir.path)
        } catch {
            #expect(error.files == ["icons/bad.mustache"])
            #expect(error.description.contains("HTML_BYTES"))
        }
    }
}

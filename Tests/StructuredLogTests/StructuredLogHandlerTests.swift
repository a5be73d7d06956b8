import Foundation
import Logging
import Synchronization
import Testing
@testable import StructuredLog

@Suite("Structured log lines: logfmt and JSON")
struct StructuredLogHandlerTests {
    /// 2026-12-07T08:15:02.123Z
    static let time = 1_796_631_302.1234

    static func text(_ format: StructuredLogHandler.Format, message: String, metadata: Logger.Metadata = [:],
                     level: Logger.Level = .info, label: String = "teamsview") -> String {
        String(decoding: StructuredLogHandler.line(format: format, time: time, level: level, label: label,
                                                   message: message, metadata: metadata), as: UTF8.self)
    }

    @Test("logfmt: fixed fields first, UTC milliseconds, bare values bare, sorted metadata")
    func logfmtPlain() {
        #expect(Self.text(.logfmt, message: "stopping", metadata: ["port": "8080", "host": "127.0.0.1"])
            == "time=2026-12-07T08:15:02.123Z level=info label=teamsview msg=stopping host=127.0.0.1 port=8080\n")
    }

    @Test("logfmt: a value with a space, =, a quote, a backslash, a newline or a control character is quoted and escaped")
    func logfmtQuoting() {
        let line = Self.text(.logfmt, message: "said \"hi\"\nthen left", metadata: [
            "path": "/a b", "query": "x=1", "empty": "", "slash": "C:\\dir", "quoted": "a\\\"b", "bell": "\u{07}",
            "tab": "a\tb", "plain": "naïve",
        ])
        #expect(line == "time=2026-12-07T08:15:02.123Z level=info label=teamsview msg=\"said \\\"hi\\\"\\nthen left\""
            + " bell=\"\\u0007\" empty=\"\" path=\"/a b\" plain=naïve query=\"x=1\" quoted=\"a\\\\\\\"b\""
            + " slash=C:\\dir tab=\"a\\tb\"\n")
        // One line whatever the message holds.
        #expect(line.filter { $0 == "\n" }.count == 1)
    }

    @Test("logfmt: nested metadata flattened with dots; keys cleaned; a fixed field's name kept apart")
    func logfmtNested() {
        let line = Self.text(.logfmt, message: "m", metadata: [
            "peer": ["address": "::1", "port": "443"], "skills": ["sales", "a b"], "bad key=": "v", "msg": "shadow",
        ])
        #expect(line == "time=2026-12-07T08:15:02.123Z level=info label=teamsview msg=m bad_key_=v meta.msg=shadow"
            + " peer.address=::1 peer.port=443 skills.0=sales skills.1=\"a b\"\n")
    }

    @Test("JSON: one object per line, escaped strings, nested objects and arrays, numbers as numbers")
    func json() throws {
        let message = "quote \" backslash \\ newline \n equals = tag <b> & nul \u{0}"
        let line = Self.text(.json, message: message, metadata: [
            "status": .stringConvertible(404), "durationMs": .stringConvertible(1.5), "tls": .stringConvertible(false),
            "peer": ["address": "::1", "ports": [.stringConvertible(1), "two"]], "level": "shadow", "text": "x=\"y\"",
        ], level: .warning, label: "teamsview.access")
        #expect(line.hasSuffix("}\n"))
        #expect(line.dropLast().contains("\n") == false)
        #expect(line.hasPrefix(#"{"time":"2026-12-07T08:15:02.123Z","level":"warning","label":"teamsview.access","msg":"quote \" backslash \\ newline \n equals = tag <b> & nul \u0000","#))
        let object = try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["msg"] as? String == message)
        #expect(object["level"] as? String == "warning")
        #expect(object["meta.level"] as? String == "shadow")
        #expect(object["status"] as? Int == 404)
        #expect(object["durationMs"] as? Double == 1.5)
        #expect(object["tls"] as? Bool == false)
        #expect(object["text"] as? String == "x=\"y\"")
        let peer = try #require(object["peer"] as? [String: Any])
        #expect(peer["address"] as? String == "::1")
        #expect((peer["ports"] as? [Any])?.count == 2)
        #expect((peer["ports"] as? [Any])?.first as? Int == 1)
    }

    @Test("the handler merges its own metadata, the call's and an error, and writes whole lines")
    func handler() throws {
        let lines = Mutex<[String]>([])
        var handler = StructuredLogHandler(label: "t", format: .json) { bytes in
            lines.withLock { $0.append(String(decoding: bytes, as: UTF8.self)) }
        }
        handler[metadataKey: "kept"] = "yes"
        handler[metadataKey: "over"] = "handler"
        let logger = Logger(label: "t", factory: { _ in handler })
        struct Broke: Error, CustomStringConvertible { var description: String { "disk \"full\"" } }
        logger.error("failed", error: Broke(), metadata: ["over": "call"])
        logger.debug("not at info")
        let written = lines.withLock { $0 }
        #expect(written.count == 1)
        let object = try #require(JSONSerialization.jsonObject(with: Data(written[0].utf8)) as? [String: Any])
        #expect(object["kept"] as? String == "yes")
        #expect(object["over"] as? String == "call")
        #expect(object["error.message"] as? String == "disk \"full\"")
        #expect(object["label"] as? String == "t")
        #expect(object["level"] as? String == "error")
        let stamp = try #require(object["time"] as? String)
        #expect(stamp.count == 24 && stamp.hasSuffix("Z"))
    }

    @Test("timestamps: padded fields, milliseconds rounded down, epoch")
    func timestamps() {
        #expect(StructuredLogHandler.timestamp(0) == "1970-01-01T00:00:00.000Z")
        #expect(StructuredLogHandler.timestamp(1_796_631_302.9999) == "2026-12-07T08:15:02.999Z")
        #expect(StructuredLogHandler.timestamp(1_767_225_599.5) == "2025-12-31T23:59:59.500Z")
        #expect(StructuredLogHandler.timestamp(951_868_799.999_5) == "2000-02-29T23:59:59.999Z")
        // The same RFC 3339 formatting as the rest of the server's times (`RFC3339Format`), before 1970 too.
        #expect(StructuredLogHandler.timestamp(-0.5) == "1969-12-31T23:59:59.500Z")
        #expect(StructuredLogHandler.timestamp(-14_182_940.001) == "1969-07-20T20:17:39.999Z")
    }
}

import HTTPTypes
import Testing
@testable import MicroHTTP
#if canImport(Glibc)
import Glibc
#endif

/// A temporary directory of assets, removed by `cleanUp()`.
struct AssetDirectory {
    let path: String

    init(files: [String: String]) throws {
        var template = Array("/tmp/microhttp-static-XXXXXX".utf8CString)
        guard let created = mkdtemp(&template) else { throw ClientError(description: "mkdtemp failed") }
        path = String(cString: created)
        for (name, content) in files {
            let full = path + "/" + name
            if let slash = full.lastIndex(of: "/") { mkdir(String(full[..<slash]), 0o755) }
            guard let file = fopen(full, "w") else { throw ClientError(description: "cannot write \(full)") }
            fputs(content, file)
            fclose(file)
        }
    }

    func cleanUp() { _ = try? run("/bin/rm", ["-rf", path]) }
}

@Suite struct StaticFilesTests {
    static let files = [
        "index.html": "<!doctype html><title>t</title>",
        "app.css": "body { color: black }",
        "js/app.js": "console.log(1)",
        "icon.svg": "<svg/>",
        "favicon.ico": "ico",
        ".secret": "hidden",
    ]

    @Test func servesLoadedFilesWithTypesETagsAndCaching() throws {
        let assets = try AssetDirectory(files: Self.files)
        defer { assets.cleanUp() }
        let statics = try StaticFiles(directory: assets.path)
        #expect(Set(statics.files.keys) == ["index.html", "app.css", "js/app.js", "icon.svg", "favicon.ico"])
        var router = Router()
        router.get("/static/*", statics.handler)
        try withServer(router) { server in
            let client = try RawClient(port: server.port)
            let css = try client.request("GET", "/static/app.css")
            #expect(css.status == 200)
            #expect(css.text == "body { color: black }")
            #expect(css.headers["content-type"] == "text/css; charset=utf-8")
            #expect(css.headers["cache-control"] == "public, max-age=300")
            let etag = try #require(css.headers["etag"])
            #expect(etag.hasPrefix("\"") && etag.hasSuffix("\"") && !etag.hasPrefix("W/"))
            let js = try client.request("GET", "/static/js/app.js")
            #expect(js.text == "console.log(1)")
            #expect(js.headers["content-type"] == "text/javascript; charset=utf-8")
            #expect(js.headers["etag"] != etag)
            #expect(try client.request("GET", "/static/icon.svg").headers["content-type"] == "image/svg+xml")
            #expect(try client.request("GET", "/static/").text == "<!doctype html><title>t</title>")
            let cached = try client.request("GET", "/static/app.css", headers: ["If-None-Match: \(etag)"])
            #expect(cached.status == 304)
            #expect(cached.body.isEmpty)
            #expect(cached.headers["etag"] == etag)
            #expect(try client.request("GET", "/static/.secret").status == 404)
            #expect(try client.request("GET", "/static/missing.css").status == 404)
        }
    }

    @Test(arguments: [
        "/static/../Package.swift", "/static/%2e%2e/Package.swift", "/static/%2E%2E/%2e%2e/etc/passwd",
        "/static/js/../../Package.swift", "/static/..%2fPackage.swift", "/static/js%2f..%2f..%2fPackage.swift",
        "/static/%2fetc/passwd", "/static/app.css%00.png", "/static/..%5capp.css", "/static/./app.css",
        "/static/js/%2e/app.js",
    ])
    func traversalAttemptsAre404(target: String) throws {
        let assets = try AssetDirectory(files: Self.files)
        defer { assets.cleanUp() }
        var router = Router()
        router.get("/static/*", try StaticFiles(directory: assets.path).handler)
        try withServer(router) { server in
            let client = try RawClient(port: server.port)
            let response = try client.request("GET", target)
            #expect(response.status == 404)
            #expect(!response.text.contains("swift-tools-version"))
            #expect(!response.text.contains("root:"))
        }
    }

    @Test func safePathRules() {
        #expect(StaticFiles.isSafe("app.css"))
        #expect(StaticFiles.isSafe("js/app.js"))
        #expect(StaticFiles.isSafe(""))
        #expect(StaticFiles.isSafe("js/"))
        #expect(!StaticFiles.isSafe("../x"))
        #expect(!StaticFiles.isSafe("js/../../x"))
        #expect(!StaticFiles.isSafe("/etc/passwd"))
        #expect(!StaticFiles.isSafe("a\\b"))
        #expect(!StaticFiles.isSafe("a\0b"))
        #expect(!StaticFiles.isSafe("a//b"))
        #expect(!StaticFiles.isSafe("./a"))
        #expect(!StaticFiles.isSafe("~root/x"))
    }

    @Test func contentTypesByExtension() {
        #expect(StaticFiles.contentType(forPath: "a.png") == "image/png")
        #expect(StaticFiles.contentType(forPath: "x/a.WOFF2") == "font/woff2")
        #expect(StaticFiles.contentType(forPath: "a.json") == "application/json")
        #expect(StaticFiles.contentType(forPath: "a.txt") == "text/plain; charset=utf-8")
        #expect(StaticFiles.contentType(forPath: "a.ico") == "image/x-icon")
        #expect(StaticFiles.contentType(forPath: "a.html") == "text/html; charset=utf-8")
        #expect(StaticFiles.contentType(forPath: "README") == "application/octet-stream")
    }

    @Test func etagFollowsContent() {
        #expect(StaticFiles.etag(for: Array("a".utf8)) == StaticFiles.etag(for: Array("a".utf8)))
        #expect(StaticFiles.etag(for: Array("a".utf8)) != StaticFiles.etag(for: Array("b".utf8)))
        // FNV-1a 64 of "a" is af63dc4c8601ec8c.
        #expect(StaticFiles.etag(for: Array("a".utf8)) == "\"af63dc4c8601ec8c-1\"")
    }
}

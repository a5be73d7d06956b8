#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import HTTPTypes

/// Files of a directory, read into memory once, served with a content type by extension, a
/// strong ETag from their content and a short public cache lifetime.
///
/// Only the files read at init exist for it, so no request can reach outside the directory;
/// paths with `..`, `.`, empty segments, NUL, backslash or a leading `/` are refused (404)
/// before the lookup anyway. Hidden files (a name starting with `.`) are not loaded.
///
/// ```swift
/// let assets = try StaticFiles(directory: "Public")
/// router.get("/static/*", assets.handler)
/// ```
public struct StaticFiles: Sendable {
    /// One loaded file.
    public struct File: Sendable {
        public var bytes: [UInt8]
        public var contentType: String
        /// A strong entity tag (quoted) derived from the content.
        public var etag: String
    }

    /// Loaded files by path relative to the directory, `/`-separated.
    public let files: [String: File]
    /// The `Cache-Control` value sent with every file.
    public let cacheControl: String

    /// Reads every (non-hidden) file under `directory`, recursively.
    public init(directory: URL, cacheControl: String = "public, max-age=300") throws {
        let root = directory.standardizedFileURL.resolvingSymlinksInPath()
        var files: [String: File] = [:]
        let manager = FileManager.default
        var pending = [""]
        while let relativeDirectory = pending.popLast() {
            let url = relativeDirectory.isEmpty ? root : root.appendingPathComponent(relativeDirectory, isDirectory: true)
            for name in try manager.contentsOfDirectory(atPath: url.path) where !name.hasPrefix(".") {
                let relative = relativeDirectory.isEmpty ? name : relativeDirectory + "/" + name
                let path = url.appendingPathComponent(name).path
                let type = try manager.attributesOfItem(atPath: path)[.type] as? FileAttributeType
                if type == .typeDirectory {
                    pending.append(relative)
                } else if type == .typeRegular || type == .typeSymbolicLink {
                    let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
                    files[relative] = File(bytes: bytes, contentType: Self.contentType(forPath: name),
                                           etag: Self.etag(for: bytes))
                }
            }
        }
        self.files = files
        self.cacheControl = cacheControl
    }

    /// Reads every (non-hidden) file under the directory at `path`.
    public init(directory path: String, cacheControl: String = "public, max-age=300") throws {
        try self.init(directory: URL(fileURLWithPath: path, isDirectory: true), cacheControl: cacheControl)
    }

    /// Serves the path a trailing `*` captured (`Request.parameters["*"]`), else the whole path.
    public var handler: Handler {
        { request in
            response(forPath: request.parameters[Router.restParameter] ?? request.path)
        }
    }

    /// The response for a path relative to the directory: the file, or 404. An empty path (or
    /// one ending in `/`) means the `index.html` there.
    public func response(forPath path: String) -> Response {
        guard Self.isSafe(path) else { return ServerCore.plain(.notFound) }
        let key = path.isEmpty || path.hasSuffix("/") ? path + "index.html" : path
        guard let file = files[key] else { return ServerCore.plain(.notFound) }
        var fields = HTTPFields()
        fields[.contentType] = file.contentType
        fields[.eTag] = file.etag
        fields[.cacheControl] = cacheControl
        fields[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        return Response(status: .ok, headerFields: fields, body: .bytes(file.bytes))
    }

    /// A relative path with nothing that could climb out of, or jump past, the directory.
    static func isSafe(_ path: String) -> Bool {
        if path.hasPrefix("/") || path.contains("\0") || path.contains("\\") { return false }
        if path.isEmpty { return true }
        var segments = path.split(separator: "/", omittingEmptySubsequences: false)
        if segments.last == "" { segments.removeLast() }
        return !segments.contains { $0.isEmpty || $0 == "." || $0 == ".." || $0.hasPrefix("~") }
    }

    /// The media type for a file name's extension; `application/octet-stream` when unknown.
    public static func contentType(forPath path: String) -> String {
        let name = path.split(separator: "/").last ?? ""
        guard let dot = name.lastIndex(of: ".") else { return "application/octet-stream" }
        switch name[name.index(after: dot)...].lowercased() {
        case "html", "htm": return "text/html; charset=utf-8"
        case "css": return "text/css; charset=utf-8"
        case "js", "mjs": return "text/javascript; charset=utf-8"
        case "json", "map": return "application/json"
        case "webmanifest": return "application/manifest+json"
        case "svg": return "image/svg+xml"
        case "png": return "image/png"
        case "jpg", "jpeg": return "image/jpeg"
        case "gif": return "image/gif"
        case "webp": return "image/webp"
        case "ico": return "image/x-icon"
        case "woff2": return "font/woff2"
        case "woff": return "font/woff"
        case "txt": return "text/plain; charset=utf-8"
        case "csv": return "text/csv; charset=utf-8"
        default: return "application/octet-stream"
        }
    }

    /// A strong ETag: FNV-1a 64 of the content (plus its length, so equal hashes of different
    /// sizes still differ). Not cryptographic; it only has to change when the file does.
    static func etag(for bytes: [UInt8]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return "\"" + String(repeating: "0", count: 16 - hex.count) + hex + "-" + String(bytes.count, radix: 16) + "\""
    }
}

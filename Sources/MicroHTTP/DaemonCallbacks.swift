import CMicroHTTPD
import HTTPTypes
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// The C callbacks handed to libmicrohttpd. Global functions, not closures: a closure can be
// inferred to be @MainActor and would trap when called from a daemon thread.

/// MHD_OPTION_URI_LOG_CALLBACK: the first thing seen of a request, with its raw target. The
/// returned object becomes `*req_cls` and is released by `requestCompleted`.
func uriLogged(cls: UnsafeMutableRawPointer?, uri: UnsafePointer<CChar>?, connection: OpaquePointer?) -> UnsafeMutableRawPointer? {
    guard let cls else { return nil }
    let core = Unmanaged<ServerCore>.fromOpaque(cls).takeUnretainedValue()
    var raw: [UInt8] = []
    if let uri {
        raw = Array(UnsafeRawBufferPointer(start: uri, count: strlen(uri)))
    }
    return Unmanaged.passRetained(core.beginRequest(rawTarget: raw)).toOpaque()
}

/// MHD_AccessHandlerCallback.
func accessHandler(
    cls: UnsafeMutableRawPointer?, connection: OpaquePointer?, url: UnsafePointer<CChar>?,
    method: UnsafePointer<CChar>?, version: UnsafePointer<CChar>?, uploadData: UnsafePointer<CChar>?,
    uploadDataSize: UnsafeMutablePointer<Int>?, requestContext: UnsafeMutablePointer<UnsafeMutableRawPointer?>?
) -> MHD_Result {
    guard let cls, let connection, let uploadDataSize, let pending = requestContext?.pointee else { return .NO }
    let core = Unmanaged<ServerCore>.fromOpaque(cls).takeUnretainedValue()
    let request = Unmanaged<PendingRequest>.fromOpaque(pending).takeUnretainedValue()
    return core.access(request, connection: connection, method: method, uploadData: uploadData,
                       uploadDataSize: uploadDataSize)
}

/// MHD_OPTION_NOTIFY_COMPLETED: the request is over (answered, failed or abandoned).
func requestCompleted(
    cls: UnsafeMutableRawPointer?, connection: OpaquePointer?,
    requestContext: UnsafeMutablePointer<UnsafeMutableRawPointer?>?, reason: MHD_RequestTerminationCode
) {
    guard let requestContext, let pending = requestContext.pointee else { return }
    requestContext.pointee = nil
    Unmanaged<PendingRequest>.fromOpaque(pending).release()
}

/// MHD_KeyValueIterator collecting request header fields into the `HTTPFields` at `cls`.
func collectHeaderField(
    cls: UnsafeMutableRawPointer?, kind: MHD_ValueKind, key: UnsafePointer<CChar>?, value: UnsafePointer<CChar>?
) -> MHD_Result {
    guard let cls, let key, let name = HTTPField.Name(String(cString: key)) else { return .YES }
    let fields = cls.assumingMemoryBound(to: HTTPFields.self)
    fields.pointee.append(HTTPField(name: name, value: value.map { String(cString: $0) } ?? ""))
    return .YES
}

/// MHD_ContentReaderCallback of a streaming response.
func streamReader(cls: UnsafeMutableRawPointer?, position: UInt64, buffer: UnsafeMutablePointer<CChar>?, max: Int) -> Int {
    guard let cls, let buffer else { return -1 }
    let context = Unmanaged<StreamContext>.fromOpaque(cls).takeUnretainedValue()
    return context.body.read(into: UnsafeMutableRawBufferPointer(start: buffer, count: max))
}

/// MHD_ContentReaderFreeCallback of a streaming response: the response is gone.
func streamFree(cls: UnsafeMutableRawPointer?) {
    guard let cls else { return }
    let context = Unmanaged<StreamContext>.fromOpaque(cls).takeRetainedValue()
    context.core.streamEnded(context.body)
}

/// tv_log_sink function: a message from libmicrohttpd (bind failures, protocol errors).
func daemonMessage(cls: UnsafeMutableRawPointer?, message: UnsafePointer<CChar>?) {
    guard let cls, let message else { return }
    let core = Unmanaged<ServerCore>.fromOpaque(cls).takeUnretainedValue()
    var text = String(cString: message)
    while text.last?.isNewline == true { text.removeLast() }
    core.daemonLogged(text)
}

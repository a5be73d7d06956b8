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
        let length = strlen(uri)
        raw = Array(UnsafeRawBufferPointer(start: uri, count: length))
        // The query is parsed from `raw` (RequestTarget); libmicrohttpd would also parse it,
        // right after this callback, into one record per parameter in the connection's 32 KiB
        // memory pool. A few hundred parameters exhaust the pool, and 0.9.75 then fails to send
        // its own 431 and leaves the client waiting. Ending the string just after the `?` (in
        // libmicrohttpd's own, writable read buffer) leaves it no parameters to parse.
        if let mark = memchr(uri, Int32(UInt8(ascii: "?")), length) {
            // At most the terminating NUL is overwritten, with a NUL.
            mark.advanced(by: 1).storeBytes(of: 0, as: CChar.self)
        }
    }
    if let connection, let record = tv_mhd_socket_context(connection) {
        Unmanaged<ConnectionRecord>.fromOpaque(record).takeUnretainedValue().requestsStarted += 1
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
    let core = cls.map { Unmanaged<ServerCore>.fromOpaque($0).takeUnretainedValue() }
    if reason == .REQUEST_TERMINATED_TIMEOUT_REACHED { core?.gate.timedOut.add(1, ordering: .relaxed) }
    guard let requestContext, let pending = requestContext.pointee else { return }
    requestContext.pointee = nil
    let request = Unmanaged<PendingRequest>.fromOpaque(pending)
    core?.ended(request.takeUnretainedValue(), connection: connection, reason: reason)
    request.release()
}

/// MHD_AcceptPolicyCallback: admits a connection under the per-address limit.
func acceptPolicy(cls: UnsafeMutableRawPointer?, address: UnsafePointer<sockaddr>?, length: socklen_t) -> MHD_Result {
    guard let cls else { return .YES }
    return Unmanaged<ServerCore>.fromOpaque(cls).takeUnretainedValue().gate.admit(address) ? .YES : .NO
}

/// MHD_NotifyConnectionCallback (`cls`: the daemon's `DaemonTag`): a connection opened (its
/// record goes in `socketContext`) or closed.
func connectionNotified(
    cls: UnsafeMutableRawPointer?, connection: OpaquePointer?, socketContext: UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
    code: MHD_ConnectionNotificationCode
) {
    guard let cls, let connection, let socketContext else { return }
    let tag = Unmanaged<DaemonTag>.fromOpaque(cls).takeUnretainedValue()
    let core = tag.core
    if code == .CONNECTION_NOTIFY_STARTED {
        socketContext.pointee = Unmanaged.passRetained(core.gate.opened(connection, generation: tag.generation)).toOpaque()
    } else if let record = socketContext.pointee {
        socketContext.pointee = nil
        core.gate.closed(Unmanaged<ConnectionRecord>.fromOpaque(record).takeRetainedValue())
    }
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

/// MHD_ContentReaderCallback of a streaming response: at most ``streamReadLimit`` bytes a call.
func streamReader(cls: UnsafeMutableRawPointer?, position: UInt64, buffer: UnsafeMutablePointer<CChar>?, max: Int) -> Int {
    guard let cls, let buffer else { return -1 }
    let context = Unmanaged<StreamContext>.fromOpaque(cls).takeUnretainedValue()
    return context.body.read(into: UnsafeMutableRawBufferPointer(start: buffer, count: min(max, streamReadLimit)))
}

/// The most bytes one read of a stream hands libmicrohttpd. libmicrohttpd 0.9.75 offers the free part of the
/// connection's memory pool (most of `connectionMemoryLimit`); filling all of it once, as a page-sized first
/// message does, leaves every page of the pool resident for as long as the stream stays open. Measured on a
/// release build with 200 `/live?page=1&per=200` clients of a 2,000-agent floor (a 530 KB first message each):
/// 38 KiB resident per client uncapped, 24–26 KiB with a cap of 16, 8, 4 or 2 KiB; 16 KiB keeps the fewest
/// calls and chunks.
let streamReadLimit = 16 * 1024

/// MHD_ContentReaderFreeCallback of a streaming response: the response is gone.
func streamFree(cls: UnsafeMutableRawPointer?) {
    guard let cls else { return }
    let context = Unmanaged<StreamContext>.fromOpaque(cls).takeRetainedValue()
    context.core.streamEnded(context.body)
}

/// MHD_ContentReaderFreeCallback of a buffer response: libmicrohttpd is done with its bytes.
func releaseHeldBytes(cls: UnsafeMutableRawPointer?) {
    guard let cls else { return }
    Unmanaged<HeldBytes>.fromOpaque(cls).release()
}

/// tv_log_sink function: a message from libmicrohttpd (bind failures, protocol errors).
func daemonMessage(cls: UnsafeMutableRawPointer?, message: UnsafePointer<CChar>?) {
    guard let cls, let message else { return }
    let core = Unmanaged<ServerCore>.fromOpaque(cls).takeUnretainedValue()
    var text = String(cString: message)
    while text.last?.isNewline == true { text.removeLast() }
    core.daemonLogged(text)
}

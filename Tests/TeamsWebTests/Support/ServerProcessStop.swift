import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Stops a `teamsview serve` child process with SIGTERM, as systemd does. A server that has not exited
/// 20 s later fails the test and is killed, so a lost stop shows as a failure instead of a test run that
/// never ends.
func stopServer(_ process: Process, sourceLocation: SourceLocation = #_sourceLocation) {
    guard process.isRunning else { return }
    process.terminate()
    let deadline = Date().addingTimeInterval(20)
    while process.isRunning && Date() < deadline { usleep(20_000) }
    if process.isRunning {
        Issue.record("the server did not stop within 20 s of SIGTERM", sourceLocation: sourceLocation)
        kill(process.processIdentifier, SIGKILL)
    }
    process.waitUntilExit()
}

import Foundation

/// One apply at a time per host or namespace: an flock on `<state dir>/apply-<scope>.lock`, which
/// holds the holder's pid for the message. plan and check never take it.
public final class ApplyLock {
    private let fd: Int32
    public let path: String

    public struct Busy: Error, CustomStringConvertible {
        public var path: String
        public var holder: String
        public var description: String { "another poolnet apply (pid \(holder)) holds \(path); try again when it has finished" }
    }

    /// Takes the lock, waiting up to `wait` seconds (0: fail at once).
    public init(stateDirectory: String, scope: String, wait: TimeInterval = 0) throws {
        try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)
        path = "\(stateDirectory)/apply-\(scope).lock"
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path]) }
        let deadline = Date().addingTimeInterval(wait)
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK, Date() < deadline else {
                var buffer = [UInt8](repeating: 0, count: 32)
                let n = pread(fd, &buffer, buffer.count, 0)
                close(fd)
                let holder = String(decoding: buffer.prefix(max(0, n)), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                throw Busy(path: path, holder: holder.isEmpty ? "?" : holder)
            }
            usleep(50_000)
        }
        ftruncate(fd, 0)
        let pid = "\(getpid())\n"
        _ = pid.withCString { pwrite(fd, $0, strlen($0), 0) }
    }

    deinit {
        ftruncate(fd, 0)
        close(fd)  // releases the flock
    }
}

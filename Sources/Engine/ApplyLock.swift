import Foundation
import Storage
import Netlink
import SystemCalls

/// One apply at a time per network namespace: an flock on `/run/poolnet/apply-net-<inode>.lock`,
/// keyed by the namespace itself (its nsfs inode), not by a name or by `--state-dir`, so two applies
/// to one namespace exclude each other however they name it. The file holds the holder's pid for
/// the message. plan and check never take it.
public final class ApplyLock {
    private let fd: Int32
    public let path: String
    /// Where the lock files live: /run is a tmpfs, so no lock survives a reboot.
    public static let directory = "/run/poolnet"

    public struct Busy: Error, CustomStringConvertible {
        public var path: String
        public var holder: String
        public var description: String { "another poolnet apply (pid \(holder)) holds \(path); try again when it has finished" }
    }

    /// Takes the lock for the namespace `netns` (nil: this process's own), waiting up to `wait`
    /// seconds (0: fail at once).
    public init(netns: String?, wait: TimeInterval = 0) throws {
        path = try Self.path(netns: netns)
        do { fd = try Syscall.open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600) } catch {
            throw StateError.system("open the apply lock", path, error.code)
        }
        let deadline = Date().addingTimeInterval(wait)
        while true {
            do { try Syscall.tryLockExclusive(fd); break } catch {
                guard error == .EWOULDBLOCK || error == .EINTR, Date() < deadline else {
                    let holder = Self.holder(fd)
                    Syscall.close(fd)
                    throw Busy(path: path, holder: holder)
                }
            }
            Syscall.sleep(0.05)
        }
        try? Syscall.ftruncate(fd, 0)
        _ = try? StateDirectory.writeAll(fd, Array("\(Syscall.processID)\n".utf8), path: path)
    }

    deinit {
        try? Syscall.ftruncate(fd, 0)
        Syscall.close(fd)  // releases the flock
    }

    /// Whether an apply holds the lock of `netns` right now (tries it and lets go at once).
    public static func isHeld(netns: String?) -> Bool {
        guard let path = try? path(netns: netns) else { return false }
        guard let fd = try? Syscall.open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC) else { return false }
        defer { Syscall.close(fd) }
        if (try? Syscall.tryLockExclusive(fd)) != nil { Syscall.unlock(fd); return false }
        return true
    }

    static func path(netns: String?) throws -> String {
        let directory = try StateDirectory(Self.directory)
        let namespace = netns.map(NetworkNamespace.path(of:)) ?? "/proc/self/ns/net"
        if let netns { try NetworkNamespace.checkName(netns) }
        let inode: UInt64
        do { inode = try Syscall.inode(namespace) } catch {
            throw StateError.system("find the network namespace", namespace, error.code)
        }
        return directory.file("apply-net-\(inode).lock")
    }

    private static func holder(_ fd: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 32)
        let n = Syscall.pread(fd, into: &buffer)
        let text = String(decoding: buffer.prefix(n), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? "?" : text
    }
}

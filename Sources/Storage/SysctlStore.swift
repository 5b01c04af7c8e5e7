import Foundation
import SystemCalls
import HostState
import Synchronization

/// Reads and writes per-interface network sysctls under /proc/sys (injectable root for tests).
/// /proc/sys/net shows the network namespace of the thread that opens it, so callers run this on
/// the same namespace thread as their netlink work.
public struct SysctlStore: Sendable {
    public var root: String

    public init(root: String = "/proc/sys") { self.root = root }

    /// Sysctl files this process opened to read: each key once per read, counted by a test.
    public static let filesRead = Atomic<Int>(0)

    public func read(_ key: SysctlKey) -> Int? {
        Self.filesRead.add(1, ordering: .relaxed)
        guard let data = FileManager.default.contents(atPath: "\(root)/\(key.path)"),
              let text = String(data: data, encoding: .utf8) else { return nil }
        return Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Values of the keys that exist; absent keys (no such link, IPv6 off) are left out.
    public func read(_ keys: [SysctlKey]) -> [SysctlValue] {
        var seen = Set<SysctlKey>()
        return keys.compactMap { key in seen.insert(key).inserted ? read(key).map { SysctlValue(key, $0) } : nil }
    }

    public struct WriteError: Error, CustomStringConvertible {
        public var key: SysctlKey
        public var reason: String
        public var description: String { "write \(key): \(reason)" }
    }

    public func write(_ key: SysctlKey, _ value: Int) throws(WriteError) {
        let path = "\(root)/\(key.path)"
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw WriteError(key: key, reason: "cannot open \(path) (\(Errno.current.text))")
        }
        defer { try? handle.close() }
        do { try handle.write(contentsOf: Data("\(value)\n".utf8)) } catch {
            throw WriteError(key: key, reason: "\(error)")
        }
    }
}

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
        return Self.value(Syscall.readSmallFile("\(root)/\(key.path)"))
    }

    /// Values of the keys that exist; absent keys (no such link, IPv6 off) are left out. Each key
    /// is read once, opened relative to its link's directory, opened once for the link's keys
    /// in a row (callers sort them by name) under its family's `net/<family>/conf`, opened once
    /// per call: the kernel walks one path component per key instead of seven, which halves its
    /// cost of 3,000 keys.
    public func read(_ keys: [SysctlKey]) -> [SysctlValue] {
        var conf: [SysctlKey.Family: Int32?] = [:]
        var linkDirectory: (family: SysctlKey.Family, link: String, fd: Int32?)?
        defer {
            if let fd = linkDirectory?.fd { Syscall.close(fd) }
            for case let fd? in conf.values { Syscall.close(fd) }
        }
        func confDirectory(_ family: SysctlKey.Family) -> Int32? {
            if let known = conf[family] { return known }
            let fd = try? Syscall.openDirectory("\(root)/net/\(family.rawValue)/conf")
            conf[family] = fd
            return fd
        }
        var seen = Set<SysctlKey>()
        return keys.compactMap { key in
            guard seen.insert(key).inserted else { return nil }
            Self.filesRead.add(1, ordering: .relaxed)
            if linkDirectory?.family != key.family || linkDirectory?.link != key.link {
                if let fd = linkDirectory?.fd { Syscall.close(fd) }
                // No conf directory (IPv6 off) or no link directory: the key does not exist, as
                // the full path would have found.
                linkDirectory = (key.family, key.link, confDirectory(key.family).flatMap { try? Syscall.openDirectory(key.link, in: $0) })
            }
            guard let directory = linkDirectory?.fd else { return nil }
            return Self.value(Syscall.readSmallFile(key.name, in: directory)).map { SysctlValue(key, $0) }
        }
    }

    /// `read(keys)`'s values, in its order, those of a link's own keys taken from `links` (a link
    /// read, whose messages carry each device's sysctls): 3,000 keys of 1,000 NICs cost no file
    /// opened. A key of a link not in `links` is absent (no such link, as its file would be);
    /// the names the dump does not carry, a family without devconf in the message (IPv6 off),
    /// a link not read from a dump, and `all` and `default` (not links) are read from the files.
    public func read(_ keys: [SysctlKey], links: [LinkState]) -> [SysctlValue] {
        let linkNames = Set(keys.lazy.map(\.link).filter { !Self.isPseudoDevice($0) })
        var dumped: [String: DumpedSysctls?] = [:]
        for link in links where linkNames.contains(link.name) { dumped.updateValue(link.dumpedSysctls, forKey: link.name) }
        enum Source { case dump(Int), file, absent }
        var seen = Set<SysctlKey>()
        var sources: [(SysctlKey, Source)] = []
        var fileKeys: [SysctlKey] = []
        for key in keys where seen.insert(key).inserted {
            let source: Source
            if Self.isPseudoDevice(key.link) {
                source = .file
            } else if let entry = dumped[key.link] {
                if case .value(let value)? = entry?.answer(key) { source = .dump(value) } else { source = .file }
            } else {
                source = .absent
            }
            if case .file = source { fileKeys.append(key) }
            sources.append((key, source))
        }
        let fromFiles = Dictionary(read(fileKeys).map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
        return sources.compactMap { key, source in
            switch source {
            case .dump(let value): SysctlValue(key, value)
            case .file: fromFiles[key].map { SysctlValue(key, $0) }
            case .absent: nil
            }
        }
    }

    /// The `conf` directories that are not links.
    static func isPseudoDevice(_ link: String) -> Bool { link == "all" || link == "default" }

    /// The integer a sysctl file holds, as `Int(text.trimmingCharacters(in: .whitespacesAndNewlines))`
    /// of its UTF-8 text: nil for a file that is not UTF-8 or not one integer.
    static func value(_ bytes: [UInt8]?) -> Int? {
        guard let bytes else { return nil }
        guard bytes.allSatisfy({ $0 < 0x80 }) else {
            // Non-ASCII (never in /proc/sys): Foundation's trimming knows Unicode's white space.
            guard let text = String(bytes: bytes, encoding: .utf8) else { return nil }
            return Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        // The ASCII members of `.whitespacesAndNewlines`: tab, LF, VT, FF, CR, space.
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || (0x09...0x0D).contains(byte) }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) }) else {
            return nil
        }
        return Int(String(decoding: bytes[first...last], as: UTF8.self))
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

import Foundation
import SystemCalls
import HostState

/// Writes and removes poolnet's hand-over drop-ins and has the manager re-read its configuration,
/// then waits until its runtime state shows it let go (or took back) the devices.
public struct HandOver: Sendable {
    public var roots: ForeignManagerRoots
    public var runner: any CommandRunner
    /// How long a manager gets to act on a reload (NetworkManager took about 3 s in a TCG VM).
    public var settle: TimeInterval = 20

    public init(roots: ForeignManagerRoots = ForeignManagerRoots(), runner: any CommandRunner = ProcessRunner()) {
        self.roots = roots
        self.runner = runner
    }

    /// Writes `content` (nil: removes the file), reloads the manager if it runs in this namespace,
    /// and waits until none of `released` is still managed by it (when content is nil, nothing to wait for).
    /// Equivalent to writing the file and `nmcli general reload` / `networkctl reload`.
    public func write(_ manager: ForeignManager, path: String, content: String?, released: [String]) throws {
        let local = roots.local(path)
        if let content {
            try FileManager.default.createDirectory(atPath: (local as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try AtomicFile.write(content, to: local)
        } else if FileManager.default.fileExists(atPath: local) {
            try FileManager.default.removeItem(atPath: local)
        }
        let running = RunningDaemons.find(proc: roots.proc)
        guard let pid = running[manager] else { return }
        switch manager {
        case .networkManager:
            // SIGHUP is NetworkManager's reload of its configuration (as `nmcli general reload`).
            do { try Syscall.kill(pid, SIGHUP) } catch { throw StorageError("cannot signal NetworkManager (pid \(pid)): \(error.text)") }
        case .networkd:
            let result = runner.run(["networkctl", "reload"], timeout: 30)
            guard result.status == 0 else { throw StorageError("networkctl reload failed (exit \(result.status)): \(result.stderr.trimmingCharacters(in: .whitespacesAndNewlines))") }
        default:
            return
        }
        guard content != nil else { return }
        // Indexes in this thread's namespace (a netlink-free lookup: SIOCGIFINDEX on a socket opened here).
        let live = released.compactMap { name -> (name: String, index: Int32)? in
            Syscall.interfaceIndex(name).map { (name, $0) }
        }
        let deadline = Date().addingTimeInterval(settle)
        while true {
            let still = live.compactMap { link -> ForeignClaim? in
                manager == .networkManager ? NetworkManagerDevices.claim(device: link.name, ifindex: link.index, roots: roots)
                    : NetworkdLinks.claim(device: link.name, ifindex: link.index, roots: roots)
            }
            if still.isEmpty { return settle(released) }
            if Date() > deadline {
                throw StorageError("\(manager.displayName) still manages \(still.map(\.device).joined(separator: ", ")) \(Int(settle)) s after reading \(path): "
                                   + still.map(\.evidence).joined(separator: "; ") + " (a file that sorts earlier may match them first)")
            }
            Syscall.sleep(0.2)
        }
    }

    /// A manager that lets go deconfigures the device right after (NetworkManager removes its
    /// addresses and sets the link down): waits until the devices' flags and addresses stay the
    /// same for three reads 300 ms apart (at most `settle` seconds), so the plan that follows reads
    /// the result, not a state half-way.
    func settle(_ devices: [String]) {
        let wanted = Set(devices)
        func snapshot() -> [String] {
            var list: UnsafeMutablePointer<ifaddrs>?
            guard getifaddrs(&list) == 0 else { return [] }
            defer { freeifaddrs(list) }
            var lines: [String] = []
            var entry = list
            while let e = entry {
                let name = String(cString: e.pointee.ifa_name)
                if wanted.contains(name) {
                    var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
                    if let addr = e.pointee.ifa_addr, addr.pointee.sa_family == sa_family_t(AF_INET) || addr.pointee.sa_family == sa_family_t(AF_INET6) {
                        let length = socklen_t(addr.pointee.sa_family == sa_family_t(AF_INET) ? MemoryLayout<sockaddr_in>.size : MemoryLayout<sockaddr_in6>.size)
                        getnameinfo(addr, length, &host, socklen_t(host.count), nil, 0, NI_NUMERICHOST)
                    }
                    lines.append("\(name) \(e.pointee.ifa_flags) \(String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))")
                }
                entry = e.pointee.ifa_next
            }
            return lines.sorted()
        }
        let deadline = Date().addingTimeInterval(settle)
        var last = snapshot(), same = 0
        while same < 2 && Date() < deadline {
            Syscall.sleep(0.3)
            let now = snapshot()
            same = now == last ? same + 1 : 0
            last = now
        }
    }
}

import Foundation
import SystemCalls
import HostState

/// Which network daemons run in the network namespace of the calling thread: their runtime files
/// are keyed by ifindex in their own namespace, so a daemon of another namespace (or a stale file
/// of one that stopped) must not count.
public enum RunningDaemons {
    /// Process names as the kernel keeps them (`comm`, at most 15 characters).
    static let names: [String: ForeignManager] = [
        "NetworkManager": .networkManager, "systemd-network": .networkd, "ovs-vswitchd": .openvswitch, "xcp-networkd": .xapi,
    ]

    /// Manager → pid of its daemon in this thread's network namespace.
    public static func find(proc: String = "/proc") -> [ForeignManager: Int32] {
        let own = inode("\(proc)/thread-self/ns/net")
        var found: [ForeignManager: Int32] = [:]
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: proc)) ?? [] {
            guard let pid = Int32(entry), let comm = ForeignFile.text("\(proc)/\(entry)/comm"),
                  let manager = names[comm.trimmingCharacters(in: .whitespacesAndNewlines)] else { continue }
            if let own, inode("\(proc)/\(entry)/ns/net") != own { continue }
            found[manager] = pid
        }
        return found
    }

    static func inode(_ path: String) -> UInt64? {
        try? Syscall.inode(path)
    }
}

import Foundation
import TestSupport
import XCTest

/// A real iSCSI target (tgtd) in its own namespace behind two veth pairs, one per subnet, exporting
/// one LUN on two portals; the initiator ends (stor0, stor1) sit in the VM's own namespace, where
/// iscsid and multipathd run (iSCSI is not namespace-aware). Only ever built inside the VM tier.
final class ISCSILab {
    static let target = "iqn.2026-11.org.example:store1"
    static let namespace = "pn-tgt"
    let state: URL
    private var tgtd: Process?

    /// Skips on the host, fails in the VM when a piece is missing.
    static func require() throws {
        guard KernelFeature.inVM else {
            throw XCTSkip("iSCSI needs the host's own network namespace; the test runs in the VM tier only (scripts/vm-test)")
        }
        for path in ["/sys/module/iscsi_tcp", "/sys/module/dm_multipath"] where !FileManager.default.fileExists(atPath: path) {
            XCTFail("the VM lacks \(path)")
            throw XCTSkip("failed: \(path) missing in the VM")
        }
        let unix = (try? String(contentsOfFile: "/proc/net/unix", encoding: .utf8)) ?? ""
        for socket in ["@ISCSIADM_ABSTRACT_NAMESPACE", "@/org/kernel/linux/storage/multipathd"] where !unix.contains(socket) {
            XCTFail("\(socket) does not listen: Tests/vm/inside.sh starts iscsid and multipathd")
            throw XCTSkip("failed: daemon missing")
        }
    }

    init() throws {
        state = FileManager.default.temporaryDirectory.appendingPathComponent("pn-iscsi-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
        Self.cleanUp()
        try must("ip", "netns", "add", Self.namespace)
        for (nic, peer, mine, theirs) in [("stor0", "t0", "192.0.2.1/24", "192.0.2.10/24"), ("stor1", "t1", "198.51.100.1/24", "198.51.100.10/24")] {
            _ = mine
            try must("ip", "link", "add", nic, "type", "veth", "peer", "name", peer, "netns", Self.namespace)
            try must("ip", "link", "set", nic, "up")
            try must("ip", "-n", Self.namespace, "link", "set", peer, "mtu", "9000", "up")
            try must("ip", "-n", Self.namespace, "addr", "add", theirs, "dev", peer)
        }
        // The first path's subnet also has IPv6 (ISCSIIPv6Tests); tgtd listens on every address.
        try must("ip", "-n", Self.namespace, "addr", "add", "2001:db8:a::10/64", "dev", "t0", "nodad")
        try must("ip", "-n", Self.namespace, "link", "set", "lo", "up")
        FileHandle.standardError.write(Data("[iscsi] \(Date()) veths up\n".utf8))
        let lun = state.appendingPathComponent("lun0.img").path
        try must("truncate", "-s", "32M", lun)
        let tgtd = Process()
        tgtd.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
        tgtd.arguments = ["netns", "exec", Self.namespace, "tgtd", "-f"]
        tgtd.standardOutput = FileHandle.nullDevice
        tgtd.standardError = FileHandle.nullDevice
        try tgtd.run()
        self.tgtd = tgtd
        var ready = false
        for _ in 0..<50 where !ready {
            ready = (try? runProcess(["tgtadm", "--lld", "iscsi", "--op", "show", "--mode", "target"]))?.status == 0
            if !ready { usleep(100_000) }
        }
        try tgtadm("--op", "new", "--mode", "target", "--tid", "1", "-T", Self.target)
        try tgtadm("--op", "new", "--mode", "logicalunit", "--tid", "1", "--lun", "1", "-b", lun)
        try tgtadm("--op", "bind", "--mode", "target", "--tid", "1", "-I", "ALL")
        FileHandle.standardError.write(Data("[iscsi] \(Date()) target ready\n".utf8))
    }

    func tgtadm(_ args: String...) throws {
        let result = try runProcess(["tgtadm", "--lld", "iscsi"] + args)
        guard result.status == 0 else { throw CommandFailed(argv: args, result: result) }
    }

    /// Everything the test or poolnet may have left: sessions, records, ifaces, maps, the target.
    static func cleanUp() {
        _ = try? runProcess(["iscsiadm", "-m", "node", "-u"])
        _ = try? runProcess(["iscsiadm", "-m", "node", "-o", "delete"])
        for line in ((try? runProcess(["iscsiadm", "-m", "iface"]))?.stdout ?? "").split(separator: "\n") {
            let name = String(line.split(separator: " ").first ?? "")
            if !name.isEmpty, name != "default", name != "iser" { _ = try? runProcess(["iscsiadm", "-m", "iface", "-I", name, "-o", "delete"]) }
        }
        _ = try? runProcess(["multipath", "-F"])
        // Forget the LUN's WWID (poolnet records it with `multipath -a`), so each test starts
        // from an initiator that has never seen it.
        try? FileManager.default.removeItem(atPath: "/etc/multipath/wwids")
        try? FileManager.default.removeItem(atPath: "/etc/multipath/conf.d/90-poolnet.conf")
        _ = try? runProcess(["multipathd", "reconfigure"])
        // tgtd ignores SIGTERM while it exports targets: this target is throwaway, so SIGKILL.
        _ = try? runProcess(["pkill", "-KILL", "-x", "tgtd"])
        usleep(200_000)
        _ = try? runProcess(["ip", "netns", "delete", namespace])
        for nic in ["stor0", "stor1"] { _ = try? runProcess(["ip", "link", "delete", nic]) }
    }

    func close() {
        Self.cleanUp()
        for _ in 0..<50 where tgtd?.isRunning == true { usleep(100_000) }
        try? FileManager.default.removeItem(at: state)
    }

    /// Polls `body` until it returns true or `seconds` pass.
    static func eventually(_ seconds: Double, _ body: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        repeat {
            if try body() { return true }
            usleep(250_000)
        } while Date() < deadline
        return try body()
    }

    /// (iface, state) of each session, from sysfs.
    static func sessions() -> [String: String] {
        let base = "/sys/class/iscsi_session"
        var result: [String: String] = [:]
        for name in (try? FileManager.default.contentsOfDirectory(atPath: base)) ?? [] {
            let iface = (try? String(contentsOfFile: "\(base)/\(name)/ifacename", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "?"
            result[iface] = (try? String(contentsOfFile: "\(base)/\(name)/state", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return result
    }

    /// Active path count per map, from multipathd.
    static func maps() -> [String: Int] {
        let out = (try? runProcess(["multipathd", "show", "maps", "raw", "format", "%w|%N"]))?.stdout ?? ""
        var result: [String: Int] = [:]
        for line in out.split(separator: "\n") {
            let f = line.split(separator: "|")
            if f.count == 2, let n = Int(f[1]) { result[String(f[0])] = n }
        }
        return result
    }

    static func ifaces() -> [String] {
        ((try? runProcess(["iscsiadm", "-m", "iface"]))?.stdout ?? "").split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) }
            .filter { $0 != "default" && $0 != "iser" }.sorted()
    }
}

import Foundation
import TestSupport
import XCTest

/// Starts the host network managers poolnet must coexist with, the way docs/vm-daemons.md found
/// they run in the test VM without systemd as PID 1: a system D-Bus, each daemon in its own
/// namespace with /sys remounted read-only (else they wait for udev, which only sees the VM's
/// root namespace). Only ever used inside the VM tier: these daemons must never run on the host.
final class ForeignDaemonLab {
    let namespace: String
    private var daemon: Process?

    /// Skips on the host; in the VM, fails when a program the test needs is missing.
    static func require(_ programs: String...) throws {
        guard KernelFeature.inVM else {
            throw XCTSkip("starts a network manager daemon: runs in the VM tier only (scripts/vm-test), never on this machine")
        }
        for program in programs where !["/usr/sbin", "/usr/bin", "/sbin", "/bin", "/lib/systemd", "/usr/share/openvswitch/scripts"]
            .contains(where: { FileManager.default.isExecutableFile(atPath: "\($0)/\(program)") }) {
            XCTFail("\(program) is missing in the VM: scripts/vm-setup installs it")
            throw XCTSkip("failed: \(program) missing")
        }
    }

    init(namespace: String) throws {
        self.namespace = namespace
        _ = try? runProcess(["ip", "netns", "del", namespace])
        try must("ip", "netns", "add", namespace)
        try must("ip", "-n", namespace, "link", "set", "lo", "up")
    }

    deinit {
        stop()
        _ = try? runProcess(["ip", "netns", "del", namespace])
    }

    /// A veth pair in the lab namespace: `nic` plays a NIC, its peer `<nic>p` stays there.
    func addNIC(_ nic: String) throws {
        try must("ip", "-n", namespace, "link", "add", nic, "type", "veth", "peer", "name", "\(nic)p")
        try must("ip", "-n", namespace, "link", "set", "\(nic)p", "up")
    }

    static func startSystemBus() throws {
        if FileManager.default.fileExists(atPath: "/run/dbus/system_bus_socket") { return }
        try FileManager.default.createDirectory(atPath: "/run/dbus", withIntermediateDirectories: true)
        try must("dbus-daemon", "--system", "--fork")
    }

    /// Runs `argv` in the namespace with /sys read-only (the remount stays in that process's mount namespace).
    func start(_ argv: [String], log: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
        process.arguments = ["netns", "exec", namespace, "sh", "-c", "mount -o remount,ro /sys && exec \"$@\"", "sh"] + argv
        FileManager.default.createFile(atPath: log, contents: nil)
        let handle = FileHandle(forWritingAtPath: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        daemon = process
    }

    /// Stops the daemon (SIGTERM, then waits up to 10 s).
    func stop() {
        guard let daemon, daemon.isRunning else { return }
        daemon.terminate()
        for _ in 0..<100 where daemon.isRunning { usleep(100_000) }
        self.daemon = nil
    }

    /// `ip netns exec NS argv…`
    @discardableResult
    func exec(_ argv: String...) throws -> String {
        let result = try runProcess(["ip", "netns", "exec", namespace] + argv)
        guard result.status == 0 else { throw CommandFailed(argv: argv, result: result) }
        return result.stdout
    }

    func ifindex(_ nic: String) throws -> Int {
        let json = try must("ip", "-n", namespace, "-j", "link", "show", nic)
        let array = try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [[String: Any]]
        return array[0]["ifindex"] as! Int
    }

    func addresses(_ nic: String) throws -> [String] {
        let json = try must("ip", "-n", namespace, "-j", "addr", "show", "dev", nic)
        let array = try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [[String: Any]]
        return (array.first?["addr_info"] as? [[String: Any]] ?? []).filter { ($0["family"] as? String) == "inet" }.map { "\($0["local"]!)/\($0["prefixlen"]!)" }
    }

    /// Polls `condition` every 200 ms for up to `seconds`; fails with `what` when it never holds.
    static func wait(_ what: String, seconds: Double = 30, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if (try? condition()) == true { return }
            usleep(200_000)
        }
        if try condition() { return }
        throw Timeout(description: "timed out after \(Int(seconds)) s waiting for \(what)")
    }
}

struct Timeout: Error, CustomStringConvertible {
    var description: String
}

import Engine
import Foundation
import HostState
import Logging
import Planner
import TestSupport
import Topology
import XCTest

/// poolnet next to the real network managers of hypervisor distributions, each started inside the
/// VM (ForeignDaemonLab): detection on their live state, refusal, hand-over with a reload that
/// proves they keep their hands off, and the drop-in removed when the file drops the key.
final class CoexistTests: XCTestCase, PoolFileTesting {
    var poolHost: String { "hv01" }
    static let networkManagerDropIn = "/etc/NetworkManager/conf.d/95-poolnet-lab.conf"
    static let networkdDropIn = "/etc/systemd/network/05-poolnet-lab.network"

    func engine(_ netns: String?) -> Engine {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return Engine(netns: netns, logger: logger)
    }

    /// A pool file with storage NICs `nics` on `subnet` (hv01 gets .11, .12, …) and optional extra text.
    func pool(nics: [String], subnet: String, extra: String = "") -> String {
        var text = "pool: lab\nhosts:\n  hv01: { index: 1 }\n"
        if !nics.isEmpty {
            text += "storage:\n  layout: shared-subnet\nstorage_nics:\n"
            for (i, nic) in nics.enumerated() {
                text += "  - name: \(nic)\n    mtu: 1400\n    subnet: \(subnet).0/24\n    addresses: [\"\(subnet).${index + \(10 + i * 10)}\"]\n"
            }
        }
        return text + extra
    }

    static let bridgeOnly = "bridges:\n  - name: pnbr-co\n"

    func contents(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }

    func render(_ plan: Plan) -> String { plan.renderPlan() }

    func testNetworkManagerDeviceIsRefusedThenHandedOverAndAReloadKeepsItsHandsOff() throws {
        try ForeignDaemonLab.require("NetworkManager", "nmcli", "dbus-daemon")
        try ForeignDaemonLab.startSystemBus()
        let conf = "/etc/NetworkManager/conf.d"
        try FileManager.default.createDirectory(atPath: conf, withIntermediateDirectories: true)
        // No hostname changes and no automatic DHCP profiles: the VM is not NetworkManager's to run.
        try "[main]\nhostname-mode=none\nno-auto-default=*\n".write(toFile: "\(conf)/10-pn-test.conf", atomically: true, encoding: .utf8)
        let lab = try ForeignDaemonLab(namespace: "pn-nm")
        defer {
            _ = try? runProcess(["nmcli", "con", "delete", "pn-nm0"])
            lab.stop()
            for path in ["\(conf)/10-pn-test.conf", Self.networkManagerDropIn, "/run/NetworkManager"] { try? FileManager.default.removeItem(atPath: path) }
        }
        try lab.addNIC("nm0")
        try lab.addNIC("nm1")
        try lab.start(["NetworkManager", "--no-daemon"], log: "/tmp/pn-networkmanager.log")
        let nm0 = try lab.ifindex("nm0")
        let state = "/run/NetworkManager/devices/\(nm0)"
        try ForeignDaemonLab.wait("NetworkManager to manage nm0") { self.contents(state).contains("managed=true") }
        // NetworkManager configures nm0 itself, as an administrator's profile would.
        try must("nmcli", "con", "add", "type", "ethernet", "ifname", "nm0", "con-name", "pn-nm0",
                 "ipv4.method", "manual", "ipv4.addresses", "192.0.2.50/24", "ipv6.method", "disabled")
        try must("nmcli", "con", "up", "pn-nm0")
        try ForeignDaemonLab.wait("NetworkManager's address on nm0") { try lab.addresses("nm0") == ["192.0.2.50/24"] }

        let engine = engine("pn-nm")
        let plain = pool(nics: ["nm0", "nm1"], subnet: "192.0.2")
        let (blocked, _) = try engine.plan(try desired(plain))
        let problem = blocked.problems.first { $0.object == "nm0" }
        XCTAssertTrue(problem?.message.hasPrefix("managed by NetworkManager (\(state):2: managed=true, connection-uuid=") ?? false, render(blocked))
        XCTAssertTrue(problem?.message.contains("coexist: { networkmanager: unmanage }") ?? false, render(blocked))
        XCTAssertTrue(render(blocked).contains("  ! nm0: managed by NetworkManager ("), render(blocked))
        XCTAssertThrowsError(try engine.apply(try desired(plain))) { XCTAssertTrue($0 is PlanBlocked, "\($0)") }
        XCTAssertEqual(try lab.addresses("nm0"), ["192.0.2.50/24"], "a refused apply changes nothing")
        XCTAssertFalse(FileManager.default.fileExists(atPath: Self.networkManagerDropIn))

        let handOver = plain + "coexist: { networkmanager: unmanage }\n"
        let applied = try engine.apply(try desired(handOver))
        XCTAssertEqual(applied.changes.first?.line,
                       "+ NetworkManager hand-over \(Self.networkManagerDropIn) (new): unmanages nm0, nm1, then reload", render(applied))
        XCTAssertTrue(contents(Self.networkManagerDropIn).hasPrefix("# Written by poolnet for pool lab"))
        let devices = try must("nmcli", "-t", "-f", "DEVICE,STATE", "device")
        XCTAssertTrue(devices.contains("nm0:unmanaged") && devices.contains("nm1:unmanaged"), devices)
        XCTAssertEqual(try lab.addresses("nm0"), ["192.0.2.11/24"])

        // A reload (as after any configuration change) must not take nm0 back.
        try must("nmcli", "general", "reload")
        Thread.sleep(forTimeInterval: 5)
        let (after, _) = try engine.plan(try desired(handOver))
        XCTAssertTrue(after.isEmpty, render(after))
        XCTAssertEqual(try lab.addresses("nm0"), ["192.0.2.11/24"])
        XCTAssertFalse(contents(state).contains("managed=true"), contents(state))

        // Dropping the key while the file still declares the NICs would hand them back: refused.
        let (back, _) = try engine.plan(try desired(plain))
        XCTAssertTrue(back.problems.contains { $0.object == "nm0" && $0.message.contains("may manage it again once poolnet removes \(Self.networkManagerDropIn)") }, render(back))
        // Dropping the key and the NICs removes the drop-in, and NetworkManager manages nm0 again.
        let removed = try engine.apply(try desired(pool(nics: [], subnet: "", extra: Self.bridgeOnly)))
        XCTAssertTrue(removed.changes.contains { $0.line.hasPrefix("- NetworkManager hand-over \(Self.networkManagerDropIn) (removed") }, render(removed))
        XCTAssertFalse(FileManager.default.fileExists(atPath: Self.networkManagerDropIn))
        try ForeignDaemonLab.wait("NetworkManager to manage nm0 again") { self.contents(state).contains("managed=true") }
    }

    func testNetworkdLinkIsRefusedThenHandedOverAndAReloadKeepsItsHandsOff() throws {
        try ForeignDaemonLab.require("systemd-networkd", "networkctl", "dbus-daemon")
        try ForeignDaemonLab.startSystemBus()
        let dir = "/etc/systemd/network"
        let network = "\(dir)/50-pn-test.network"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "[Match]\nName=nd0\n\n[Network]\nAddress=198.51.100.7/24\n".write(toFile: network, atomically: true, encoding: .utf8)
        let lab = try ForeignDaemonLab(namespace: "pn-nd")
        defer {
            lab.stop()
            for path in [network, Self.networkdDropIn] { try? FileManager.default.removeItem(atPath: path) }
        }
        try lab.addNIC("nd0")
        try lab.start(["/lib/systemd/systemd-networkd"], log: "/tmp/pn-networkd.log")
        let nd0 = try lab.ifindex("nd0")
        let state = "/run/systemd/netif/links/\(nd0)"
        try ForeignDaemonLab.wait("networkd to configure nd0") { try lab.addresses("nd0") == ["198.51.100.7/24"] }
        try ForeignDaemonLab.wait("networkd's link state of nd0") { self.contents(state).contains("NETWORK_FILE=\(network)") }

        let engine = engine("pn-nd")
        let plain = pool(nics: ["nd0"], subnet: "198.51.100")
        let (blocked, _) = try engine.plan(try desired(plain))
        let problem = blocked.problems.first { $0.object == "nd0" }
        XCTAssertTrue(problem?.message.contains("managed by systemd-networkd (\(state):2: ADMIN_STATE=configur") ?? false, render(blocked))
        XCTAssertTrue(problem?.message.contains("NETWORK_FILE=\(network))") ?? false, render(blocked))
        XCTAssertThrowsError(try engine.apply(try desired(plain))) { XCTAssertTrue($0 is PlanBlocked, "\($0)") }
        XCTAssertEqual(try lab.addresses("nd0"), ["198.51.100.7/24"], "a refused apply changes nothing")

        let handOver = plain + "coexist: { networkd: unmanage }\n"
        let applied = try engine.apply(try desired(handOver))
        XCTAssertEqual(applied.changes.first?.line,
                       "+ systemd-networkd hand-over \(Self.networkdDropIn) (new): unmanages nd0, then reload", render(applied))
        XCTAssertTrue(contents(Self.networkdDropIn).contains("[Match]\nName=nd0\n\n[Link]\nUnmanaged=yes\n"), contents(Self.networkdDropIn))
        XCTAssertTrue(contents(state).contains("ADMIN_STATE=unmanaged"), contents(state))
        XCTAssertTrue(try lab.exec("networkctl", "list", "nd0").contains("unmanaged"))
        XCTAssertEqual(try lab.addresses("nd0"), ["198.51.100.11/24"], "networkd removed its address when it let go; poolnet's is there")

        try lab.exec("networkctl", "reload")
        Thread.sleep(forTimeInterval: 5)
        let (after, _) = try engine.plan(try desired(handOver))
        XCTAssertTrue(after.isEmpty, render(after))
        XCTAssertEqual(try lab.addresses("nd0"), ["198.51.100.11/24"])

        let removed = try engine.apply(try desired(pool(nics: [], subnet: "", extra: Self.bridgeOnly)))
        XCTAssertTrue(removed.changes.contains { $0.line.hasPrefix("- systemd-networkd hand-over \(Self.networkdDropIn) (removed") }, render(removed))
        XCTAssertFalse(FileManager.default.fileExists(atPath: Self.networkdDropIn))
        try ForeignDaemonLab.wait("networkd to configure nd0 again") { self.contents(state).contains("NETWORK_FILE=\(network)") }
    }

    /// ifupdown2 configures the VM's own namespace (boot-time configuration applies there only).
    func testIfupdown2StanzaIsReportedWithFileLineAndIfreloadLeavesPoolnetsBridgeAlone() throws {
        try ForeignDaemonLab.require("ifreload", "ifquery")
        try FileManager.default.createDirectory(atPath: "/run/network", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: "/etc/network/interfaces.d", withIntermediateDirectories: true)
        let main = "/etc/network/interfaces", stanza = "/etc/network/interfaces.d/pn-test"
        let saved = contents(main)
        try "source /etc/network/interfaces.d/*\n\nauto lo\niface lo inet loopback\n".write(toFile: main, atomically: true, encoding: .utf8)
        try "# a NIC ifupdown2 configures\nauto if0\niface if0 inet static\n    address 203.0.113.1/24\n".write(toFile: stanza, atomically: true, encoding: .utf8)
        defer {
            _ = try? runProcess(["ip", "link", "del", "if0"])
            _ = try? runProcess(["ip", "link", "del", "pnbr-co"])
            try? FileManager.default.removeItem(atPath: stanza)
            try? saved.write(toFile: main, atomically: true, encoding: .utf8)
        }
        try must("ip", "link", "add", "if0", "type", "veth", "peer", "name", "if0p")
        try must("ifreload", "-a")
        XCTAssertTrue(try must("ip", "-br", "addr", "show", "if0").contains("203.0.113.1/24"))

        let engine = engine(nil)
        let (blocked, _) = try engine.plan(try desired(pool(nics: ["if0"], subnet: "203.0.113")))
        let problem = blocked.problems.first { $0.object == "if0" }
        XCTAssertTrue(problem?.message.hasPrefix("managed by ifupdown (\(stanza):3: iface if0") ?? false, render(blocked))
        XCTAssertTrue(problem?.message.contains("`ifdown if0`, remove it at \(stanza):3, then `ifreload -a`") ?? false, render(blocked))
        XCTAssertThrowsError(try engine.apply(try desired(pool(nics: ["if0"], subnet: "203.0.113")))) { XCTAssertTrue($0 is PlanBlocked, "\($0)") }

        // A bridge ifupdown2 does not know: applied, and a reload leaves it (and if0) alone.
        let bridgeOnly = pool(nics: [], subnet: "", extra: Self.bridgeOnly)
        let applied = try engine.apply(try desired(bridgeOnly))
        XCTAssertTrue(applied.problems.isEmpty && applied.foreign.isEmpty, render(applied))
        try must("ifreload", "-a")
        let (after, _) = try engine.plan(try desired(bridgeOnly))
        XCTAssertTrue(after.isEmpty, render(after))
        XCTAssertTrue(try must("ip", "-br", "addr", "show", "if0").contains("203.0.113.1/24"))
        XCTAssertEqual(try must("ip", "-j", "link", "show", "pnbr-co").contains("\"ifalias\":\"poolnet:lab\""), true)
    }

    func testOpenVSwitchPortIsReportedAndRefused() throws {
        try ForeignDaemonLab.require("ovs-vsctl", "ovs-ctl")
        try must("modprobe", "openvswitch")
        let lab = try ForeignDaemonLab(namespace: "pn-ovs")
        let ctl = "/usr/share/openvswitch/scripts/ovs-ctl"
        defer {
            _ = try? runProcess(["ovs-vsctl", "--if-exists", "del-br", "pnovs0"])
            _ = try? lab.exec(ctl, "stop")
        }
        try lab.addNIC("ov0")
        try lab.exec(ctl, "start", "--system-id=random")
        try must("ovs-vsctl", "add-br", "pnovs0")
        try must("ovs-vsctl", "add-port", "pnovs0", "ov0")
        try ForeignDaemonLab.wait("ov0 to join the datapath") { try must("ip", "-n", "pn-ovs", "-j", "link", "show", "ov0").contains("\"master\":\"ovs-system\"") }

        let engine = engine("pn-ovs")
        let plain = pool(nics: ["ov0"], subnet: "192.0.2")
        let (blocked, _) = try engine.plan(try desired(plain))
        XCTAssertTrue(blocked.problems.contains { $0.object == "ov0" && $0.message.hasPrefix("managed by Open vSwitch (kernel: master ovs-system") && $0.message.contains("`ovs-vsctl del-port ov0`") }, render(blocked))
        XCTAssertThrowsError(try engine.apply(try desired(plain))) { XCTAssertTrue($0 is PlanBlocked, "\($0)") }

        var allowed = try desired(plain)
        allowed.coexist.allowAll = true
        let (plan, _) = try engine.plan(allowed)
        XCTAssertTrue(plan.problems.isEmpty, render(plan))
        XCTAssertEqual(plan.foreign.map(\.resolution), [.allowed])
        XCTAssertTrue(render(plan).contains("  ! ov0: managed by Open vSwitch (kernel: master ovs-system (an Open vSwitch port)): allowed to coexist"), render(plan))

        // The CLI: check reports the claim in its JSON and as a metric; --allow-managed lets apply through.
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("poolnet").path
        let dir = NSTemporaryDirectory() + "pn-coexist-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try plain.write(toFile: "\(dir)/pool.yaml", atomically: true, encoding: .utf8)
        let common = ["--host", "hv01", "--netns", "pn-ovs", "--state-dir", dir]
        let check = try runProcess([binary, "check", "\(dir)/pool.yaml", "--json", "--textfile", "\(dir)/poolnet.prom"] + common)
        XCTAssertEqual(check.status, 2, check.stdout + check.stderr)
        let json = try JSONSerialization.jsonObject(with: Data(check.stdout.utf8)) as! [String: Any]
        let foreign = json["foreign"] as? [[String: Any]] ?? []
        XCTAssertEqual(foreign.first?["device"] as? String, "ov0", check.stdout)
        XCTAssertEqual(foreign.first?["manager"] as? String, "openvswitch", check.stdout)
        XCTAssertEqual(foreign.first?["resolution"] as? String, "blocks", check.stdout)
        XCTAssertTrue(contents("\(dir)/poolnet.prom").contains("poolnet_foreign_manager{pool=\"lab\",host=\"hv01\",device=\"ov0\",manager=\"openvswitch\"} 1\n"), contents("\(dir)/poolnet.prom"))
        let refused = try runProcess([binary, "apply", "\(dir)/pool.yaml"] + common)
        XCTAssertEqual(refused.status, 1, refused.stdout + refused.stderr)
        XCTAssertTrue(refused.stderr.contains("! ov0: managed by Open vSwitch"), refused.stderr)
        let forced = try runProcess([binary, "apply", "\(dir)/pool.yaml", "--allow-managed"] + common)
        XCTAssertEqual(forced.status, 2, forced.stdout + forced.stderr)
        XCTAssertTrue(forced.stdout.contains("! ov0: managed by Open vSwitch (kernel: master ovs-system (an Open vSwitch port)): allowed to coexist"), forced.stdout)
        let clean = try runProcess([binary, "check", "\(dir)/pool.yaml", "--allow-managed"] + common)
        XCTAssertEqual(clean.status, 0, clean.stdout + clean.stderr)
    }
}

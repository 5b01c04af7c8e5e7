import Engine
import HostState
import Planner
import TestSupport
import Topology
import XCTest

/// `poolnet import` of bonds, VLANs and VLAN-aware bridges made by hand (VM tier: this machine's
/// kernel may lack 802.1Q, bonding or vlan_filtering): the file plans nothing, `--adopt` writes
/// only marks, and dropping objects from the file prunes them.
final class ImportStackTests: NamespaceTestCase {
    override func setUpWithError() throws {
        try KernelFeature.require(.bonding, .vlan, .vlanFiltering)
        try super.setUpWithError()
    }

    func testBondVLANsAndAVLANAwareBridgeRoundTrip() throws {
        for nic in ["eth1", "eth2", "eth3"] { try ns.addNIC(nic) }
        try ns.batch([
            "link add bond0 type bond mode active-backup miimon 100",
            "link set eth1 master bond0", "link set eth2 master bond0", "link set bond0 type bond primary eth1",
            "link set bond0 mtu 9000", "link set bond0 up",
            "link add link bond0 name bond0.30 type vlan id 30", "link set bond0.30 up", "addr add 192.0.2.11/24 dev bond0.30",
            "link add link bond0 name bond0.20 type vlan id 20", "link set bond0.20 up",
            "link add br20 type bridge", "link set bond0.20 master br20", "link set br20 up",
            "link add brtrunk type bridge vlan_filtering 1", "link set eth3 master brtrunk", "link set brtrunk up", "link set eth3 up",
        ])
        for command in [["vlan", "add", "vid", "100-110", "dev", "eth3"], ["vlan", "add", "vid", "10", "dev", "eth3", "pvid", "untagged"],
                        ["vlan", "del", "vid", "1", "dev", "eth3"], ["vlan", "add", "vid", "10", "dev", "brtrunk", "self"]] {
            let result = try runProcess(["bridge", "-n", ns.name] + command)
            XCTAssertEqual(result.status, 0, "bridge \(command.joined(separator: " ")): \(result.stderr)")
        }
        try ns.waitQuiet()
        let imported = LiveImport.host(from: try engine.readForImport(), pool: "lab", host: "hv01", index: 1)
        let text = try PoolFileMerge.write(pool: "lab", hosts: [imported])
        for expected in ["mode: active-backup", "members: [eth1, eth2]", "primary: eth1", "name: bond0.30", "id: 30",
                         "addresses: [192.0.2.11/24]", "vlan_filtering: true", "pvid: 10", "100-110"] {
            XCTAssertTrue(text.contains(expected), "\(expected) in:\n\(text)")
        }
        let want = try desired(text)
        XCTAssertEqual(try engine.plan(want).plan.renderPlan(), "host hv01 (pool lab): no changes; the host matches the file.\n", text)

        var adopting = engine!
        adopting.adopt = true
        let monitor = try ns.monitor()
        let plan = try adopting.apply(want)
        let events = monitor.stop()
        // Link marks, and the declared address adopted (re-marked where the kernel takes it; on
        // Linux 6.1 an IPv4 address keeps its protocol and the record's adopted entry owns it).
        let marks = plan.changes.compactMap { change -> String? in
            if case .markAddress(let m) = change.action { return "\(m.link) \(m.prefix)" }
            if case .setAlias = change.action { return nil }
            return "unexpected: \(change.line)"
        }
        XCTAssertEqual(marks, ["bond0.30 192.0.2.11/24"], plan.renderPlan())
        XCTAssertEqual(Set(plan.changes.map(\.action.link)), ["bond0", "bond0.20", "bond0.30", "br20", "brtrunk", "eth3"])
        XCTAssertFalse(events.contains { ($0.contains("inet") && !$0.contains("192.0.2.11/24")) || $0.hasPrefix("Deleted") }, events.joined(separator: "\n"))
        XCTAssertEqual(try adopting.plan(want).plan.changes, [], "adopted: nothing left to adopt")

        // Drop the bridge over bond0.20 and the VLAN itself: both pruned, bond0.30 and its address stay.
        let dropped = try Topology.parse(yaml: text, file: "t.yaml")
        var state = try dropped.resolve(host: "hv01")
        state.bridges.removeAll { $0.name == "br20" }
        state.vlans.removeAll { $0.name == "bond0.20" }
        try engine.apply(state)
        let links = try ns.links()
        XCTAssertNil(links["br20"])
        XCTAssertNil(links["bond0.20"])
        XCTAssertEqual(try ns.addresses()["bond0.30"]?.filter { !$0.hasPrefix("fe80:") }, ["192.0.2.11/24"])
    }
}

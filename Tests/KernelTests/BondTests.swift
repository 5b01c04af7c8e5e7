import Engine
import HostState
import Planner
import TestSupport
import XCTest

final class BondTests: NamespaceTestCase {
    static let stack = """
    pool: lab
    hosts:
      hv01: { index: 1 }
      hv02: { index: 2 }
    bonds:
      - name: bond0
        mode: active-backup
        members: [eth1, eth2]
        primary: eth1
        miimon: 100
        mtu: 9000
    vlans:
      - name: bond0.20
      - name: bond0.30
    storage_nics:
      - name: bond0.30
        subnet: 192.0.2.0/24
        addresses: ["192.0.2.${index + 10}"]
    bridges:
      - name: br20
        ports: [bond0.20]
    """

    override func setUpWithError() throws {
        try KernelFeature.require(.bonding, .vlan)
        try super.setUpWithError()
    }

    func bondData(_ name: String) throws -> [String: Any] {
        let info = try ns.links()[name]?["linkinfo"] as? [String: Any]
        return info?["info_data"] as? [String: Any] ?? [:]
    }

    func testBondVLANBridgeStack() throws {
        for nic in ["eth1", "eth2"] { try ns.addNIC(nic) }
        try ns.ip("link", "set", "eth1", "up")  // an up NIC must be taken down to be enslaved
        try engine.apply(try desired(Self.stack))

        let bond = try bondData("bond0")
        XCTAssertEqual(bond["mode"] as? String, "active-backup")
        XCTAssertEqual(bond["miimon"] as? Int, 100)
        XCTAssertEqual(bond["primary"] as? String, "eth1")
        let links = try ns.links()
        for member in ["eth1", "eth2"] {
            XCTAssertEqual(links[member]?["master"] as? String, "bond0", member)
            XCTAssertEqual(links[member]?["mtu"] as? Int, 9000, member)
            XCTAssertEqual((links[member]?["flags"] as? [String])?.contains("UP"), true, member)
        }
        XCTAssertEqual(links["bond0.20"]?["link"] as? String, "bond0")
        XCTAssertEqual(links["bond0.20"]?["master"] as? String, "br20")
        XCTAssertEqual(links["bond0.30"]?["mtu"] as? Int, 9000)
        XCTAssertEqual(try ns.addresses()["bond0.30"], ["192.0.2.11/24"])
    }

    func testNoOpReapplyDoesNotFlapTheBond() throws {
        for nic in ["eth1", "eth2"] { try ns.addNIC(nic) }
        let want = try desired(Self.stack)
        try engine.apply(want)
        try ns.waitQuiet()
        let monitor = try ns.monitor()
        XCTAssertEqual(try engine.apply(want).changes, [])
        XCTAssertEqual(monitor.stop(), [], "a no-op apply sends nothing, so no bond or bridge goes down")
    }

    func testMemberChangeKeepsTheBond() throws {
        for nic in ["eth1", "eth2", "eth3"] { try ns.addNIC(nic) }
        try engine.apply(try desired(Self.stack))
        let index = try ns.links()["bond0"]?["ifindex"] as? Int

        let changed = Self.stack.replacingOccurrences(of: "members: [eth1, eth2]", with: "members: [eth1, eth3]")
        let plan = try engine.apply(try desired(changed))
        XCTAssertFalse(plan.changes.contains { if case .deleteLink = $0.action { return true } else { return false } }, plan.renderPlan())
        let links = try ns.links()
        XCTAssertEqual(links["bond0"]?["ifindex"] as? Int, index, "same bond, not recreated")
        XCTAssertNil(links["eth2"]?["master"])
        XCTAssertEqual(links["eth3"]?["master"] as? String, "bond0")
        XCTAssertEqual(links["eth3"]?["mtu"] as? Int, 9000)
    }

    func testModeChangeRecreatesTheBondDisruptively() throws {
        for nic in ["eth1", "eth2"] { try ns.addNIC(nic) }
        try engine.apply(try desired(Self.stack))
        let changed = Self.stack.replacingOccurrences(of: "mode: active-backup", with: "mode: balance-xor")
            .replacingOccurrences(of: "    primary: eth1\n", with: "    xmit_hash_policy: layer3+4\n")
        let plan = try engine.plan(try desired(changed)).plan
        let replacement = plan.changes.filter { $0.action.link == "bond0" && ($0.action.symbol == "-" || $0.action.symbol == "+") }
        XCTAssertEqual(replacement.first?.reason, "replaced: mode active-backup → balance-xor", plan.renderPlan())
        XCTAssertTrue(replacement.allSatisfy(\.disruptive))
        try engine.apply(try desired(changed))
        XCTAssertEqual(try bondData("bond0")["mode"] as? String, "balance-xor")
        XCTAssertEqual(try bondData("bond0")["xmit_hash_policy"] as? String, "layer3+4")
        XCTAssertEqual(try ns.links()["bond0.20"]?["master"] as? String, "br20", "the stack above was rebuilt")
        XCTAssertEqual(try ns.addresses()["bond0.30"], ["192.0.2.11/24"])
    }

    func testDriftOnTheBondIsFoundAndRepaired() throws {
        for nic in ["eth1", "eth2"] { try ns.addNIC(nic) }
        let want = try desired(Self.stack)
        try engine.apply(want)
        try ns.ip("link", "set", "eth2", "nomaster")
        try ns.ip("link", "set", "bond0", "type", "bond", "miimon", "300")
        let drift = try engine.plan(want).plan.changes.map(\.action.summary)
        XCTAssertTrue(drift.contains("eth2: port of bond0"), "\(drift)")
        XCTAssertTrue(drift.contains("bond0: miimon 300 → 100"), "\(drift)")
        try engine.apply(want)
        XCTAssertEqual(try engine.plan(want).plan.changes, [])
    }

    func testRemovingTheStackPrunesItTopDown() throws {
        for nic in ["eth1", "eth2"] { try ns.addNIC(nic) }
        try engine.apply(try desired(Self.stack))
        let plan = try engine.apply(try desired("pool: lab\nhosts: [hv01]\n"))
        let deleted = plan.changes.compactMap { change -> String? in
            if case .deleteLink(let link) = change.action { return link.name }
            return nil
        }
        XCTAssertEqual(deleted.last, "bond0", "the bond goes last, after the VLANs and the bridge on it")
        let links = try ns.links()
        for name in ["bond0", "bond0.20", "bond0.30", "br20"] { XCTAssertNil(links[name], name) }
        for nic in ["eth1", "eth2"] {
            XCTAssertNotNil(links[nic], "a member NIC is never deleted")
            XCTAssertNil(links[nic]?["master"], nic)
        }
    }

    /// Fails each step of the whole bond stack in turn; the kernel must end exactly as before.
    func testFailureAtEveryStepRestoresTheHost() throws {
        for nic in ["eth1", "eth2"] { try ns.addNIC(nic) }
        try ns.ip("link", "set", "eth1", "up")
        let want = try desired(Self.stack)
        let before = try snapshot()
        let steps = try engine.plan(want).plan.changes.count
        for k in 0..<steps {
            var faulty = engine!
            faulty.failStep = k
            XCTAssertThrowsError(try faulty.apply(want)) { error in
                XCTAssertTrue((error as? ApplyFailure)?.notRolledBack.isEmpty ?? false, "step \(k): \(error)")
            }
            XCTAssertEqual(comparable(try snapshot()), comparable(before), "after failing step \(k)")
        }
    }


    /// Two hosts joined by two cables, an 802.3ad bond on each side: LACP negotiates and traffic
    /// crosses the storage VLAN on the bond.
    func testLACPBondBetweenTwoHosts() throws {
        let other = try TestNamespace("lacp-b")
        for nic in ["eth1", "eth2"] { try ns.ip("link", "add", nic, "type", "veth", "peer", "name", nic, "netns", other.name) }
        let lacp = Self.stack.replacingOccurrences(of: "mode: active-backup", with: "mode: 802.3ad\n    lacp_rate: fast")
            .replacingOccurrences(of: "    primary: eth1\n", with: "")
        try engine.apply(try desired(lacp, host: "hv01"))
        try Engine(isolatedIn: other.name, logger: engine.logger).apply(try desired(lacp, host: "hv02"))
        var answered = false
        for _ in 0..<30 where !answered {  // LACP needs a few fast LACPDUs before the ports collect
            answered = try runProcess(["ip", "netns", "exec", ns.name, "ping", "-c", "1", "-W", "1", "-M", "do", "-s", "8972", "192.0.2.12"]).status == 0
        }
        XCTAssertTrue(answered, "no jumbo ping across the LACP bond")
        XCTAssertEqual(try bondData("bond0")["mode"] as? String, "802.3ad")
    }
}

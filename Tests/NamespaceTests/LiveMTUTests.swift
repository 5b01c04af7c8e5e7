import Engine
import HostState
import Planner
import TestSupport
import XCTest

/// MTUs validation cannot judge: the file leaves the underlay's MTU alone, so only the live read
/// knows it. Plan must refuse before apply meets the kernel's refusal half-way through.
final class LiveMTUTests: NamespaceTestCase {
    /// VXLANTests' pool with a jumbo bridge over the VXLAN, whose underlay san0 (a veth at 1500)
    /// has no MTU in the file.
    static let jumboOverUndeclaredUnderlay = VXLANTests.vxlanPool
        .replacingOccurrences(of: "    ports: [vx-priv0, vm0]", with: "    mtu: 9000\n    ports: [vx-priv0]")

    func testVXLANAboveItsLiveUnderlayIsRefusedBeforeAnyChange() throws {
        XCTAssertTrue(Self.jumboOverUndeclaredUnderlay.contains("mtu: 9000\n    ports: [vx-priv0]"), "the derived pool has the jumbo bridge")
        try ns.addNIC("san0")
        XCTAssertEqual(try ns.links()["san0"]?["mtu"] as? Int, 1500)
        let want = try desired(Self.jumboOverUndeclaredUnderlay)   // validates: the file cannot know san0's MTU
        let plan = try engine.plan(want).plan
        XCTAssertEqual(plan.problems.map(\.object), ["vxlan vx-priv0"], plan.renderPlan())
        let message = plan.problems.first?.message ?? ""
        for part in ["mtu 9000 (from bridge br-priv0)", "underlay san0 on host hv01", "san0 has mtu 1500", "at most 1450", "Declare mtu: 9050 for san0"] {
            XCTAssertTrue(message.contains(part), "\(part) in: \(message)")
        }

        let before = try ns.links()
        let addressesBefore = try ns.addresses()
        XCTAssertThrowsError(try engine.apply(want)) { error in
            XCTAssertTrue(error is PlanBlocked, "\(error)")
            XCTAssertTrue("\(error)".contains("vx-priv0"), "\(error)")
        }
        // Nothing changed: the same links with the same MTUs, no address added.
        let after = try ns.links()
        XCTAssertEqual(Set(after.keys), Set(before.keys))
        XCTAssertNil(after["vx-priv0"])
        XCTAssertNil(after["br-priv0"])
        XCTAssertEqual(after["san0"]?["mtu"] as? Int, 1500)
        XCTAssertEqual(try ns.addresses(), addressesBefore)

        // Declaring what the message says makes the same file converge.
        let fixed = Self.jumboOverUndeclaredUnderlay.replacingOccurrences(of: "    subnet: 192.0.2.0/24", with: "    mtu: 9050\n    subnet: 192.0.2.0/24")
        let good = try desired(fixed)
        XCTAssertEqual(try engine.plan(good).plan.problems, [])
        try engine.apply(good)
        XCTAssertEqual(try ns.links()["vx-priv0"]?["mtu"] as? Int, 9000)
        XCTAssertEqual(try engine.plan(good).plan.changes, [], "converged")
    }

    /// The rule reads the live underlay: at exactly underlay − 50 it lets the plan through.
    func testVXLANAtTheLimitOfItsLiveUnderlayPlans() throws {
        try ns.addNIC("san0")
        let atLimit = Self.jumboOverUndeclaredUnderlay.replacingOccurrences(of: "mtu: 9000", with: "mtu: 1450")
        let want = try desired(atLimit)
        XCTAssertEqual(try engine.plan(want).plan.problems, [])
        try engine.apply(want)
        XCTAssertEqual(try ns.links()["vx-priv0"]?["mtu"] as? Int, 1450)
        XCTAssertEqual(try engine.plan(want).plan.changes, [], "converged")
    }

    /// A VLAN that inherits a jumbo bridge MTU above its parent's live 1500, which the file does
    /// not declare. Needs 802.1Q: skipped on a host kernel without it, run in the VM tier.
    func testVLANAboveItsLiveParentIsRefusedBeforeAnyChange() throws {
        try KernelFeature.require(.vlan)
        try ns.addNIC("eth1")
        let yaml = """
        pool: lab
        hosts: [hv01]
        vlans:
          - name: eth1.30
        bridges:
          - name: br30
            mtu: 9000
            ports: [eth1.30]
        """
        let want = try desired(yaml)
        let plan = try engine.plan(want).plan
        XCTAssertEqual(plan.problems.map(\.object), ["vlan eth1.30"], plan.renderPlan())
        let message = plan.problems.first?.message ?? ""
        for part in ["mtu 9000 (from bridge br30)", "the mtu 1500 of its parent eth1 on host hv01", "Declare mtu: 9000 for eth1"] {
            XCTAssertTrue(message.contains(part), "\(part) in: \(message)")
        }
        let before = try ns.links()
        XCTAssertThrowsError(try engine.apply(want)) { XCTAssertTrue($0 is PlanBlocked, "\($0)") }
        let after = try ns.links()
        XCTAssertEqual(Set(after.keys), Set(before.keys), "no link created")
        XCTAssertEqual(after["eth1"]?["mtu"] as? Int, 1500)
    }
}

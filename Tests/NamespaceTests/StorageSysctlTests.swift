import Engine
import HostState
import Planner
import TestSupport
import XCTest

final class StorageSysctlTests: NamespaceTestCase {
    static let shared = """
    pool: lab
    hosts: [hv01, hv02]
    storage:
      layout: shared-subnet
    storage_nics:
      - name: san0
        mtu: 9000
        subnet: 192.0.2.0/24
        addresses: ["192.0.2.${index + 10}"]
        ipv6: no-autoconf
      - name: san1
        mtu: 9000
        subnet: 192.0.2.0/24
        addresses: ["192.0.2.${index + 20}"]
        ipv6: off
    """

    func sysctl(_ key: String) throws -> String {
        try must("ip", "netns", "exec", ns.name, "sysctl", "-n", key).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func testSharedSubnetProfileAndIPv6Modes() throws {
        for nic in ["san0", "san1"] { try ns.addNIC(nic) }
        try engine.apply(try desired(Self.shared))
        for nic in ["san0", "san1"] {
            XCTAssertEqual(try sysctl("net.ipv4.conf.\(nic).arp_ignore"), "1", nic)
            XCTAssertEqual(try sysctl("net.ipv4.conf.\(nic).arp_announce"), "2", nic)
            XCTAssertEqual(try sysctl("net.ipv4.conf.\(nic).rp_filter"), "2", nic)
        }
        XCTAssertEqual(try sysctl("net.ipv6.conf.san0.accept_ra"), "0")
        XCTAssertEqual(try sysctl("net.ipv6.conf.san0.autoconf"), "0")
        XCTAssertEqual(try sysctl("net.ipv6.conf.san1.disable_ipv6"), "1")
        XCTAssertEqual(try engine.plan(try desired(Self.shared)).plan.changes, [])
    }

    func testSysctlDriftIsFoundAndRepaired() throws {
        for nic in ["san0", "san1"] { try ns.addNIC(nic) }
        let want = try desired(Self.shared)
        try engine.apply(want)
        try must("ip", "netns", "exec", ns.name, "sysctl", "-qw", "net.ipv4.conf.san1.rp_filter=1")
        let drift = try engine.plan(want).plan
        XCTAssertEqual(drift.changes.map(\.line), ["~ san1: net.ipv4.conf.san1.rp_filter 1 → 2 (effective 1 → 2)"])
        try engine.apply(want)
        XCTAssertEqual(try sysctl("net.ipv4.conf.san1.rp_filter"), "2")
    }

    /// The kernel uses max(all, NIC): with all.arp_ignore=8 nothing written on the NIC helps, so
    /// the plan is blocked with the reason instead of "applying" a value that has no effect.
    func testEffectiveValueFromAllBlocksThePlan() throws {
        for nic in ["san0", "san1"] { try ns.addNIC(nic) }
        try must("ip", "netns", "exec", ns.name, "sysctl", "-qw", "net.ipv4.conf.all.arp_ignore=8")
        let plan = try engine.plan(try desired(Self.shared)).plan
        XCTAssertEqual(plan.problems.map(\.message).first,
                       "effective arp_ignore would be 8, not 1: the kernel uses max(all, san0) and net.ipv4.conf.all.arp_ignore is 8; lower it to 1 or less")
        XCTAssertThrowsError(try engine.apply(try desired(Self.shared)))
    }

    func testNoDefaultRouteViaAStorageNIC() throws {
        for nic in ["san0", "san1", "eth0"] { try ns.addNIC(nic) }
        try ns.ip("link", "set", "eth0", "up")
        try ns.ip("addr", "add", "198.51.100.5/24", "dev", "eth0")
        try engine.apply(try desired(Self.shared))
        try ns.ip("route", "add", "default", "via", "192.0.2.1", "dev", "san0", "metric", "50")
        try ns.ip("route", "add", "default", "via", "198.51.100.1", "dev", "eth0", "metric", "100")

        let plan = try engine.plan(try desired(Self.shared)).plan
        XCTAssertEqual(plan.changes.map(\.line), ["- san0: route default via 192.0.2.1 (no default route via a storage NIC)  [disruptive]"])
        // The management guard stops it (san0 carries a default route) until the operator says so.
        XCTAssertThrowsError(try engine.apply(try desired(Self.shared))) { XCTAssertTrue($0 is ManagementGuard.Refusal, "\($0)") }
        engine.allowDisruptive = true
        try engine.apply(try desired(Self.shared))
        let routes = try ns.ip("route", "show", "default")
        XCTAssertFalse(routes.contains("dev san0"), routes)
        XCTAssertTrue(routes.contains("via 198.51.100.1 dev eth0"), "the management default route stays: \(routes)")
    }

    /// A failure at each step, sysctl writes and route removal included, restores the host.
    func testFailureAtEveryStepRestoresSysctlsToo() throws {
        for nic in ["san0", "san1"] { try ns.addNIC(nic) }
        try ns.ip("link", "set", "san0", "up")
        try ns.ip("addr", "add", "192.0.2.99/24", "dev", "san0")
        try ns.ip("route", "add", "default", "via", "192.0.2.1", "dev", "san0")
        let want = try desired(Self.shared)
        let before = try engine.read(for: want).normalized()
        let steps = try engine.plan(want).plan.changes.count
        XCTAssertGreaterThan(steps, 10)
        for k in 0..<steps {
            var faulty = engine!
            faulty.failStep = k
            faulty.allowDisruptive = true  // the plan removes a default route via a storage NIC
            XCTAssertThrowsError(try faulty.apply(want)) { XCTAssertTrue($0 is ApplyFailure, "step \(k): \($0)") }
            var after = try engine.read(for: want).normalized()
            for i in after.links.indices { after.links[i].carrier = before.links[i].carrier }
            // The pool's record is poolnet's state, not the host's (the first apply writes it).
            after.addressOwnership = before.addressOwnership
            XCTAssertEqual(after, before, "after failing step \(k)")
        }
    }
}

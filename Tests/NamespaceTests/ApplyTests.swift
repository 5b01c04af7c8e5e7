import Engine
import HostState
import Planner
import TestSupport
import XCTest

final class ApplyTests: NamespaceTestCase {
    func testApplyCreatesWhatTheFileSays() throws {
        try addDemoNICs()
        let plan = try engine.apply(try desired(Self.pool))
        XCTAssertEqual(plan.changes.count, 15)

        // Checked through iproute2, not through poolnet's own reader.
        let links = try ns.links()
        XCTAssertEqual(links["san0"]?["mtu"] as? Int, 9000)
        XCTAssertEqual(links["san1"]?["mtu"] as? Int, 9000)
        XCTAssertEqual((links["san0"]?["flags"] as? [String])?.contains("UP"), true)
        let bridge = try XCTUnwrap(links["privbr0"])
        XCTAssertEqual((bridge["linkinfo"] as? [String: Any])?["info_kind"] as? String, "bridge")
        XCTAssertEqual(bridge["mtu"] as? Int, 9000)
        XCTAssertEqual(bridge["ifalias"] as? String, "poolnet:lab")
        XCTAssertEqual(((bridge["linkinfo"] as? [String: Any])?["info_data"] as? [String: Any])?["stp_state"] as? Int, 0)
        XCTAssertEqual(links["guest0"]?["master"] as? String, "privbr0")
        XCTAssertEqual(links["guest0"]?["mtu"] as? Int, 9000)
        let addresses = try ns.addresses()
        XCTAssertEqual(addresses["san0"], ["192.0.2.11/24"])
        XCTAssertEqual(addresses["san1"], ["198.51.100.11/24"])
        XCTAssertEqual(addresses["privbr0"], ["203.0.113.1/28"], "no IPv6 link-local on a guest-only bridge")
        // Ownership marks live in the kernel: IFA_PROTO on addresses (read raw; older iproute2 hides it).
        let marks = try engine.read().addresses.filter { $0.link == "san0" }.map(\.proto)
        XCTAssertEqual(marks, [Ownership.addressProtocol])
    }

    func testSecondApplyChangesNothingAndWritesNothing() throws {
        try addDemoNICs()
        let want = try desired(Self.pool)
        try engine.apply(want)
        try ns.waitQuiet()
        let before = try snapshot()

        let monitor = try ns.monitor()
        let second = try engine.apply(want)
        let events = monitor.stop()

        XCTAssertEqual(second.changes, [])
        XCTAssertEqual(events, [], "a no-op apply must send no netlink writes")
        XCTAssertEqual(try snapshot(), before)
    }

    func testHandMadeDriftIsDetectedAndRepaired() throws {
        try addDemoNICs()
        let want = try desired(Self.pool)
        try engine.apply(want)

        try ns.ip("link", "set", "san0", "mtu", "1500")
        try ns.ip("addr", "del", "198.51.100.11/24", "dev", "san1")
        try ns.ip("link", "set", "guest0", "nomaster")
        try ns.ip("link", "set", "privbr0", "type", "bridge", "stp_state", "1")

        let drift = try engine.plan(want).plan
        let lines = drift.changes.map(\.action.summary)
        XCTAssertTrue(lines.contains("san0: mtu 1500 → 9000"), "\(lines)")
        XCTAssertTrue(lines.contains("san1: address 198.51.100.11/24"), "\(lines)")
        XCTAssertTrue(lines.contains("guest0: port of privbr0"), "\(lines)")
        XCTAssertTrue(lines.contains("privbr0: stp on → off"), "\(lines)")
        XCTAssertEqual(drift.changes.count, 4, drift.renderDrift())

        try engine.apply(want)
        XCTAssertEqual(try engine.plan(want).plan.changes, [])
        XCTAssertEqual(try ns.links()["san0"]?["mtu"] as? Int, 9000)
    }

    func testForeignInterfacesAndAddressesAreNeverTouched() throws {
        try addDemoNICs()
        // A bridge someone else made, with an uplink and an address; a hand-added address on a
        // storage NIC; a guest vif the hypervisor attached to our bridge later.
        try ns.addNIC("eth0")
        try ns.ip("link", "add", "xenbr0", "type", "bridge")
        try ns.ip("link", "set", "eth0", "master", "xenbr0")
        try ns.ip("addr", "add", "203.0.113.200/24", "dev", "xenbr0")
        try ns.ip("addr", "add", "192.0.2.200/24", "dev", "san0")
        try engine.apply(try desired(Self.pool))
        try ns.addNIC("vif7.0")
        try ns.ip("link", "set", "vif7.0", "master", "privbr0")
        XCTAssertEqual(try ns.links()["privbr0"]?["mtu"] as? Int, 9000, "a 1500-byte guest vif must not pull the bridge's MTU down")

        func foreign() throws -> [String] {
            let links = try ns.links()
            let addresses = try ns.addresses()
            return ["xenbr0", "eth0", "vif7.0"].map { name in
                let l = links[name] ?? [:]
                return "\(name) mtu=\(l["mtu"] ?? "-") master=\(l["master"] ?? "-") alias=\(l["ifalias"] ?? "-") addrs=\(addresses[name] ?? [])"
            } + ["san0 foreign address present: \(addresses["san0"]?.contains("192.0.2.200/24") ?? false)"]
        }
        let before = try foreign()

        // Re-apply, then prune everything the file declares: foreign things stay as they were.
        XCTAssertEqual(try engine.apply(try desired(Self.pool)).changes, [], "a guest vif on our bridge is not drift")
        XCTAssertEqual(try foreign(), before)
        let empty = "pool: lab\nhosts: [hv01]\n"
        // Deleting the bridge would cut the guest off: refused, naming both, nothing changed.
        XCTAssertThrowsError(try engine.apply(try desired(empty))) { error in
            XCTAssertTrue("\(error)".contains("deleting bridge privbr0 detaches its guest ports vif7.0"), "\(error)")
        }
        XCTAssertEqual(try foreign(), before)
        XCTAssertNotNil(try ns.links()["privbr0"])
        engine.allowDisruptive = true
        try engine.apply(try desired(empty))
        var after = try foreign()
        // vif7.0 lost its master only because the bridge it sat on was deleted by the prune.
        after[2] = after[2].replacingOccurrences(of: "master=-", with: "master=privbr0")
        XCTAssertEqual(after, before)
        XCTAssertNil(try ns.links()["privbr0"])
    }

    /// Many deletions go out as one link-group delete; a foreign bridge (and its group) stays.
    func testBulkPruneDeletesOnlyOwnedLinks() throws {
        var yaml = "pool: lab\nhosts: [hv01]\nbridges:\n"
        for i in 0..<30 {
            try ns.addNIC("v\(i)")
            yaml += "  - { name: br\(i), ports: [v\(i)], addresses: [\"10.9.\(i).1/24\"] }\n"
        }
        try ns.ip("link", "add", "xenbr0", "type", "bridge")
        try ns.ip("link", "set", "xenbr0", "group", "7")
        try engine.apply(try desired(yaml))
        XCTAssertEqual(try ns.links().keys.filter { $0.hasPrefix("br") }.count, 30)

        let plan = try engine.apply(try desired("pool: lab\nhosts: [hv01]\n"))
        XCTAssertEqual(plan.changes.filter { if case .deleteLink = $0.action { return true } else { return false } }.count, 30)
        let links = try ns.links()
        XCTAssertEqual(links.keys.filter { $0.hasPrefix("br") }.count, 0, "all 30 bridges pruned")
        XCTAssertEqual(links["xenbr0"]?["group"] as? String, "7", "the foreign bridge and its group are untouched")
        XCTAssertEqual(links.keys.filter { $0.hasPrefix("v") && !$0.hasPrefix("veth") }.count, 30, "ports stay")
        XCTAssertEqual(try engine.plan(try desired("pool: lab\nhosts: [hv01]\n")).plan.changes, [])
    }

    func testRemovingObjectsFromTheFilePrunesThem() throws {
        try addDemoNICs()
        try engine.apply(try desired(Self.pool))

        let smaller = """
        pool: lab
        hosts: [hv01]
        storage_nics:
          - name: san0
            mtu: 9000
            addresses: ["192.0.2.11/24"]
        """
        let plan = try engine.apply(try desired(smaller))
        XCTAssertTrue(plan.changes.allSatisfy { $0.action.symbol == "-" || $0.action.summary.contains("alias") }, plan.renderPlan())

        let links = try ns.links()
        XCTAssertNil(links["privbr0"], "the bridge poolnet created is gone")
        XCTAssertNil(links["guest0"]?["master"], "its port was released")
        XCTAssertNil(links["guest0"]?["ifalias"], "and the port mark cleared")
        XCTAssertEqual(try ns.addresses()["san1"], [], "the address poolnet added on san1 was removed")
        XCTAssertEqual(try ns.addresses()["san0"], ["192.0.2.11/24"])
        XCTAssertNotNil(links["san1"], "a storage NIC is never deleted")
    }
}

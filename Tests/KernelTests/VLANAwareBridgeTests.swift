import Engine
import Foundation
import HostState
import Planner
import TestSupport
import XCTest

final class VLANAwareBridgeTests: NamespaceTestCase {
    static let trunk = """
    pool: lab
    hosts:
      hv01: { index: 1 }
      hv02: { index: 2 }
    bridges:
      - name: brtrunk
        hosts: [hv01]
        vlan_filtering: true
        vlans: [10]
        ports:
          - { name: eth1, vlans: "100-102,200" }
          - { name: vm0, pvid: 100, untagged: [100] }
    vlans:
      - name: eth1.100
        hosts: [hv02]
    storage_nics:
      - name: eth1.100
        hosts: [hv02]
        addresses: ["203.0.113.2/24"]
    """

    override func setUpWithError() throws {
        try KernelFeature.require(.vlanFiltering, .vlan)
        try super.setUpWithError()
    }

    /// `bridge -j vlan show` per device, as "vid[ pvid][ untagged]" strings.
    func vlans(_ namespace: TestNamespace? = nil) throws -> [String: [String]] {
        let out = try runProcess(["bridge", "-n", (namespace ?? ns).name, "-j", "vlan", "show"])
        guard out.status == 0 else { throw CommandFailed(argv: ["bridge", "vlan", "show"], result: out) }
        let devices = try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [[String: Any]] ?? []
        var result: [String: [String]] = [:]
        for device in devices {
            let entries = device["vlans"] as? [[String: Any]] ?? []
            result[device["ifname"] as! String] = entries.flatMap { e -> [String] in
                let flags = e["flags"] as? [String] ?? []
                let suffix = (flags.contains("PVID") ? " pvid" : "") + (flags.contains("Egress Untagged") ? " untagged" : "")
                let first = e["vlan"] as! Int, last = e["vlanEnd"] as? Int ?? first
                return (first...last).map { "\($0)\(suffix)" }
            }
        }
        return result
    }

    func testPortAndBridgeVLANsAreExact() throws {
        for nic in ["eth1", "vm0"] { try ns.addNIC(nic) }
        try engine.apply(try desired(Self.trunk))
        let info = (try ns.links()["brtrunk"]?["linkinfo"] as? [String: Any])?["info_data"] as? [String: Any]
        XCTAssertEqual(info?["vlan_filtering"] as? Int, 1)
        let v = try vlans()
        XCTAssertEqual(v["eth1"], ["100", "101", "102", "200"])
        XCTAssertEqual(v["vm0"], ["100 pvid untagged"])
        XCTAssertEqual(v["brtrunk"], ["10"])
        XCTAssertEqual(try engine.plan(try desired(Self.trunk)).plan.changes, [], "applied state reads back as the file")
    }

    func testVLANDriftIsFoundAndRepaired() throws {
        for nic in ["eth1", "vm0"] { try ns.addNIC(nic) }
        let want = try desired(Self.trunk)
        try engine.apply(want)
        try must("bridge", "-n", ns.name, "vlan", "add", "vid", "300", "dev", "vm0")
        try must("bridge", "-n", ns.name, "vlan", "del", "vid", "101", "dev", "eth1")
        let drift = try engine.plan(want).plan.changes.map(\.action.summary)
        XCTAssertEqual(Set(drift), ["vm0: vlans 100 pvid untagged, 300 → 100 pvid untagged",
                                    "eth1: vlans 100, 102, 200 → 100-102, 200"])
        try engine.apply(want)
        XCTAssertEqual(try vlans()["vm0"], ["100 pvid untagged"])
        XCTAssertEqual(try vlans()["eth1"], ["100", "101", "102", "200"])
    }

    /// Host A has a VLAN-aware bridge: a trunk to host B (tagged 100-102,200) and a guest port
    /// (untagged, PVID 100). Host B has a plain VLAN 100. The guest reaches B only while its port
    /// is in VLAN 100.
    func testTrafficFollowsVLANMembership() throws {
        let hostB = try TestNamespace("vab")
        let guest = try TestNamespace("vag")
        try ns.ip("link", "add", "eth1", "type", "veth", "peer", "name", "eth1", "netns", hostB.name)
        try ns.ip("link", "add", "vm0", "type", "veth", "peer", "name", "eth0", "netns", guest.name)
        try guest.ip("addr", "add", "203.0.113.1/24", "dev", "eth0")
        try guest.ip("link", "set", "eth0", "up")

        try engine.apply(try desired(Self.trunk, host: "hv01"))
        let engineB = Engine(isolatedIn: hostB.name, logger: engine.logger)
        try engineB.apply(try desired(Self.trunk, host: "hv02"))
        func ping() throws -> Bool {
            for _ in 0..<5 {
                if try runProcess(["ip", "netns", "exec", guest.name, "ping", "-c", "1", "-W", "1", "203.0.113.2"]).status == 0 { return true }
            }
            return false
        }
        XCTAssertTrue(try ping(), "guest in VLAN 100 reaches host B's VLAN 100")

        let moved = Self.trunk.replacingOccurrences(of: "pvid: 100, untagged: [100]", with: "pvid: 101, untagged: [101]")
        try engine.apply(try desired(moved, host: "hv01"))
        XCTAssertEqual(try vlans()["vm0"], ["101 pvid untagged"])
        XCTAssertFalse(try ping(), "guest moved to VLAN 101 no longer reaches VLAN 100")
    }
}

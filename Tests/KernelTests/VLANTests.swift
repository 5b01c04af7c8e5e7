import Engine
import HostState
import Planner
import TestSupport
import XCTest

final class VLANTests: NamespaceTestCase {
    static let vlans = """
    pool: lab
    hosts:
      hv01: { index: 1 }
      hv02: { index: 2 }
    storage_nics:
      - name: eth1                 # trunk: jumbo frames for the VLANs on it
        mtu: 9000
      - name: eth1.30
        mtu: 9000
        subnet: 192.0.2.0/24
        addresses: ["192.0.2.${index + 10}"]
    vlans:
      - name: eth1.20
      - name: eth1.30
      - name: vl-mgmt
        link: eth1
        id: 99
    bridges:
      - name: br-vlan20            # one bridge per VLAN, the VLAN as its uplink
        ports: [eth1.20]
    """

    override func setUpWithError() throws {
        try KernelFeature.require(.vlan)
        try super.setUpWithError()
    }

    func vlanInfo(_ link: [String: Any]?) -> (id: Int?, kind: String?) {
        let info = link?["linkinfo"] as? [String: Any]
        return ((info?["info_data"] as? [String: Any])?["id"] as? Int, info?["info_kind"] as? String)
    }

    func testVLANsBridgeOverVLANAndStorageOnVLAN() throws {
        try ns.addNIC("eth1")
        try engine.apply(try desired(Self.vlans))

        let links = try ns.links()
        XCTAssertEqual(vlanInfo(links["eth1.20"]).id, 20)
        XCTAssertEqual(vlanInfo(links["eth1.30"]).id, 30)
        XCTAssertEqual(vlanInfo(links["vl-mgmt"]).id, 99)
        XCTAssertEqual(links["eth1.30"]?["link"] as? String, "eth1")
        XCTAssertEqual(links["eth1"]?["mtu"] as? Int, 9000)
        XCTAssertEqual(links["eth1.30"]?["mtu"] as? Int, 9000)
        XCTAssertEqual(links["eth1.20"]?["master"] as? String, "br-vlan20")
        XCTAssertEqual(links["eth1.30"]?["ifalias"] as? String, "poolnet:lab")
        XCTAssertEqual(try ns.addresses()["eth1.30"], ["192.0.2.11/24"])
        XCTAssertEqual(try ns.addresses()["eth1.20"], [], "a bridge uplink VLAN gets no IPv6 link-local")
    }

    func testNoOpReapplyWritesNothingAndFlapsNothing() throws {
        try ns.addNIC("eth1")
        let want = try desired(Self.vlans)
        try engine.apply(want)
        try ns.waitQuiet()
        let monitor = try ns.monitor()
        XCTAssertEqual(try engine.apply(want).changes, [])
        XCTAssertEqual(monitor.stop(), [], "no netlink event, so no link went down")
    }

    func testDriftByHandIsFoundAndRepaired() throws {
        try ns.addNIC("eth1")
        let want = try desired(Self.vlans)
        try engine.apply(want)
        try ns.ip("link", "set", "eth1.30", "mtu", "1500")
        try ns.ip("link", "set", "eth1.20", "nomaster")
        try ns.ip("link", "set", "vl-mgmt", "down")
        let drift = try engine.plan(want).plan.changes.map(\.action.summary)
        XCTAssertEqual(Set(drift), ["eth1.30: mtu 1500 → 9000", "eth1.20: port of br-vlan20", "vl-mgmt: link up"])
        try engine.apply(want)
        XCTAssertEqual(try engine.plan(want).plan.changes, [])
    }

    func testChangingAVLANIdRecreatesItDisruptively() throws {
        try ns.addNIC("eth1")
        try engine.apply(try desired(Self.vlans))
        let changed = Self.vlans.replacingOccurrences(of: "    id: 99", with: "    id: 98")
        let plan = try engine.plan(try desired(changed)).plan
        let replace = plan.changes.filter { $0.action.link == "vl-mgmt" && $0.action.symbol != "~" }
        XCTAssertEqual(replace.map(\.action.symbol), ["-", "+"])
        XCTAssertTrue(replace.allSatisfy(\.disruptive))
        XCTAssertEqual(replace.first?.reason, "replaced: VLAN id 99 → 98")
        XCTAssertTrue(plan.changes.contains { $0.action == .setUp(link: "vl-mgmt", up: true) })
        try engine.apply(try desired(changed))
        XCTAssertEqual(vlanInfo(try ns.links()["vl-mgmt"]).id, 98)
    }

    func testRemovalPrunesInReverseOrder() throws {
        try ns.addNIC("eth1")
        try engine.apply(try desired(Self.vlans))
        let plan = try engine.apply(try desired("pool: lab\nhosts: [hv01]\n"))
        let deletes = plan.changes.compactMap { change -> String? in
            if case .deleteLink(let link) = change.action { return link.name }
            return nil
        }
        XCTAssertEqual(deletes.first, "br-vlan20", "the bridge goes before the VLAN under it")
        let links = try ns.links()
        for name in ["eth1.20", "eth1.30", "vl-mgmt", "br-vlan20"] { XCTAssertNil(links[name], name) }
        XCTAssertNotNil(links["eth1"], "the NIC stays")
    }

    /// 802.1Q in 802.1Q with the inner VLAN listed first: created parent first (it used to be
    /// created before its parent, and the apply failed), no drift after, an outer id change
    /// replaces both in order, and removal prunes both.
    func testAVLANOnAVLANListedFirstConvergesAndIsReplacedInOrder() throws {
        try ns.addNIC("eth1")
        func file(outer id: Int) -> String {
            "pool: lab\nhosts: [hv01]\nvlans:\n  - { name: inner, link: outer, id: 20 }\n  - { name: outer, link: eth1, id: \(id) }\n"
        }
        try engine.apply(try desired(file(outer: 10)))
        let byName = try ns.links()
        XCTAssertEqual(vlanInfo(byName["outer"]).id, 10)
        XCTAssertEqual(vlanInfo(byName["inner"]).id, 20)
        XCTAssertEqual(byName["inner"]?["link"] as? String, "outer")
        XCTAssertEqual(try engine.plan(try desired(file(outer: 10))).plan.changes.map(\.line), [], "converged")

        let replaced = try engine.apply(try desired(file(outer: 11)))
        XCTAssertEqual(replaced.changes.filter { if case .createLink = $0.action { return true } else { return false } }.map(\.line).count, 2)
        let after = try ns.links()
        XCTAssertEqual(vlanInfo(after["outer"]).id, 11)
        XCTAssertEqual(after["inner"]?["link"] as? String, "outer")
        XCTAssertEqual(try engine.plan(try desired(file(outer: 11))).plan.changes.map(\.line), [], "converged after the replacement")

        try engine.apply(try desired("pool: lab\nhosts: [hv01]\n"))
        let left = try ns.links()
        XCTAssertNil(left["inner"])
        XCTAssertNil(left["outer"])
        XCTAssertNotNil(left["eth1"])
    }

    /// Two namespaces are two pool hosts joined by a cable (a veth pair); each applies the same
    /// file with its own --host, and jumbo frames cross VLAN 30 without fragmenting.
    func testTwoHostsTalkOverTheVLANWithJumboFrames() throws {
        let other = try TestNamespace("vlan-b")
        try ns.ip("link", "add", "eth1", "type", "veth", "peer", "name", "eth1", "netns", other.name)
        try engine.apply(try desired(Self.vlans, host: "hv01"))
        try Engine(isolatedIn: other.name, logger: engine.logger).apply(try desired(Self.vlans, host: "hv02"))
        let ping = try runProcess(["ip", "netns", "exec", ns.name, "ping", "-c", "1", "-W", "5", "-M", "do", "-s", "8972", "192.0.2.12"])
        XCTAssertEqual(ping.status, 0, ping.stdout + ping.stderr)
    }
}

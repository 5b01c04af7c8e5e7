import Engine
import HostState
import Planner
import TestSupport
import XCTest

final class VXLANTests: NamespaceTestCase {
    static let vxlanPool = """
    pool: lab
    hosts:
      hv01: { index: 1 }
      hv02: { index: 2 }
    storage_nics:
      - name: san0                       # the underlay between the hosts
        subnet: 192.0.2.0/24
        addresses: ["192.0.2.${index + 10}"]
    vxlans:
      - name: vx-priv0
        vni: 4100
        local: "192.0.2.${index + 10}"
        device: san0
    bridges:
      - name: br-priv0                   # one private guest network across the pool
        ports: [vx-priv0, vm0]
    """

    /// Two pool hosts joined only by their underlay; a guest on each, on the private bridge.
    func makeTwoHosts() throws -> (other: TestNamespace, guests: [TestNamespace]) {
        let other = try TestNamespace("vx-b")
        try ns.ip("link", "add", "san0", "type", "veth", "peer", "name", "san0", "netns", other.name)
        var guests: [TestNamespace] = []
        for (i, host) in [ns!, other].enumerated() {
            let guest = try TestNamespace("vx-g\(i)")
            try host.ip("link", "add", "vm0", "type", "veth", "peer", "name", "eth0", "netns", guest.name)
            try guest.ip("addr", "add", "203.0.113.\(i + 1)/24", "dev", "eth0")
            try guest.ip("link", "set", "eth0", "up")
            guests.append(guest)
        }
        return (other, guests)
    }

    func ping(from guest: TestNamespace, _ address: String) throws -> Bool {
        for _ in 0..<5 where try runProcess(["ip", "netns", "exec", guest.name, "ping", "-c", "1", "-W", "1", address]).status == 0 {
            return true
        }
        return false
    }

    func testGuestsOnTwoHostsTalkOverTheVXLANPrivateBridge() throws {
        let (other, guests) = try makeTwoHosts()
        let plan = try engine.apply(try desired(Self.vxlanPool, host: "hv01"))
        XCTAssertTrue(plan.changes.map(\.line).contains("~ vx-priv0: remote VTEPs none → 192.0.2.12"), plan.renderPlan())
        let engineB = Engine(isolatedIn: other.name, logger: engine.logger)
        try engineB.apply(try desired(Self.vxlanPool, host: "hv02"))

        let fdb = try must("bridge", "-n", ns.name, "fdb", "show", "dev", "vx-priv0")
        XCTAssertTrue(fdb.contains("00:00:00:00:00:00 dst 192.0.2.12"), fdb)
        let vx = (try ns.links()["vx-priv0"]?["linkinfo"] as? [String: Any])?["info_data"] as? [String: Any]
        XCTAssertEqual(vx?["id"] as? Int, 4100)
        XCTAssertEqual(vx?["local"] as? String, "192.0.2.11")
        XCTAssertTrue(try ping(from: guests[0], "203.0.113.2"), "guest on hv01 reaches guest on hv02 across the VXLAN")

        // A second apply on each host changes nothing.
        XCTAssertEqual(try engine.apply(try desired(Self.vxlanPool, host: "hv01")).changes, [])
        XCTAssertEqual(try engineB.apply(try desired(Self.vxlanPool, host: "hv02")).changes, [])
    }

    func testRemoteDriftAndVNIChange() throws {
        let hosts = try makeTwoHosts()  // keeps the other namespaces alive for the test
        defer { withExtendedLifetime(hosts) {} }
        let want = try desired(Self.vxlanPool, host: "hv01")
        try engine.apply(want)
        try must("bridge", "-n", ns.name, "fdb", "del", "00:00:00:00:00:00", "dev", "vx-priv0", "dst", "192.0.2.12")
        XCTAssertEqual(try engine.plan(want).plan.changes.map(\.action.summary), ["vx-priv0: remote VTEPs none → 192.0.2.12"])
        try engine.apply(want)

        let changed = Self.vxlanPool.replacingOccurrences(of: "vni: 4100", with: "vni: 4200")
        let plan = try engine.plan(try desired(changed, host: "hv01")).plan
        XCTAssertEqual(plan.changes.first { $0.action.symbol == "+" && $0.action.link == "vx-priv0" }?.reason, "replaced: vni 4100 → 4200", plan.renderPlan())
        try engine.apply(try desired(changed, host: "hv01"))
        let vx = (try ns.links()["vx-priv0"]?["linkinfo"] as? [String: Any])?["info_data"] as? [String: Any]
        XCTAssertEqual(vx?["id"] as? Int, 4200)
        XCTAssertEqual(try ns.links()["vx-priv0"]?["master"] as? String, "br-priv0", "the rebuilt VXLAN is back on its bridge")
    }
}

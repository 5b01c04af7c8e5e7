@testable import Engine
import HostState
import Netlink
import Planner
import TestSupport
import XCTest

/// Apply verifies a small plan by re-reading only the links it touched and what the kernel changes
/// along with them. That partial read must equal a full read, side effects included.
final class VerifyReadTests: NamespaceTestCase {
    func fullAndRefreshed(after changes: [Change], before: CurrentState) throws -> (full: CurrentState, refreshed: CurrentState, touched: Set<String>) {
        let touched = try XCTUnwrap(Engine.affectedLinks(changes, in: before))
        let (full, refreshed) = try NetworkNamespace.run(ns.name) { () throws -> (CurrentState, CurrentState) in
            let socket = try RouteSocket()
            return (try StateReader.readBase(using: socket), try StateReader.refresh(before, touched: touched, using: socket))
        }
        return (full.normalized(), refreshed.normalized(), touched)
    }

    func testRefreshOfTouchedLinksEqualsAFullRead() throws {
        try ns.batch([
            "link add v0 type veth peer name pv0", "link add v1 type veth peer name pv1", "link add v2 type veth peer name pv2",
            "link add br0 type bridge", "link add br1 type bridge", "link add br3 type bridge", "link add bystander type bridge",
            "link set v0 master br0", "link set v1 master br1", "link set br0 up", "link set v0 up",
            "addr add 192.0.2.1/24 dev br3", "addr add 198.51.100.1/24 dev br1", "addr add 203.0.113.1/24 dev bystander",
        ])
        let before = try engine.read()
        // What a small plan does, by hand: a port's MTU (its bridge follows: the kernel adjusts a
        // bridge MTU nobody set), a bridge deleted (its port is released), one created with a new
        // port, an address moved.
        try ns.batch([
            "link set v0 mtu 1400", "link del br1", "link add br2 type bridge", "link set v2 master br2",
            "addr del 192.0.2.1/24 dev br3", "addr add 192.0.2.2/24 dev br3",
        ])
        let before1 = try XCTUnwrap(before.linksByName()["br1"])
        let changes = [
            Change(.setMTU(link: "v0", mtu: 1400, previous: 1500)),
            Change(.deleteLink(before1)),
            Change(.createLink(NewLink(name: "br2", kind: .bridge))),
            Change(.setMaster(link: "v2", master: "br2", previous: nil)),
            Change(.removeAddress(link: "br3", prefix: IPPrefix("192.0.2.1/24")!, proto: 0)),
            Change(.addAddress(link: "br3", prefix: IPPrefix("192.0.2.2/24")!, proto: 0)),
        ]
        let (full, refreshed, touched) = try fullAndRefreshed(after: changes, before: before)
        XCTAssertTrue(touched.isSuperset(of: ["v0", "br0", "br1", "v1", "br2", "v2"]), "\(touched.sorted())")
        XCTAssertFalse(touched.contains("bystander"))
        XCTAssertEqual(full.linksByName()["br0"]?.mtu, 1400, "the kernel moved the bridge's MTU along")
        XCTAssertNil(full.linksByName()["v1"]?.master)
        XCTAssertEqual(refreshed.links, full.links)
        XCTAssertEqual(refreshed.addresses, full.addresses)
    }

    /// VXLANs sharing one underlay: one's MTU changed, one created, an address moved on another's
    /// bridge. The re-read takes those links and their bridges, not the underlay's other VXLANs
    /// (a child's change does not reach its lower link), and still equals a full read.
    func testVXLANChangesOnASharedUnderlayReadOnlyTheirOwnLinks() throws {
        try ns.addNIC("u0")
        var lines = ["addr add 192.0.2.1/24 dev u0", "link set u0 up"]
        for i in 0..<4 {
            lines += ["link add vx\(i) type vxlan id \(100 + i) local 192.0.2.1 dev u0 dstport 4789", "link add brx\(i) type bridge",
                      "link set vx\(i) mtu 1450", "link set vx\(i) master brx\(i)", "link set vx\(i) up", "link set brx\(i) up",
                      "addr add 10.40.\(i).1/24 dev brx\(i)"]
        }
        try ns.batch(lines)
        let before = try engine.read()
        try ns.batch(["link set vx0 mtu 1400", "link add vx9 type vxlan id 109 local 192.0.2.1 dev u0 dstport 4789",
                      "addr del 10.40.1.1/24 dev brx1", "addr add 10.250.0.1/24 dev brx1"])
        let changes = [
            Change(.setMTU(link: "vx0", mtu: 1400, previous: 1450)),
            Change(.createLink(NewLink(name: "vx9", kind: .vxlan, up: false, link: "u0", vxlan: VXLANInfo(vni: 109, local: "192.0.2.1", device: "u0")))),
            Change(.removeAddress(link: "brx1", prefix: IPPrefix("10.40.1.1/24")!, proto: 0)),
            Change(.addAddress(link: "brx1", prefix: IPPrefix("10.250.0.1/24")!, proto: 0)),
        ]
        let (full, refreshed, touched) = try fullAndRefreshed(after: changes, before: before)
        XCTAssertEqual(touched, ["vx0", "brx0", "vx9", "brx1", "vx1"])
        XCTAssertEqual(full.linksByName()["brx0"]?.mtu, 1400, "the kernel moved the bridge's MTU along with its port's")
        XCTAssertEqual(full.linksByName()["u0"]?.mtu, 1500, "the underlay is left as it was")
        XCTAssertEqual(refreshed.links, full.links)
        XCTAssertEqual(refreshed.addresses, full.addresses)
    }

    /// A port enslaved to a bridge that already exists changes that bridge (the kernel lowers an
    /// MTU nobody set to its smallest port's): the new master is read again, not only the port.
    func testEnslavingReadsTheNewMasterAgain() throws {
        try ns.batch(["link add v0 type veth peer name pv0", "link add v1 type veth peer name pv1", "link set v1 mtu 1400",
                      "link add br0 type bridge", "link set v0 master br0", "link set br0 up"])
        let before = try engine.read()
        try ns.batch(["link set v1 master br0"])
        let (full, refreshed, touched) = try fullAndRefreshed(after: [Change(.setMaster(link: "v1", master: "br0", previous: nil))], before: before)
        XCTAssertTrue(touched.isSuperset(of: ["v1", "br0"]), "\(touched.sorted())")
        XCTAssertEqual(full.linksByName()["br0"]?.mtu, 1400, "the kernel moved the bridge's MTU down to its new port's")
        XCTAssertEqual(refreshed.links, full.links)
    }

    /// A link's sysctls come with its link message, so a sysctl step reads its link again; a
    /// write to `default` or `all` can change other devices' values (IPv4 copies a `default` to
    /// every device whose value nobody set), so it asks for a full read.
    func testSysctlStepsReadTheirLinkAgainAndDefaultEverything() throws {
        for nic in ["s0", "s1", "s2"] { try ns.addNIC(nic) }
        try must("ip", "netns", "exec", ns.name, "sysctl", "-qw", "net.ipv4.conf.s2.arp_ignore=2")
        let before = try engine.read()
        try must("ip", "netns", "exec", ns.name, "sysctl", "-qw", "net.ipv4.conf.s0.rp_filter=2")
        let (full, refreshed, touched) = try fullAndRefreshed(after: [Change(.setSysctl(key: SysctlKey(.ipv4, "s0", "rp_filter"), value: 2, previous: 0))],
                                                              before: before)
        XCTAssertEqual(touched, ["s0"])
        XCTAssertEqual(refreshed.links, full.links)
        XCTAssertEqual(refreshed.linksByName()["s0"]?.dumpedSysctls?.answer(SysctlKey(.ipv4, "s0", "rp_filter")), .value(2))

        try must("ip", "netns", "exec", ns.name, "sysctl", "-qw", "net.ipv4.conf.default.arp_ignore=1")
        let after = try engine.read().linksByName()
        XCTAssertEqual(after["s1"]?.dumpedSysctls?.answer(SysctlKey(.ipv4, "s1", "arp_ignore")), .value(1), "default copied to s1")
        XCTAssertEqual(after["s2"]?.dumpedSysctls?.answer(SysctlKey(.ipv4, "s2", "arp_ignore")), .value(2), "s2's own value stays")
        for link in ["default", "all"] {
            XCTAssertNil(Engine.affectedLinks([Change(.setSysctl(key: SysctlKey(.ipv4, link, "arp_ignore"), value: 1, previous: 0))], in: before))
        }
    }

    /// The verification of a small plan reads the remote VTEPs of the VXLANs it touched (one
    /// filtered FDB dump each) and keeps the others' from the read before: a remote added by hand
    /// to an untouched VXLAN is not seen (a full read sees it), the touched ones match a full read.
    func testTheRemotesOfTouchedVXLANsAloneAreReadAgain() throws {
        try ns.addNIC("u0")
        var yaml = "pool: lab\nhosts:\n  hv01: { index: 1 }\n  hv02: { index: 2 }\n  hv03: { index: 3 }\n"
            + "storage_nics:\n  - { name: u0, addresses: [\"192.0.2.${index}/24\"] }\nvxlans:\n"
        for i in 0..<12 { yaml += "  - { name: vx\(i), vni: \(100 + i), local: \"192.0.2.${index}\", device: u0 }\n" }
        let desired = try desired(yaml)
        try engine.apply(desired)
        let before = try engine.read(for: desired)
        XCTAssertEqual(before.linksByName()["vx7"]?.vxlan?.remotes, ["192.0.2.2", "192.0.2.3"])
        try must("bridge", "-n", ns.name, "fdb", "del", "00:00:00:00:00:00", "dev", "vx0", "dst", "192.0.2.3")
        try must("bridge", "-n", ns.name, "fdb", "append", "00:00:00:00:00:00", "dev", "vx0", "dst", "192.0.2.9")
        try must("bridge", "-n", ns.name, "fdb", "append", "00:00:00:00:00:00", "dev", "vx7", "dst", "192.0.2.7")  // untouched
        try ns.ip("link", "set", "vx5", "mtu", "1400")
        let changes = [Change(.setVXLANRemotes(link: "vx0", remotes: ["192.0.2.2", "192.0.2.9"], previous: ["192.0.2.2", "192.0.2.3"])),
                       Change(.setMTU(link: "vx5", mtu: 1400, previous: 1450))]
        let (full, refreshed) = try NetworkNamespace.run(ns.name) { () throws -> (CurrentState, CurrentState) in
            let socket = try RouteSocket()
            let requests = RouteSocket.requestsSent.load(ordering: .relaxed)
            let refreshed = try Engine.readAfter(changes, before: before, desired: desired, using: socket, storage: StorageBackends())
            // The two touched links by name, the addresses, one FDB dump per touched VXLAN, the
            // default routes (the file has a storage NIC).
            XCTAssertEqual(RouteSocket.requestsSent.load(ordering: .relaxed) - requests, 6)
            return (try Engine.read(using: socket, for: desired), refreshed)
        }
        let (f, r) = (full.linksByName(), refreshed.linksByName())
        XCTAssertEqual(r["vx0"]?.vxlan?.remotes, ["192.0.2.2", "192.0.2.9"])
        XCTAssertEqual(r["vx5"]?.mtu, 1400)
        XCTAssertEqual(r["vx5"]?.vxlan?.remotes, ["192.0.2.2", "192.0.2.3"])
        XCTAssertEqual(f["vx7"]?.vxlan?.remotes, ["192.0.2.2", "192.0.2.3", "192.0.2.7"], "a full read sees the hand-made remote")
        XCTAssertEqual(r["vx7"]?.vxlan?.remotes, ["192.0.2.2", "192.0.2.3"], "the untouched VXLAN keeps the remotes read before")
        for i in 0..<12 where i != 7 { XCTAssertEqual(r["vx\(i)"], f["vx\(i)"], "vx\(i)") }
    }
}

import HostState
import Topology
import XCTest

/// What `import` declares from a read, and what it lists as comments instead (no root: the read
/// is built by hand in the model's terms; the namespace tests read real kernels).
final class LiveImportTests: XCTestCase {
    func prefix(_ text: String) -> IPPrefix { IPPrefix(text)! }

    func testWhatCannotBeDeclaredIsListedWithTheReason() throws {
        var current = CurrentState(links: [
            LinkState(index: 1, name: "lo", kind: .device, mtu: 65536, up: true),
            LinkState(index: 2, name: "eth0", kind: .device, mtu: 1500, up: true),
            LinkState(index: 3, name: "san0", kind: .device, mtu: 9000, up: true),
            LinkState(index: 4, name: "xenbr0", kind: .bridge, mtu: 1500, up: true, bridge: BridgeOptions(stp: false)),
            LinkState(index: 5, name: "vif3.0", kind: .device, mtu: 1500, up: true, master: "xenbr0"),
            LinkState(index: 6, name: "tap7", kind: .other("tun"), mtu: 1500, up: true, master: "xenbr0"),
            LinkState(index: 7, name: "mv0", kind: .other("macvlan"), mtu: 1500, up: true),
            LinkState(index: 8, name: "brx", kind: .bridge, mtu: 1500, up: true, alias: "poolnet:other", bridge: BridgeOptions(stp: false)),
            LinkState(index: 9, name: "eth1", kind: .device, mtu: 1500, up: false, master: "xenbr0"),
        ], addresses: [
            AddressState(link: "eth0", prefix: prefix("198.51.100.5/24")),
            AddressState(link: "san0", prefix: prefix("10.10.1.21/24")),
            AddressState(link: "san0", prefix: prefix("fe80::1/64")),
        ], routes: [RouteState(destination: prefix("0.0.0.0/0"), gateway: "198.51.100.1", link: "eth0")])
        current.sysctls = [SysctlValue(SysctlKey(.ipv4, "san0", "rp_filter"), 0), SysctlValue(SysctlKey(.ipv4, "all", "rp_filter"), 2),
                           SysctlValue(SysctlKey(.ipv6, "san0", "disable_ipv6"), 1)]
        let host = LiveImport.host(from: current, pool: "lab", host: "hv01", index: 1)
        let notes = host.notes.joined(separator: "\n")
        for expected in ["eth0: carries the default route", "vif3.0 (port of xenbr0), tap7 (port of xenbr0)", "mv0: a macvlan device",
                         "brx: marked by another pool", "down: eth1", "net.ipv4.conf.san0.rp_filter is 0 but net.ipv4.conf.all.rp_filter is 2"] {
            XCTAssertTrue(notes.contains(expected), "\(expected) in:\n\(notes)")
        }
        XCTAssertEqual(host.state.nics.map(\.name), ["san0"])
        XCTAssertEqual(host.state.nics.first?.addresses.map(\.prefix.description), ["10.10.1.21/24"], "link-local addresses come with the link")
        XCTAssertEqual(host.state.bridges.map(\.name), ["xenbr0"])
        XCTAssertEqual(host.state.bridges.first?.ports, ["eth1"])

        let text = try PoolFileMerge.write(pool: "lab", hosts: [host])
        XCTAssertTrue(text.contains("ipv6: \"off\""), text)
        XCTAssertTrue(text.contains("#   - eth0: carries the default route"), text)
        XCTAssertFalse(text.contains("vif3.0\n") || text.contains("name: vif"), text)
    }

    /// iSCSI and NPIV that a pool file cannot say are notes, each with its reason; the rest is
    /// declared (the plan side is in PlannerTests/ImportStoragePlanTests).
    func testISCSIAndVPortsAFileCannotSayAreNotedWithTheReason() throws {
        let current = CurrentState(links: [
            LinkState(index: 2, name: "stor0", kind: .veth, mtu: 9000, up: true),
            LinkState(index: 3, name: "stor1", kind: .veth, mtu: 9000, up: true),
            LinkState(index: 4, name: "eth9", kind: .device, mtu: 1500, up: true),
        ], addresses: [AddressState(link: "stor0", prefix: prefix("192.0.2.1/24")), AddressState(link: "stor1", prefix: prefix("198.51.100.1/24"))])
        var host = LiveImport.host(from: current, pool: "lab", host: "hv01", index: 1)
        let target = "iqn.2026-11.org.example:store1", other = "iqn.2026-11.org.example:store2"
        func key(_ iface: String, _ portal: String, _ target: String) -> ISCSINodeKey { ISCSINodeKey(iface: iface, portal: ISCSIPortal(portal)!, target: target) }
        var iscsi = ISCSIState()
        iscsi.initiatorName = "iqn.2026-11.org.example:hv01"
        iscsi.ifaces = [ISCSIIface(name: "san-a", netIfaceName: "stor0"), ISCSIIface(name: "by-mac", hwAddress: "52:54:00:12:34:56"),
                        ISCSIIface(name: "off-nic", netIfaceName: "eth9"), ISCSIIface(name: "san-b", netIfaceName: "stor1"),
                        ISCSIIface(name: "own-name", netIfaceName: "stor1", initiatorName: "iqn.2026-11.org.example:other")]
        let logged = [key("san-a", "192.0.2.10", target), key("san-a", "192.0.2.11", target), key("default", "192.0.2.10", target)]
        iscsi.nodes = (logged + [key("san-b", "198.51.100.10", target), key("by-mac", "192.0.2.10", target)]).map { ISCSINodeRecord(key: $0) }
        iscsi.sessions = logged.enumerated().map { ISCSISession(id: $0.offset, key: $0.element, state: "LOGGED_IN") }
        iscsi.multipathConfig = "# Written by poolnet for pool other; `poolnet apply` replaces this file.\ndefaults {\n\tpolling_interval 2\n}\n"
        let parent = FCHost(name: "host7", portName: WWN(0x2100001b32a9da01))
        let fc = FCState(hosts: [parent], vports: [
            FCVPort(name: "vport-7:0-0", parent: "host7", portName: WWN(0x2101001b32a9da01), nodeName: WWN(0x2001001b32a9da01), state: "Active", symbolicName: ""),
            FCVPort(name: "vport-7:0-1", parent: "host7", portName: WWN(0x0101001b32a9da02), nodeName: WWN(0x2001001b32a9da02), state: "Active"),
            FCVPort(name: "vport-9:0-0", parent: "host9", portName: WWN(0x2101001b32a9da03), nodeName: WWN(0x2001001b32a9da03), state: "Active"),
        ])
        LiveImport.addStorage(iscsi: iscsi, fc: fc, to: &host)
        let notes = host.notes.joined(separator: "\n")
        for expected in ["iSCSI iface by-mac: bound by hardware address 52:54:00:12:34:56",
                         "iSCSI iface off-nic: bound to eth9, which is not declared as a storage NIC",
                         "iSCSI iface own-name: its own initiator name iqn.2026-11.org.example:other differs",
                         "iSCSI iface san-b: records without a session (\(target) via 198.51.100.10:3260 on san-b)",
                         "iSCSI node records on open-iscsi's default iface",
                         "multipath drop-in (conf.d/90-poolnet.conf): it was not written by poolnet for pool lab",
                         "vport-7:0-1 (wwpn 0101001b32a9da02, wwnn 2001001b32a9da02): 0101001b32a9da02 has NAA 0",
                         "vport-9:0-0 (wwpn 2101001b32a9da03, wwnn 2001001b32a9da03): its parent host9 is not a physical FC port"] {
            XCTAssertTrue(notes.contains(expected), "\(expected) in:\n\(notes)")
        }
        let declared = try XCTUnwrap(host.state.iscsi)
        XCTAssertEqual(declared.paths.map(\.iface), ["san-a"])
        XCTAssertEqual(declared.paths.first?.portals.map(\.description), ["192.0.2.10:3260", "192.0.2.11:3260"])
        XCTAssertEqual(declared.targets, [target])
        XCTAssertNil(declared.multipathConfig)
        XCTAssertEqual(host.state.vports.map(\.wwpn), [WWN(0x2101001b32a9da01)])
        XCTAssertNil(host.state.vports.first?.symbolicName, "an empty symbolic name is not declared")

        // A path whose records miss a target the others have: the product a file says is not there.
        iscsi.nodes = [key("san-a", "192.0.2.10", target), key("san-a", "192.0.2.11", target), key("san-a", "192.0.2.11", other)].map { ISCSINodeRecord(key: $0) }
        iscsi.sessions = iscsi.nodes.enumerated().map { ISCSISession(id: $0.offset, key: $0.element.key, state: "LOGGED_IN") }
        var again = LiveImport.host(from: current, pool: "lab", host: "hv01", index: 1)
        LiveImport.addStorage(iscsi: iscsi, fc: nil, to: &again)
        XCTAssertNil(again.state.iscsi)
        XCTAssertTrue(again.notes.contains { $0.hasPrefix("iSCSI iface san-a: its records do not give every portal every target") }, again.notes.joined(separator: "\n"))
        XCTAssertTrue(again.notes.contains("iSCSI initiator iqn.2026-11.org.example:hv01 not declared: none of its ifaces can be a path (see above)"), again.notes.joined(separator: "\n"))
    }
}

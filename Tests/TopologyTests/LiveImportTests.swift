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

    func testISCSIAndNPIVAreListed() {
        var iscsi = ISCSIState()
        iscsi.initiatorName = "iqn.2026-11.org.example:hv01"
        iscsi.ifaces = [ISCSIIface(name: "default"), ISCSIIface(name: "san-a", netIfaceName: "stor0")]
        let key = ISCSINodeKey(iface: "san-a", portal: ISCSIPortal(address: "192.0.2.10"), target: "iqn.2026-11.org.example:store1")
        iscsi.nodes = [ISCSINodeRecord(key: key)]
        iscsi.sessions = [ISCSISession(id: 1, key: key, state: "LOGGED_IN")]
        let fc = FCState(hosts: [FCHost(name: "host7", portName: WWN(0x2100001b32a9da01))],
                         vports: [FCVPort(name: "vport-7:0-0", parent: "host7", portName: WWN(0xc05076000a000001), nodeName: WWN(0xc05076000b000001), state: "Active")])
        let notes = LiveImport.storageNotes(iscsi: iscsi, fc: fc)
        XCTAssertEqual(notes.count, 4, notes.joined(separator: "\n"))
        XCTAssertTrue(notes[1].hasPrefix("iSCSI iface san-a bound to stor0"), notes[1])
        XCTAssertTrue(notes[2].contains("via 192.0.2.10:3260 on san-a, session LOGGED_IN"), notes[2])
        XCTAssertTrue(notes[3].contains("on 2100001b32a9da01"), notes[3])
    }
}

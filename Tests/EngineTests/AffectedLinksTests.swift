@testable import Engine
import HostState
import Planner
import XCTest

/// Which plans verify with a targeted re-read of the links they touch and which with full dumps
/// (VerifyReadTests runs both on the kernel).
final class AffectedLinksTests: XCTestCase {
    func testLargeOrStoragePlansGetAFullRead() throws {
        let state = CurrentState(links: (0..<100).map { LinkState(index: Int32($0 + 1), name: "v\($0)", kind: .veth, mtu: 1500, up: true) },
                                 addresses: [])
        let many = (0..<65).map { Change(.setMTU(link: "v\($0)", mtu: 9000, previous: 1500)) }
        XCTAssertNil(Engine.affectedLinks(many, in: state))
        XCTAssertNotNil(Engine.affectedLinks(Array(many.prefix(64)), in: state))
        XCTAssertNil(Engine.affectedLinks([Change(.storage(.login(ISCSINodeKey(iface: "p0", portal: ISCSIPortal(address: "192.0.2.1"), target: "iqn.2026-01.test:t"))))], in: state))
        // A shared parent pulls in every child: past the limit, a full read.
        var vlans = state
        vlans.links += (0..<70).map { LinkState(index: Int32(200 + $0), name: "v0.\($0)", kind: .vlan, mtu: 1500, up: true, link: "v0", vlanID: UInt16($0 + 1)) }
        XCTAssertNil(Engine.affectedLinks([Change(.setMTU(link: "v0", mtu: 1400, previous: 1500))], in: vlans))
    }

    /// A VXLAN changed or created among many on one underlay reads its own bridge again, not the
    /// underlay's other VXLANs: no change to a child changes its lower link (issue 17's vxlan
    /// small change was verified with full dumps for one VXLAN's MTU).
    func testAChildDoesNotPullInItsSiblingsThroughTheirSharedLower() throws {
        var links = [LinkState(index: 1, name: "u0", kind: .veth, mtu: 1500, up: true)]
        for i in 0..<100 {
            links.append(LinkState(index: Int32(10 + 2 * i), name: "vx\(i)", kind: .vxlan, mtu: 1450, up: true, master: "brx\(i)",
                                   vxlan: VXLANInfo(vni: UInt32(1000 + i), device: "u0")))
            links.append(LinkState(index: Int32(11 + 2 * i), name: "brx\(i)", kind: .bridge, mtu: 1450, up: true))
        }
        let state = CurrentState(links: links, addresses: [])
        let touched = Engine.affectedLinks([Change(.setMTU(link: "vx0", mtu: 1400, previous: 1450)),
                                            Change(.createLink(NewLink(name: "vx100", kind: .vxlan, link: "u0", vxlan: VXLANInfo(vni: 1100, device: "u0"))))],
                                           in: state)
        XCTAssertEqual(touched, ["vx0", "brx0", "vx100"])
        // The underlay itself changed: every VXLAN on it is read again (past the limit, in full).
        XCTAssertNil(Engine.affectedLinks([Change(.setMTU(link: "u0", mtu: 9000, previous: 1500))], in: state))
    }
}

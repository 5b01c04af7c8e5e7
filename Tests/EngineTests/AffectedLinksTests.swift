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
}

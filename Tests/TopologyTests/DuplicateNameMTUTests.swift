import Topology
import XCTest

/// A name declared under two kinds is refused; the creation-MTU rule still judges it as it did
/// when each kind had its own list (bond before VLAN before the host), so the other errors of the
/// same run do not change with the order kinds are registered in.
final class DuplicateNameMTUTests: XCTestCase {
    func validate(_ yaml: String) -> [String] {
        do { return try Topology.parse(yaml: yaml, file: "t.yaml").validate().map(\.description) } catch { return error.errors.map(\.description) }
    }

    func testABondAndABridgeOfOneNameStillGiveTheBondsMTUToTheVLANOnIt() {
        let errors = validate("""
            pool: lab
            hosts: [hv01]
            bridges:
              - { name: up0 }
            bonds:
              - { name: up0, mode: active-backup, members: [eth1] }
            vlans:
              - { name: up0.20, mtu: 9000 }
            """)
        XCTAssertTrue(errors.contains { $0.contains("up0 is declared twice") }, "\(errors)")
        XCTAssertTrue(errors.contains { $0.contains("9000") && $0.contains("1500") }, "the bond's kernel default decides: \(errors)")
    }
}

import HostState
import Storage
import XCTest

/// The parsers against output captured from open-iscsi 2.1.8 and multipath-tools 0.9.4 (Debian 12)
/// in the VM tier, with a tgt target exporting one LUN on two portals.
final class OutputParserTests: XCTestCase {
    func testIfaceListLeavesOutBuiltInIfaces() throws {
        let ifaces = ISCSIAdmOutput.ifaces(try Fixture.text("iscsiadm-iface.txt"))
        XCTAssertEqual(ifaces, [
            ISCSIIface(name: "san-a", transport: "tcp", netIfaceName: "stor0", initiatorName: "iqn.2026-11.org.example:vmhost"),
            ISCSIIface(name: "san-b", transport: "tcp", netIfaceName: "stor1", initiatorName: "iqn.2026-11.org.example:vmhost"),
        ])
    }

    func testNodeRecordsKeepOnlyManagedSettings() throws {
        let keys: Set<String> = ["node.startup", "node.session.timeo.replacement_timeout"]
        let nodes = ISCSIAdmOutput.nodes(try Fixture.text("iscsiadm-node-show.txt"), settings: keys)
        let target = "iqn.2026-11.org.example:store1"
        XCTAssertEqual(nodes, [
            ISCSINodeRecord(key: ISCSINodeKey(iface: "san-a", portal: ISCSIPortal(address: "192.0.2.10"), target: target),
                            settings: ["node.startup": "automatic", "node.session.timeo.replacement_timeout": "5"]),
            ISCSINodeRecord(key: ISCSINodeKey(iface: "san-b", portal: ISCSIPortal(address: "198.51.100.10"), target: target),
                            settings: ["node.startup": "manual", "node.session.timeo.replacement_timeout": "5"]),
        ])
    }

    func testMultipathPathsOrphanActiveAndFailed() throws {
        let wwid = "360000000000000000e00000000010001"
        let orphans = MultipathOutput.paths(try Fixture.text("multipathd-paths-orphan.txt"))
        XCTAssertEqual(orphans.map(\.device), ["sda", "sdb"])
        XCTAssertTrue(orphans.allSatisfy { $0.isOrphan && !$0.isActive && $0.wwid == wwid })

        let mapped = MultipathOutput.paths(try Fixture.text("multipathd-paths.txt"))
        XCTAssertEqual(mapped.map(\.map), [wwid, wwid])
        XCTAssertTrue(mapped.allSatisfy(\.isActive))
        XCTAssertEqual(mapped.first?.hctl, "6:0:0:1")

        let down = MultipathOutput.paths(try Fixture.text("multipathd-paths-down.txt"))
        XCTAssertEqual(down.map(\.isActive), [true, false])
        XCTAssertEqual(down.last.map { "\($0.dmState) \($0.checkerState)" }, "failed faulty")
    }

    func testMultipathMaps() throws {
        let wwid = "360000000000000000e00000000010001"
        XCTAssertEqual(MultipathOutput.maps(try Fixture.text("multipathd-maps.txt")),
                       [MultipathMap(name: wwid, wwid: wwid, dmDevice: "dm-0", activePaths: 2)])
        XCTAssertEqual(MultipathOutput.maps(try Fixture.text("multipathd-maps-down.txt")).first?.activePaths, 1)
        XCTAssertEqual(MultipathOutput.maps(try Fixture.text("multipathd-maps-none.txt")), [], "multipathd answers `ok` when there is no map")
    }

    func testMultipathEffectiveDefaults() throws {
        let defaults = MultipathOutput.defaults(try Fixture.text("multipathd-show-config.txt"))
        XCTAssertEqual(defaults["user_friendly_names"], "no")
        XCTAssertEqual(defaults["find_multipaths"], "strict", "Debian's default: only known WWIDs become maps")
        XCTAssertEqual(defaults["path_checker"], "tur")
        XCTAssertNil(defaults["vendor"], "device sections are not defaults")
    }

    func testPortalForms() {
        XCTAssertEqual(ISCSIPortal("192.0.2.10"), ISCSIPortal(address: "192.0.2.10", port: 3260))
        XCTAssertEqual(ISCSIPortal("192.0.2.10:3261"), ISCSIPortal(address: "192.0.2.10", port: 3261))
        XCTAssertEqual(ISCSIPortal("192.0.2.10,3260"), ISCSIPortal(address: "192.0.2.10", port: 3260))
        XCTAssertEqual(ISCSIPortal("[2001:db8::1]:3260")?.argument, "[2001:db8::1]:3260")
        XCTAssertEqual(ISCSIPortal("2001:db8::1")?.port, 3260)
        XCTAssertNil(ISCSIPortal("192.0.2.300"))
        XCTAssertNil(ISCSIPortal("192.0.2.10:0"))
        XCTAssertNil(ISCSIPortal("portal.example"))
    }
}

import Foundation
import HostState
import Planner
import Storage
import Topology
import XCTest

/// `import` of iSCSI and NPIV against the planner, without root: a host read as the VM tier reads
/// it (the iface and node records are iscsiadm's captured output, parsed by the backend's own
/// parsers), imported, written, parsed back, and planned against the same read: nothing to do.
final class ImportStoragePlanTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("StorageTests/Fixtures")
    let target = "iqn.2026-11.org.example:store1"

    func fixture(_ name: String) throws -> String {
        try String(contentsOf: Self.fixtures.appendingPathComponent(name), encoding: .utf8)
    }

    /// stor0 and stor1 with the iSCSI lab's addresses, the captured ifaces and records (san-a on
    /// stor0, san-b on stor1, one target), both logged in, poolnet's drop-in, one FC port with two vports.
    func host() throws -> CurrentState {
        var current = CurrentState(links: [
            LinkState(index: 1, name: "lo", kind: .device, mtu: 65536, up: true),
            LinkState(index: 2, name: "stor0", kind: .veth, mtu: 9000, up: true),
            LinkState(index: 3, name: "stor1", kind: .veth, mtu: 9000, up: true),
        ], addresses: [AddressState(link: "stor0", prefix: IPPrefix("192.0.2.1/24")!), AddressState(link: "stor1", prefix: IPPrefix("198.51.100.1/24")!)])
        current.sysctls = ["stor0", "stor1"].map { SysctlValue(SysctlKey(.ipv4, $0, "rp_filter"), 0) }
        var iscsi = ISCSIState()
        iscsi.initiatorName = "iqn.2026-11.org.example:vmhost"
        iscsi.ifaces = ISCSIAdmOutput.ifaces(try fixture("iscsiadm-iface.txt"))
        iscsi.nodes = ISCSIAdmOutput.nodes(try fixture("iscsiadm-node-show.txt"), settings: ISCSISettingKeys.all)
        iscsi.sessions = iscsi.nodes.enumerated().map { ISCSISession(id: $0.offset + 1, key: $0.element.key, state: "LOGGED_IN", recoveryTimeout: 5) }
        iscsi.multipathConfig = "# Written by poolnet for pool lab; `poolnet apply` replaces this file.\ndefaults {\n\tpolling_interval 2\n}\noverrides {\n\tno_path_retry 12\n}\n"
        iscsi.multipathPaths = []
        current.iscsi = iscsi
        current.fc = FCState(hosts: [FCHost(name: "host7", portName: WWN(0x2100001b32a9da01), canCreateVPorts: true)], vports: [
            FCVPort(name: "vport-7:0-0", parent: "host7", portName: WWN(0x2101001b32a9da01), nodeName: WWN(0x2001001b32a9da01), state: "Active",
                    symbolicName: "poolnet vmhost A"),
            FCVPort(name: "vport-7:0-1", parent: "host7", portName: WWN(0x2101001b32a9db01), nodeName: WWN(0x2001001b32a9db01), state: "Linkdown"),
        ])
        return current
    }

    func importAndResolve(_ current: CurrentState) throws -> (text: String, state: DesiredState, notes: [String]) {
        var imported = LiveImport.host(from: current, pool: "lab", host: "vmhost", index: 1)
        LiveImport.addStorage(iscsi: current.iscsi, fc: current.fc, to: &imported)
        let text = try PoolFileMerge.write(pool: "lab", hosts: [imported])
        let topology = try Topology.parse(yaml: text, file: "imported.yaml")
        XCTAssertEqual(topology.validate().map(\.description), [], text)
        return (text, try topology.resolve(host: "vmhost"), imported.notes)
    }

    func testImportedISCSIAndVPortsPlanNothing() throws {
        let current = try host()
        let (text, state, notes) = try importAndResolve(current)
        for expected in ["initiator: \"iqn.2026-11.org.example:vmhost\"", "targets: [\"\(target)\"]",
                         "- { iface: san-a, nic: stor0, portals: [\"192.0.2.10:3260\"] }",
                         "- { iface: san-b, nic: stor1, portals: [\"198.51.100.10:3260\"] }",
                         "replacement_timeout: 5", "login_timeout: 15", "defaults: { polling_interval: \"2\" }",
                         "parent: 2100001b32a9da01", "wwpn: 2101001b32a9da01", "symbolic_name: \"poolnet vmhost A\"", "wwpn: 2101001b32a9db01"] {
            XCTAssertTrue(text.contains(expected), "\(expected) in:\n\(text)")
        }
        // The captured records differ in node.startup: not declared, and said so.
        XCTAssertFalse(text.contains("startup:"), text)
        XCTAssertTrue(notes.contains("iSCSI session startup (node.startup) differs between node records (automatic, manual); not declared"), notes.joined(separator: "\n"))
        let plan = Planner.plan(desired: state, current: current)
        XCTAssertEqual(plan.changes.map(\.line), [], text)
        XCTAssertEqual(plan.problems.map(\.message), [])
    }

    /// An iface made by hand has no initiator name of its own and logs in with the host's: the
    /// same as the file's, so nothing to rebind; once the file's name differs, it is rebound.
    func testAnIfaceWithoutItsOwnInitiatorNameIsTheHostsUntilTheNameChanges() throws {
        var current = try host()
        current.iscsi!.ifaces = current.iscsi!.ifaces.map { var iface = $0; iface.initiatorName = nil; return iface }
        let (text, state, _) = try importAndResolve(current)
        XCTAssertEqual(Planner.plan(desired: state, current: current).changes.map(\.line), [], text)

        var renamed = state
        renamed.iscsi!.initiatorName = "iqn.2026-11.org.example:hv07"
        let lines = Planner.plan(desired: renamed, current: current).changes.map(\.line).joined(separator: "\n")
        XCTAssertTrue(lines.contains("iqn.2026-11.org.example:hv07"), lines)
        XCTAssertTrue(lines.contains("~ iscsi iface san-a"), lines)
        XCTAssertTrue(lines.contains("~ iscsi iface san-b"), lines)
    }

    /// What the import leaves out shows in the plan as it says: a drop-in it could not read back
    /// is removed by plan, and the note says so.
    func testADropInEditedByHandIsNotedAndPlanRemovesIt() throws {
        var current = try host()
        current.iscsi!.multipathConfig! += "\tpath_checker tur\n"
        let (text, state, notes) = try importAndResolve(current)
        XCTAssertFalse(text.contains("multipath:"), text)
        XCTAssertTrue(notes.contains { $0.hasPrefix("multipath drop-in (conf.d/90-poolnet.conf): it is not laid out as poolnet writes it") && $0.hasSuffix("so plan removes it (poolnet writes only the keys a file declares)") },
                      notes.joined(separator: "\n"))
        let lines = Planner.plan(desired: state, current: current).changes.map(\.line)
        XCTAssertEqual(lines.count, 1, lines.joined(separator: "\n"))
        XCTAssertTrue(lines.first?.contains("multipath") == true, lines.joined(separator: "\n"))
    }

    /// A LUN behind the sessions that is in no multipath map is a change the file cannot declare
    /// away: the note says plan adds the map, and plan does exactly that, nothing else.
    func testALUNInNoMapIsNotedAndPlanAddsTheMap() throws {
        var current = try host()
        let wwid = "360000000000000000e00000000010001"
        current.iscsi!.sessions[0].disks = [SCSIDisk(device: "sda", hctl: "6:0:0:1")]
        current.iscsi!.multipathPaths = [MultipathPath(device: "sda", wwid: wwid, hctl: "6:0:0:1", dmState: "undef", checkerState: "ready", map: "[orphan]")]
        let (_, state, notes) = try importAndResolve(current)
        XCTAssertTrue(notes.contains("iSCSI LUNs in no multipath map: \(wwid) (sda); plan adds a map for each (multipath -a, multipathd add map)"), notes.joined(separator: "\n"))
        let lines = Planner.plan(desired: state, current: current).changes.map(\.line)
        XCTAssertEqual(lines.count, 1, lines.joined(separator: "\n"))
        XCTAssertTrue(lines.first?.contains("multipath map \(wwid)") == true, lines.joined(separator: "\n"))
    }
}

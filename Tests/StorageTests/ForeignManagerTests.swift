import Foundation
import HostState
import Storage
import XCTest

/// The detectors on files captured from the real daemons (Fixtures/foreign/README.md): each claim
/// they report, each they must not, and the evidence they print.
final class ForeignManagerTests: XCTestCase {
    func fixture(_ name: String) -> String {
        Bundle.module.url(forResource: "Fixtures/foreign/\(name)", withExtension: nil)!.path
    }

    /// The links of the daemon's namespace, from the `ip -j link` captured with its state.
    func links(_ name: String) throws -> [LinkState] {
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(fixture(name))/links.json"))
        let array = try JSONSerialization.jsonObject(with: data) as! [[String: Any]]
        return array.map {
            let kind = ($0["linkinfo"] as? [String: Any])?["info_kind"] as? String
            return LinkState(index: Int32($0["ifindex"] as! Int), name: $0["ifname"] as! String, kind: LinkKind(kernelKind: kind),
                             mtu: UInt32($0["mtu"] as! Int), up: true, master: $0["master"] as? String)
        }
    }

    func read(_ name: String, devices: [String], running: [ForeignManager: Int32], links: [LinkState] = [], pool: String = "lab") -> ForeignState {
        ForeignManagerReader(roots: ForeignManagerRoots(under: fixture(name)), pool: pool, daemons: running).read(devices: devices, links: links)
    }

    func testNetworkManagerClaimsTheDevicesItManages() throws {
        let state = read("nm-managed", devices: ["nm0", "nm1", "nm9"], running: [.networkManager: 260], links: try links("nm-managed"))
        XCTAssertEqual(state.claims.map(\.device), ["nm0", "nm1"], "nm9 does not exist; no file, no claim")
        XCTAssertEqual(state.claims.first?.evidence,
                       "/run/NetworkManager/devices/3:2: managed=true, connection-uuid=984c48f0-eadb-460f-bb30-eaf4c020bd26")
        XCTAssertEqual(state.claims.map(\.manager), [.networkManager, .networkManager])
        XCTAssertTrue(state.present.contains(.networkManager))
    }

    func testNetworkManagerLetGoAfterUnmanagedDevicesOrSetManagedNo() throws {
        let unmanaged = read("nm-unmanaged", devices: ["nm0", "nm1"], running: [.networkManager: 260], links: try links("nm-unmanaged"))
        XCTAssertEqual(unmanaged.claims.map(\.device), ["nm1"], "the conf.d entry leaves no managed= line for nm0")
        let setNo = read("nm-setno", devices: ["nm0", "nm2", "nm3"], running: [.networkManager: 260], links: try links("nm-setno"))
        XCTAssertEqual(setNo.claims.map(\.device), ["nm3"], "managed=false (nm2) and no line (nm0) are no claims")
    }

    func testStaleRuntimeFilesOfAStoppedDaemonClaimNothing() throws {
        // NetworkManager and networkd leave their files when they stop; only a running daemon counts.
        XCTAssertEqual(read("nm-managed", devices: ["nm0", "nm1"], running: [:], links: try links("nm-managed")).claims, [])
        XCTAssertEqual(read("networkd", devices: ["nd0"], running: [.networkManager: 1], links: try links("networkd")).claims, [])
    }

    func testNetworkdClaimsMatchedLinksWithTheirNetworkFile() throws {
        let state = read("networkd", devices: ["nd0", "nd1", "nd2"], running: [.networkd: 300], links: try links("networkd"))
        XCTAssertEqual(state.claims.map(\.device), ["nd0", "nd2"], "nd1 matched no .network file: unmanaged")
        XCTAssertEqual(state.claims.first?.evidence,
                       "/run/systemd/netif/links/3:2: ADMIN_STATE=configuring, NETWORK_FILE=/etc/systemd/network/50-nd0.network")
        XCTAssertTrue(state.claims.first?.remedy?.contains("coexist: { networkd: unmanage }") ?? false)
        let after = read("networkd-unmanaged", devices: ["nd0", "nd2"], running: [.networkd: 300], links: try links("networkd"))
        XCTAssertEqual(after.claims.map(\.device), ["nd2"], "Unmanaged=yes took nd0 away from networkd")
    }

    func testIfupdownStanzasThroughSourceGlobsWithFileAndLine() throws {
        let state = read("ifupdown2", devices: ["if0", "if1", "brx", "eth7"], running: [:])
        XCTAssertTrue(state.present.contains(.ifupdown))
        XCTAssertEqual(state.claims.map(\.device), ["brx", "if0", "if1"])
        let byDevice = Dictionary(uniqueKeysWithValues: state.claims.map { ($0.device, $0) })
        XCTAssertEqual(byDevice["if0"]?.evidence, "/etc/network/interfaces:7: iface if0; configured now per /var/tmp/network/ifstatenew")
        XCTAssertEqual(byDevice["if1"]?.evidence, "/etc/network/interfaces.d/brx:3: port of bridge brx (bridge-ports)")
        XCTAssertEqual(byDevice["brx"]?.evidence, "/etc/network/interfaces.d/brx:2: iface brx; configured now per /var/tmp/network/ifstatenew")
        XCTAssertEqual(byDevice["if0"]?.remedy, "poolnet never edits ifupdown's files: `ifdown if0`, remove it at /etc/network/interfaces:7, then `ifreload -a`")
    }

    func testIfupdownSourceDirectoryContinuationsVLANStanzasAndIncludeLoops() throws {
        let root = NSTemporaryDirectory() + "pn-ifupdown-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: "\(root)/etc/network/parts", withIntermediateDirectories: true)
        try """
        # loops back to itself: read once
        source interfaces
        source-directory /etc/network/parts
        iface bond0 inet manual
            bond-slaves eno1 \\
                eno2
        """.write(toFile: "\(root)/etc/network/interfaces", atomically: true, encoding: .utf8)
        try "iface eno3.20 inet manual\n".write(toFile: "\(root)/etc/network/parts/vlans", atomically: true, encoding: .utf8)
        try "iface eno4 inet manual\n".write(toFile: "\(root)/etc/network/parts/skipped.bak", atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: "\(root)/run/network", withIntermediateDirectories: true)
        try "eno3\n".write(toFile: "\(root)/run/network/ifstate.eno3", atomically: true, encoding: .utf8)
        let state = ForeignManagerReader(roots: ForeignManagerRoots(under: root), pool: "lab", daemons: [:])
            .read(devices: ["eno1", "eno2", "eno3", "eno4"], links: [])
        XCTAssertEqual(state.claims.map(\.evidence), [
            "/etc/network/interfaces:5: member of bond bond0 (bond-slaves)",
            "/etc/network/interfaces:5: member of bond bond0 (bond-slaves)",
            "/etc/network/parts/vlans:1: lower device of vlan eno3.20; up per /run/network/ifstate.eno3",
        ], "a name with a dot is not run-parts' and is skipped, as ifupdown does")
    }

    func testXAPIPIFsAndBridgesFromNetworkdDB() throws {
        let state = read("xapi", devices: ["eth1", "xenbr1", "eth2"], running: [:])
        XCTAssertTrue(state.present.contains(.xapi))
        XCTAssertEqual(state.claims.map(\.device), ["eth1", "xenbr1"])
        XCTAssertEqual(state.claims[0].evidence, "/var/lib/xcp/networkd.db: bridge xenbr1 port eth1, interface_config eth1")
        XCTAssertEqual(state.claims[1].evidence, "/var/lib/xcp/networkd.db: bridge xapi1 is VLAN 20 on it, bridge_config xenbr1, interface_config xenbr1")
        XCTAssertTrue(state.claims[0].remedy?.contains("xe pif-list device=eth1") ?? false)
    }

    func testOpenVSwitchPortsFromTheKernelAndFromOVSDB() throws {
        let links = try links("ovs")
        let kernel = read("ovs", devices: ["ov0", "ov1"], running: [:], links: links)
        XCTAssertEqual(kernel.claims.first?.device, "ov0")
        XCTAssertEqual(kernel.claims.first?.evidence, "kernel: master ovs-system (an Open vSwitch port)")
        XCTAssertTrue(kernel.present.contains(.openvswitch))
        // Not attached (ovs-vswitchd stopped): OVSDB still holds the port.
        let database = read("ovs", devices: ["ov0", "br0"], running: [:], links: [])
        XCTAssertEqual(database.claims.map(\.evidence), ["/etc/openvswitch/conf.db: Interface br0", "/etc/openvswitch/conf.db: Interface ov0"])
        let after = read("ovs/after-del", devices: ["ov0", "br0"], running: [:])
        XCTAssertEqual(after.claims.map(\.device), ["br0"],
                       "del-port removed the Interface row")
    }

    func testNamespacedReadSkipsBootConfigurationFiles() throws {
        let reader = ForeignManagerReader(roots: ForeignManagerRoots(under: fixture("ifupdown2")), pool: "lab", daemons: [:], configFiles: false)
        XCTAssertEqual(reader.read(devices: ["if0"], links: []).claims, [])
    }

    func testPoolnetsDropInsAreReadBackForManagersPresent() throws {
        let root = NSTemporaryDirectory() + "pn-dropin-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let text = HandOverFiles.content(.networkManager, pool: "lab", devices: ["nm0", "nm1"])!
        try FileManager.default.createDirectory(atPath: "\(root)/etc/NetworkManager/conf.d", withIntermediateDirectories: true)
        try text.write(toFile: "\(root)/etc/NetworkManager/conf.d/95-poolnet-lab.conf", atomically: true, encoding: .utf8)
        let state = ForeignManagerReader(roots: ForeignManagerRoots(under: root), pool: "lab", daemons: [:]).read(devices: ["nm0"], links: [])
        XCTAssertEqual(state.dropIns, [HandOverDropIn(manager: .networkManager, path: "/etc/NetworkManager/conf.d/95-poolnet-lab.conf", content: text)])
        XCTAssertEqual(HandOverFiles.devices(in: text), ["nm0", "nm1"])
        XCTAssertEqual(HandOverFiles.devices(in: HandOverFiles.content(.networkd, pool: "lab", devices: ["a", "b"])!), ["a", "b"])
        XCTAssertNil(HandOverFiles.content(.networkd, pool: "lab", devices: []), "an empty Name= would match every link")
    }
}

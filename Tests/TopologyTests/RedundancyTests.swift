import HostState
import Topology
import XCTest

/// `validate --redundancy`: one crafted file per rule, each finding exactly its rule with the
/// objects' positions; a redundant layout finds nothing; the shipped topologies report what is
/// true of them.
final class RedundancyTests: XCTestCase {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardized

    let head = """
    pool: r
    hosts: [h1]

    """

    let iscsi = """
    iscsi:
      initiator: "iqn.2026-11.org.example:${name}"
      targets: [iqn.2026-11.org.example:array1]
      paths:

    """

    func findings(_ yaml: String, file: String = "r.yaml") throws -> [RedundancyFinding] {
        let topology = try Topology.parse(yaml: yaml, file: file)
        let (errors, states) = topology.validateResolving()
        XCTAssertEqual(errors.map(\.description), [], "the crafted file must validate")
        return topology.hosts.compactMap { states[$0.name] }.flatMap(Redundancy.findings)
    }

    func rules(_ yaml: String) throws -> [String] { try findings(yaml).map(\.rule.rawValue) }

    func located(_ f: RedundancyFinding) -> [String] { f.objects.map { "\($0.object) \($0.mark)" } }

    func testPathsOnVLANsOfOneParentLeaveThroughOneNIC() throws {
        let yaml = head + """
        vlans:
          - name: eth1.30
          - name: eth1.31
        storage_nics:
          - name: eth1.30
            subnet: 10.30.0.0/24
            addresses: ["10.30.0.${index + 10}"]
          - name: eth1.31
            subnet: 10.31.0.0/24
            addresses: ["10.31.0.${index + 10}"]

        """ + iscsi + """
            - { iface: san-a, nic: eth1.30, portals: [10.30.0.1] }
            - { iface: san-b, nic: eth1.31, portals: [10.31.0.1] }
        """
        let found = try findings(yaml)
        XCTAssertEqual(found.map(\.rule), [.storageOneNIC])
        XCTAssertEqual(found[0].message, "every iSCSI path to iqn.2026-11.org.example:array1 (san-a over eth1.30, san-b over eth1.31) leaves through NIC eth1: its failure cuts off storage")
        XCTAssertEqual(located(found[0]), ["iscsi path san-a r.yaml:17:7", "storage_nic eth1.30 r.yaml:7:5", "vlan eth1.30 r.yaml:4:5",
                                           "iscsi path san-b r.yaml:18:7", "storage_nic eth1.31 r.yaml:10:5", "vlan eth1.31 r.yaml:5:5"])
    }

    func testOnePortalAndOneSubnet() throws {
        let shared = head + """
        storage: { layout: shared-subnet }
        storage_nics:
          - name: eth1
            subnet: 10.0.0.0/24
            addresses: ["10.0.0.${index + 10}"]
          - name: eth2
            subnet: 10.0.0.0/24
            addresses: ["10.0.0.${index + 20}"]

        """ + iscsi
        let onePortal = shared + """
            - { iface: san-a, nic: eth1, portals: [10.0.0.1] }
            - { iface: san-b, nic: eth2, portals: [10.0.0.1] }
        """
        let found = try findings(onePortal)
        XCTAssertEqual(found.map(\.rule), [.storageOnePortal, .storageOneSubnet])
        XCTAssertEqual(found[0].message, "every iSCSI path to iqn.2026-11.org.example:array1 (san-a over eth1, san-b over eth2) goes to one portal address, 10.0.0.1: the array's side has no second path")
        XCTAssertEqual(located(found[0]), ["iscsi path san-a r.yaml:15:7", "storage_nic eth1 r.yaml:5:5", "iscsi path san-b r.yaml:16:7", "storage_nic eth2 r.yaml:8:5"])
        XCTAssertTrue(found[1].message.hasSuffix("is in one subnet, 10.0.0.0/24: one broadcast domain (one switch VLAN) carries all storage paths"), found[1].message)

        let twoPortals = shared + """
            - { iface: san-a, nic: eth1, portals: [10.0.0.1] }
            - { iface: san-b, nic: eth2, portals: [10.0.0.2] }
        """
        XCTAssertEqual(try rules(twoPortals), ["storage-one-subnet"])
    }

    func testBondWithOneMember() throws {
        let yaml = head + """
        storage_nics:
          - { name: eth1, subnet: 10.1.0.0/24, addresses: ["10.1.0.${index + 10}"] }
          - { name: eth2, subnet: 10.2.0.0/24, addresses: ["10.2.0.${index + 10}"] }
        bonds:
          - { name: bond0, mode: active-backup, members: [eth3] }
        bridges:
          - { name: br-guests, ports: [bond0] }
        """
        let found = try findings(yaml)
        XCTAssertEqual(found.map(\.rule), [.bondOneMember])
        XCTAssertEqual(found[0].message, "bond bond0 has one member, eth3: it adds no redundancy")
        XCTAssertEqual(located(found[0]), ["bond bond0 r.yaml:7:5"])
    }

    /// Several storage NICs under one guest bridge, listed in name order whatever the file's
    /// order, with every NIC they share; a bridge over no storage NIC is not reported.
    func testGuestBridgeOverSeveralStorageNICs() throws {
        let yaml = head + """
        storage_nics:
          - { name: eth2, subnet: 10.2.0.0/24, addresses: ["10.2.0.${index + 10}"] }
          - { name: eth1, subnet: 10.1.0.0/24, addresses: ["10.1.0.${index + 10}"] }
        vlans:
          - name: eth1.100
          - name: eth2.100
        bridges:
          - { name: br-guests, ports: [eth2.100, eth1.100, eth7] }
          - { name: br-other, ports: [eth8] }
        """
        let found = try findings(yaml).filter { $0.rule == .guestAndStorage }
        XCTAssertEqual(found.count, 1, "\(found)")
        XCTAssertEqual(found.first?.message, "bridge br-guests (guest traffic) and storage eth1, eth2 share NIC eth1, eth2: guests can starve storage, and one NIC failure hits both")
        XCTAssertEqual(found.first.map(located), ["bridge br-guests r.yaml:10:5", "storage_nic eth1 r.yaml:5:5", "storage_nic eth2 r.yaml:4:5"])
    }

    func testGuestAndStorageOnOneNIC() throws {
        let yaml = head + """
        storage_nics:
          - { name: eth1, subnet: 10.1.0.0/24, addresses: ["10.1.0.${index + 10}"] }
          - { name: eth2, subnet: 10.2.0.0/24, addresses: ["10.2.0.${index + 10}"] }
        vlans:
          - name: eth1.100
        bridges:
          - { name: br-guests, ports: [eth1.100] }
        """
        let found = try findings(yaml)
        XCTAssertEqual(found.map(\.rule), [.guestAndStorage])
        XCTAssertEqual(found[0].message, "bridge br-guests (guest traffic) and storage eth1 share NIC eth1: guests can starve storage, and one NIC failure hits both")
        XCTAssertEqual(located(found[0]), ["bridge br-guests r.yaml:9:5", "storage_nic eth1 r.yaml:4:5"])
    }

    func testVXLANUnderlayOnOneNIC() throws {
        let yaml = head + """
        storage_nics:
          - { name: eth1, subnet: 10.1.0.0/24, addresses: ["10.1.0.${index + 10}"] }
          - { name: eth2, subnet: 10.2.0.0/24, addresses: ["10.2.0.${index + 10}"] }
        vxlans:
          - { name: vx0, vni: 100, local: "192.0.2.${index}", device: eth3 }
        bridges:
          - { name: br-priv, ports: [vx0] }
        """
        let found = try findings(yaml)
        XCTAssertEqual(found.map(\.rule), [.vxlanOneNIC])
        XCTAssertEqual(found[0].message, "vxlan vx0's underlay eth3 rests on one NIC, eth3: the private network spans the pool over a single link")
        XCTAssertEqual(located(found[0]), ["vxlan vx0 r.yaml:7:5"])
        // Over a bond of two NICs the underlay survives either.
        let bonded = yaml.replacingOccurrences(of: "device: eth3 }", with: "device: bond1 }") + "\nbonds:\n  - { name: bond1, mode: 802.3ad, members: [eth3, eth4] }\n"
        XCTAssertEqual(try rules(bonded), [])
    }

    func testStoragePathsOnOneBond() throws {
        let yaml = head + """
        bonds:
          - { name: bond0, mode: 802.3ad, members: [eth1, eth2] }
        vlans:
          - name: bond0.30
          - name: bond0.31
        storage_nics:
          - { name: bond0.30, subnet: 10.30.0.0/24, addresses: ["10.30.0.${index + 10}"] }
          - { name: bond0.31, subnet: 10.31.0.0/24, addresses: ["10.31.0.${index + 10}"] }

        """ + iscsi + """
            - { iface: san-a, nic: bond0.30, portals: [10.30.0.1] }
            - { iface: san-b, nic: bond0.31, portals: [10.31.0.1] }
        """
        let found = try findings(yaml)
        XCTAssertEqual(found.map(\.rule), [.storageOneBond], "a bond of two NICs is no single NIC, but one bond")
        XCTAssertEqual(located(found[0]), ["iscsi path san-a r.yaml:15:7", "storage_nic bond0.30 r.yaml:9:5", "vlan bond0.30 r.yaml:6:5", "bond bond0 r.yaml:4:5",
                                           "iscsi path san-b r.yaml:16:7", "storage_nic bond0.31 r.yaml:10:5", "vlan bond0.31 r.yaml:7:5"])
    }

    func testRedundantLayoutFindsNothing() throws {
        let yaml = head + """
        storage_nics:
          - { name: eth1, subnet: 10.1.0.0/24, addresses: ["10.1.0.${index + 10}"] }
          - { name: eth2, subnet: 10.2.0.0/24, addresses: ["10.2.0.${index + 10}"] }
        bonds:
          - { name: bond0, mode: 802.3ad, members: [eth3, eth4] }
        bridges:
          - { name: br-guests, ports: [bond0] }

        """ + iscsi + """
            - { iface: san-a, nic: eth1, portals: [10.1.0.1] }
            - { iface: san-b, nic: eth2, portals: [10.2.0.1] }
        """
        XCTAssertEqual(try rules(yaml), [])
    }

    /// What each shipped file reveals, per host (every host of a file is alike).
    func testShippedTopologies() throws {
        let expected: [String: [String]] = [
            "demo.yaml": [],
            "lab-2host.yaml": ["storage-one-nic", "storage-one-subnet"],   // one storage NIC
            "pool-16host.yaml": [],
            "pool-2host-san.yaml": [],                                     // two NICs, two subnets, two portals
            "pool-4host-bonded.yaml": ["storage-one-bond", "guest-and-storage-on-one-nic", "guest-and-storage-on-one-nic", "guest-and-storage-on-one-nic"],
            "pool-4host-two-subnets.yaml": [],
        ]
        let dir = Self.repo.appendingPathComponent("topologies")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".yaml") }.sorted()
        XCTAssertEqual(files, expected.keys.sorted(), "a new shipped topology needs its expectation here")
        for file in files {
            let topology = try Topology.load(path: dir.appendingPathComponent(file).path)
            let (errors, states) = topology.validateResolving()
            XCTAssertEqual(errors.count, 0, file)
            for host in topology.hosts {
                XCTAssertEqual(Redundancy.findings(states[host.name]!).map(\.rule.rawValue), expected[file], "\(file) host \(host.name)")
            }
        }
        let bonded = try Topology.load(path: dir.appendingPathComponent("pool-4host-bonded.yaml").path)
        let guests = Redundancy.findings(try bonded.resolve(host: "kvm01")).filter { $0.rule == .guestAndStorage }
        XCTAssertEqual(guests.map { $0.objects[0].object }, ["bridge br-guests", "bridge br-legacy", "bridge br-backup"],
                       "br-backup's VXLAN runs over storage VLAN bond0.30")
    }
}

import Engine
import Foundation
import HostState
import Logging
import TestSupport
import Topology
import XCTest

/// One path over IPv6 next to one over IPv4, against the same real target: the portal in
/// iscsiadm's bracket form, sessions read back from sysfs matching the file (a second apply does
/// nothing), the TCP and jumbo probes over IPv6, and removal.
final class ISCSIIPv6Tests: ISCSITestCase {
    static let network = storageNICs(stor0Subnet: "2001:db8:a::/64", stor0Address: "2001:db8:a::${index}")
    static let pool = network + """
    iscsi:
      initiator: "iqn.2026-11.org.example.lab:${name}"
      targets: [\(ISCSILab.target)]
      session: { startup: automatic, replacement_timeout: 5 }
      paths:
        - { iface: san-a, nic: stor0, portals: ["[2001:db8:a::10]:3260"] }
        - { iface: san-b, nic: stor1, portals: [198.51.100.10] }

    """

    func testAnIPv6PathLogsInIsStableAndHealthy() throws {
        // Duplicate address detection on stor0 made slow (2 probes, 3 s apart): the login must
        // wait until the new address is usable, not run while it is still tentative.
        try must("sysctl", "-qw", "net.ipv6.conf.stor0.dad_transmits=2", "net.ipv6.neigh.stor0.retrans_time_ms=3000")
        let applied = try engine.apply(try desired(Self.pool))
        let local = try must("sh", "-c", "cat /sys/class/iscsi_host/host*/ipaddress")
        // The kernel prints it in full: 2001:db8:a::1.
        XCTAssertTrue(local.contains("2001:0db8:000a:0000:0000:0000:0000:0001\n"), "the IPv6 session leaves from the file's address, not fe80::…: \(local)")
        let lines = applied.changes.map(\.line).joined(separator: "\n")
        XCTAssertTrue(lines.contains("+ iscsi session \(ISCSILab.target) via [2001:db8:a::10]:3260 on san-a (login)"), lines)
        XCTAssertEqual(ISCSILab.sessions(), ["san-a": "LOGGED_IN", "san-b": "LOGGED_IN"])
        let addresses = try must("sh", "-c", "cat /sys/class/iscsi_connection/connection*/persistent_address | sort")
        XCTAssertTrue(addresses.contains("2001:db8:a::10"), addresses)
        XCTAssertTrue(ISCSILab.eventually(10) { ISCSILab.maps().values.first == 2 }, "one map over both families: \(ISCSILab.maps())")

        // Read back from sysfs and iscsiadm, the IPv6 session and record match the file.
        XCTAssertEqual(try engine.apply(try desired(Self.pool)).changes.map(\.line), [])
        XCTAssertEqual(try engine.plan(try desired(Self.pool), health: true).plan.health.map(\.description), [],
                       "TCP to [2001:db8:a::10]:3260 from stor0 and a 9000-byte IPv6 echo pass")

        // The jumbo probe over IPv6: an ICMPv6 echo of the whole MTU, IPv6 header included.
        try must("ip", "-n", ISCSILab.namespace, "link", "set", "t0", "mtu", "1500")
        let findings = try engine.plan(try desired(Self.pool), health: true).plan.health.map(\.description)
        XCTAssertTrue(findings.contains { $0.hasPrefix("iscsi path san-a (stor0): path MTU to 2001:db8:a::10 < 9000 (a don't-fragment echo of 9000 bytes got no answer") },
                      "\(findings)")
        try must("ip", "-n", ISCSILab.namespace, "link", "set", "t0", "mtu", "9000")

        let removed = try engine.apply(try desired(Self.network))
        XCTAssertTrue(removed.changes.contains { $0.line.hasPrefix("- iscsi session \(ISCSILab.target) via [2001:db8:a::10]:3260 on san-a (logout)") },
                      removed.changes.map(\.line).joined(separator: "\n"))
        XCTAssertEqual(ISCSILab.sessions(), [:])
        XCTAssertFalse(try runProcess(["iscsiadm", "-m", "node"]).stdout.contains("2001:db8:a::10"))
    }
}

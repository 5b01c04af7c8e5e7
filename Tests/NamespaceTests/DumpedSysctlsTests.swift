import Foundation
import HostState
import Netlink
import Storage
import TestSupport
import XCTest

/// The per-device sysctls read from the link dump (IFLA_AF_SPEC's devconf) are those the
/// `/proc/sys/net/<family>/conf/<link>/` files show, for every key the dump answers, whatever value
/// it holds; where the dump has no answer (a missing device, IPv6 gone from a device) the result is
/// the files' own.
final class DumpedSysctlsTests: NamespaceTestCase {
    /// Values written to each key: the planner's values and others the kernel accepts.
    static let values: [String: [Int]] = [
        "arp_announce": [0, 1, 2], "arp_filter": [0, 1], "arp_ignore": [0, 1, 2, 3, 8], "promote_secondaries": [0, 1],
        "rp_filter": [0, 1, 2], "accept_ra": [0, 1, 2], "autoconf": [0, 1], "disable_ipv6": [0, 1],
    ]

    static var mappedKeys: [(SysctlKey.Family, String)] {
        DumpedSysctls.ipv4Names.map { (.ipv4, $0) } + DumpedSysctls.ipv6Names.map { (.ipv6, $0) }
    }

    /// Writes `value` to each key through its /proc file, in the namespace (one process).
    func write(_ assignments: [(SysctlKey, Int)]) throws {
        let script = assignments.map { "echo \($1) > /proc/sys/\($0.path)" }.joined(separator: " && ")
        try must("ip", "netns", "exec", ns.name, "sh", "-c", script)
    }

    /// `keys` read from the files (the reference) and through a link dump, and the files the
    /// second read opened.
    func fileAndDumpRead(_ keys: [SysctlKey]) throws -> (files: [SysctlValue], dump: [SysctlValue], opened: Int, links: [LinkState]) {
        try NetworkNamespace.run(ns.name) { () throws -> ([SysctlValue], [SysctlValue], Int, [LinkState]) in
            let links = try StateReader.readBase(using: try RouteSocket()).links
            let files = SysctlStore().read(keys)
            let opened = SysctlStore.filesRead.load(ordering: .relaxed)
            let dump = SysctlStore().read(keys, links: links)
            return (files, dump, SysctlStore.filesRead.load(ordering: .relaxed) - opened, links)
        }
    }

    func testEveryMappedKeyReadsAsItsFileWhateverItsValue() throws {
        let devices = ["d0", "d1", "d2.30", "d3"]
        for device in devices { try ns.addNIC(device) }
        try ns.ip("link", "set", "d0", "up")
        let rounds = Self.values.values.map(\.count).max()!
        let keys = devices.flatMap { device in Self.mappedKeys.map { SysctlKey($0.0, device, $0.1) } }.sortedByName()
        for round in 0..<rounds {
            // Each key, device and round gets a different value from the key's list, so that a
            // value read from the wrong slot or the wrong device shows.
            var assignments: [(SysctlKey, Int)] = []
            for (d, device) in devices.enumerated() {
                for (k, (family, name)) in Self.mappedKeys.enumerated() {
                    let list = Self.values[name]!
                    assignments.append((SysctlKey(family, device, name), list[(round + d + k) % list.count]))
                }
            }
            try write(assignments)
            let read = try fileAndDumpRead(keys)
            XCTAssertEqual(read.files.count, keys.count, "every key has a file")
            XCTAssertEqual(read.dump, read.files, "round \(round)")
            XCTAssertEqual(read.dump.map(\.value), assignments.sorted { $0.0.description < $1.0.description }.map(\.1),
                           "round \(round): the values written")
            XCTAssertEqual(read.opened, 0, "round \(round): no file opened for a device's own keys")
        }
    }

    /// `all` and `default` are no links: read from their files, a few, whatever the number of devices.
    func testAllAndDefaultAreReadFromTheirFiles() throws {
        try ns.addNIC("d0")
        try write([(SysctlKey(.ipv4, "all", "rp_filter"), 2), (SysctlKey(.ipv4, "default", "arp_ignore"), 1)])
        let keys = [SysctlKey(.ipv4, "all", "rp_filter"), SysctlKey(.ipv4, "d0", "rp_filter"), SysctlKey(.ipv4, "default", "arp_ignore"),
                    SysctlKey(.ipv4, "d0", "arp_ignore"), SysctlKey(.ipv6, "default", "disable_ipv6")].sortedByName()
        let read = try fileAndDumpRead(keys)
        XCTAssertEqual(read.dump, read.files)
        XCTAssertEqual(read.dump.first { $0.key.link == "all" }?.value, 2)
        XCTAssertEqual(read.dump.first { $0.key == SysctlKey(.ipv4, "d0", "arp_ignore") }?.value, 1, "a new device starts from default")
        XCTAssertEqual(read.opened, 3, "the three keys of all and default")
    }

    /// IPv6 gone from a device (an MTU under 1280 drops its IPv6 state and its conf directory):
    /// the dump has no IPv6 devconf for it, the files are asked and have none either. With
    /// disable_ipv6 = 1 the state stays and the dump answers.
    func testADeviceWithoutIPv6AndAMissingDevice() throws {
        for device in ["small", "off", "on"] { try ns.addNIC(device) }
        try ns.ip("link", "set", "small", "mtu", "1000")
        try write([(SysctlKey(.ipv6, "off", "disable_ipv6"), 1), (SysctlKey(.ipv4, "small", "arp_ignore"), 2)])
        let keys = ["small", "off", "on", "gone"].flatMap { device in Self.mappedKeys.map { SysctlKey($0.0, device, $0.1) } }.sortedByName()
        let read = try fileAndDumpRead(keys)
        XCTAssertEqual(read.dump, read.files)
        let byLink = Dictionary(grouping: read.dump, by: \.key.link)
        XCTAssertNil(byLink["gone"], "a missing device's keys are absent")
        XCTAssertEqual(byLink["small"]?.map(\.key.family), Array(repeating: .ipv4, count: DumpedSysctls.ipv4Names.count),
                       "no IPv6 keys on a device without IPv6")
        XCTAssertEqual(byLink["small"]?.first { $0.key.name == "arp_ignore" }?.value, 2)
        XCTAssertEqual(read.dump.first { $0.key == SysctlKey(.ipv6, "off", "disable_ipv6") }?.value, 1)
        let small = try XCTUnwrap(read.links.first { $0.name == "small" })
        XCTAssertNil(small.dumpedSysctls?.ipv6, "the kernel sends no IPv6 devconf without IPv6 state")
        XCTAssertNotNil(small.dumpedSysctls?.ipv4)
        XCTAssertNotNil(read.links.first { $0.name == "off" }?.dumpedSysctls?.ipv6, "disable_ipv6 = 1 keeps the IPv6 devconf")
        XCTAssertEqual(read.opened, DumpedSysctls.ipv6Names.count, "only the IPv6 files of the device without IPv6 devconf")
    }
}

import HostState
@testable import Topology
import XCTest

/// `import --merge` of the iscsi: and fc: sections, without root: per-host initiator names, iface
/// names and WWPNs become expressions over `index` where a pattern fits, `per_host` otherwise, and
/// every host resolves to exactly what its own file gave it.
final class PoolFileMergeStorageTests: XCTestCase {
    func merged(_ files: [String], hosts: [String]) throws -> String {
        let text = try PoolFileMerge.merge(files: files.enumerated().map { ("f\($0.offset).yaml", $0.element) })
        let topology = try Topology.parse(yaml: text, file: "merged.yaml")
        XCTAssertEqual(topology.validate().filter { !$0.isWarning }.map(\.description), [], text)
        for (file, host) in zip(files, hosts) {
            let own = try Topology.parse(yaml: file, file: "own.yaml").resolve(host: host)
            XCTAssertEqual(PoolFileMerge.canonical(try topology.resolve(host: host)), PoolFileMerge.canonical(own), "host \(host):\n\(text)")
        }
        return text
    }

    /// What `poolnet import` writes for host `i`: two storage NICs, iSCSI through ifaces named
    /// after the host (host 3 has only the first path, a longer login timeout and a parent HBA of
    /// another make), one vport.
    func file(_ i: Int) -> String {
        let paths = i == 3 ? ["h\(i)a"] : ["h\(i)a", "h\(i)b"]
        let parent = ["2100001b32a9da01", "2100001b32a9f102", "50060b0000c26200"][i - 1]
        return """
        pool: lab
        hosts:
          hv0\(i): { index: \(i) }
        storage_nics:
          - { name: stor0, mtu: 9000, addresses: [192.0.2.\(i)/24], sysctls: { rp_filter: 0 } }
          - { name: stor1, mtu: 9000, addresses: [198.51.100.\(i)/24], sysctls: { rp_filter: 0 } }
        iscsi:
          initiator: "iqn.2026-11.org.example:hv0\(i)"
          targets: ["iqn.2026-11.org.example:store1", "iqn.2026-11.org.example:store2"]
          paths:
        \(paths.enumerated().map { "    - { iface: \($0.element), nic: stor\($0.offset), portals: [\"\(["192.0.2.10", "198.51.100.10"][$0.offset]):3260\"] }" }.joined(separator: "\n"))
          session: { startup: automatic, replacement_timeout: 5, login_timeout: \(i == 3 ? 30 : 15) }
          multipath: { defaults: { polling_interval: "2" } }
        fc:
          vports:
            - { name: npiv1, parent: \(parent), wwpn: 2101001b32a9da\(String(format: "%02x", 9 + i)), wwnn: 2001001b32a9da\(String(format: "%02x", 9 + i)), symbolic_name: "poolnet hv0\(i) A" }

        """
    }

    func testISCSIAndVPortsMergeAsExpressionsPerHostAndHostLists() throws {
        let plain = "pool: lab\nhosts:\n  hv04: { index: 4 }\nstorage_nics:\n  - { name: stor0, mtu: 9000, addresses: [192.0.2.4/24] }\n"
        let text = try merged([file(1), file(2), file(3), plain], hosts: ["hv01", "hv02", "hv03", "hv04"])
        for expected in ["initiator: \"iqn.2026-11.org.example:hv${index:02d}\"",
                         "hosts: [hv01, hv02, hv03]",                           // the iscsi section, and the vport: hv04 has neither
                         "iface: \"h${index}a\"", "iface: \"h${index}b\"", "hosts: [hv01, hv02]",  // host 3 lacks the second path
                         "login_timeout: { per_host: { hv01: 15, hv02: 15, hv03: 30 } }", "replacement_timeout: 5", "startup: automatic",
                         "multipath: { defaults: { polling_interval: \"2\" } }",
                         "wwpn: \"2101001b32a9da${index + 9:02x}\"", "wwnn: \"2001001b32a9da${index + 9:02x}\"",
                         "symbolic_name: \"poolnet hv${index:02d} A\"", "hv03: 50060b0000c26200"] {
            XCTAssertTrue(text.contains(expected), "\(expected) in:\n\(text)")
        }
        XCTAssertEqual(text.components(separatedBy: "targets:").count, 2, "one target list for every host:\n\(text)")
    }

    func testWWNsThatStepInHexBecomeHexExpressions() {
        XCTAssertEqual(PerHostEncoding.hexPattern([(1, "2101001b32a9da0f"), (2, "2101001b32a9da10"), (3, "2101001b32a9da11")]), "2101001b32a9da${index + 14:02x}")
        XCTAssertEqual(PerHostEncoding.hexPattern([(1, "c05076000a000001"), (2, "c05076000a000002")]), "c05076000a0000${index:02x}")
        XCTAssertNil(PerHostEncoding.hexPattern([(1, "2101001b32a9da01"), (2, "2101001b32a9da07")]), "steps of 6 are no pattern")
        XCTAssertNil(PerHostEncoding.hexPattern([(1, "hv01"), (2, "hv02")]), "only 16 hex digits are WWNs")
    }

    func testMultipathKeysHostsDisagreeOnAreRefusedWithTheReason() throws {
        let two = file(2).replacingOccurrences(of: "polling_interval: \"2\"", with: "polling_interval: \"5\"")
        XCTAssertThrowsError(try PoolFileMerge.merge(files: [("a.yaml", file(1)), ("b.yaml", two)])) { error in
            XCTAssertEqual("\(error)", "iscsi multipath defaults polling_interval: hosts differ (hv01 string(\"2\"), hv02 string(\"5\")) and multipath keys take no per_host; make them agree, then merge")
        }
        let none = file(2).replacingOccurrences(of: "  multipath: { defaults: { polling_interval: \"2\" } }\n", with: "")
        XCTAssertThrowsError(try PoolFileMerge.merge(files: [("a.yaml", file(1)), ("b.yaml", none)])) { error in
            XCTAssertEqual("\(error)", "iscsi multipath: hosts hv02 have none, host hv01 has one; a pool file gives every host of its iscsi section the same multipath keys")
        }
        // The same initiator name on two hosts is the file's validation error, named with the host.
        let same = file(2).replacingOccurrences(of: "example:hv02", with: "example:hv01")
        XCTAssertThrowsError(try PoolFileMerge.merge(files: [("a.yaml", file(1)), ("b.yaml", same)])) { error in
            XCTAssertTrue("\(error)".contains("initiator iqn.2026-11.org.example:hv01 is also host hv01's"), "\(error)")
        }
    }
}

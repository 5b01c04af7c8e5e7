import HostState
@testable import Topology
import XCTest

/// `import --merge` without root: single-host files in, one pool file out, and for every host
/// the merged file resolves to exactly what that host's own file resolves to.
final class PoolFileMergeTests: XCTestCase {
    func state(_ yaml: String, host: String) throws -> DesiredState {
        try Topology.parse(yaml: yaml, file: "t.yaml").resolve(host: host)
    }

    /// Merges, then checks the equality the issue asks for on every host.
    func merged(_ files: [String], hosts: [String]) throws -> String {
        let text = try PoolFileMerge.merge(files: files.enumerated().map { ("f\($0.offset).yaml", $0.element) })
        let topology = try Topology.parse(yaml: text, file: "merged.yaml")
        XCTAssertEqual(topology.validate().map(\.description), [], text)
        for (file, host) in zip(files, hosts) {
            XCTAssertEqual(PoolFileMerge.canonical(try topology.resolve(host: host)), PoolFileMerge.canonical(try state(file, host: host)), "host \(host):\n\(text)")
        }
        return text
    }

    func single(_ host: String, index: Int, _ body: String) -> String {
        "pool: lab\nhosts:\n  \(host): { index: \(index) }\n" + body
    }

    func testAddressesAndNamesThatStepWithTheIndexBecomeExpressions() throws {
        let files = (1...3).map { i in
            single("hv0\(i)", index: i, """
            storage:
              layout: shared-subnet
            storage_nics:
              - { name: san0, mtu: 9000, addresses: [10.10.1.\(20 + i)/24, "fd00::\(i)/64"] }
            bridges:
              - { name: br-h\(i), stp: false, addresses: [172.16.\(i).1/24] }
              - { name: xenbr0, stp: true, mtu: 1500 }
            """)
        }
        let text = try merged(files, hosts: ["hv01", "hv02", "hv03"])
        XCTAssertTrue(text.contains("[\"10.10.1.${index + 20}/24\", \"fd00::${index}/64\"]"), text)
        XCTAssertTrue(text.contains("\"br-h${index}\""), text)
        XCTAssertTrue(text.contains("\"172.16.${index}.1/24\""), text)
        XCTAssertTrue(text.contains("layout: shared-subnet"), text)
        XCTAssertFalse(text.contains("per_host"), text)
        XCTAssertFalse(text.contains("hosts: ["), "every object is on every host:\n\(text)")
    }

    func testValuesWithoutAPatternBecomePerHostMapsAndObjectsOnSomeHostsGetHosts() throws {
        let a = single("alpha", index: 1, """
        storage_nics:
          - { name: san0, mtu: 9000, addresses: [192.0.2.77/24], ipv6: "off", sysctls: { rp_filter: 0 } }
        bridges:
          - { name: br0, stp: false, ports: [eth3, eth4] }
          - { name: only-a, stp: false }
        """)
        let b = single("beta", index: 2, """
        storage_nics:
          - { name: san0, mtu: 1500, addresses: [192.0.2.5/24] }
        bridges:
          - { name: br0, stp: true, ports: [eth3] }
        """)
        let text = try merged([a, b], hosts: ["alpha", "beta"])
        XCTAssertTrue(text.contains("per_host"), text)
        XCTAssertTrue(text.contains("hosts: [alpha]"), text)
    }

    func testPortVLANsThatDifferInShapeSplitTheBridgePerHost() throws {
        let a = single("hv01", index: 1, """
        bridges:
          - name: brtrunk
            vlan_filtering: true
            vlans: [1]
            ports: [{ name: bond0, vlans: "100-110", pvid: 1, untagged: [1] }, eth3]
        """)
        let b = single("hv02", index: 2, """
        bridges:
          - name: brtrunk
            vlan_filtering: true
            vlans: [1]
            ports: [{ name: bond0, vlans: "100-120" }]
        """)
        let text = try merged([a, b], hosts: ["hv01", "hv02"])
        XCTAssertEqual(text.components(separatedBy: "name: brtrunk").count, 3, "one bridge entry per host:\n\(text)")
    }

    func testRemoteVTEPsOfASingleHostArePseudoHostsAndTheMergeReplacesThem() throws {
        // What `poolnet import` writes for each of two hosts with a VXLAN to each other and to a third.
        func file(_ i: Int) -> String {
            let others = [1, 2, 3].filter { $0 != i }
            return """
            pool: lab
            hosts:
              hv0\(i): { index: \(i) }
            \(others.map { "  vtep-192-0-2-\(10 + $0): { index: \(10 + $0), vars: { remote_vtep: \"192.0.2.\(10 + $0)\" } }" }.joined(separator: "\n"))
            vxlans:
              - name: vx0
                vni: 4100
                local: { per_host: { \(others.map { "vtep-192-0-2-\(10 + $0): \"192.0.2.\(10 + $0)\"" }.joined(separator: ", ")) }, default: "192.0.2.\(10 + i)" }
            """
        }
        XCTAssertEqual(try state(file(1), host: "hv01").vxlans.first?.info.remotes, ["192.0.2.12", "192.0.2.13"])
        let text = try merged([file(1), file(2)], hosts: ["hv01", "hv02"])
        XCTAssertTrue(text.contains("\"192.0.2.${index + 10}\""), text)
        XCTAssertTrue(text.contains("vtep-192-0-2-13"), "hv03 was not merged: it stays a pseudo host:\n\(text)")
        XCTAssertFalse(text.contains("vtep-192-0-2-12"), "hv02's file replaces its pseudo host:\n\(text)")
    }

    func testHostsThatDisagreeOnRemotesOrPoolAreRefusedWithTheReason() throws {
        let a = """
        pool: lab
        hosts: { hv01: { index: 1 } }
        vxlans: [{ name: vx0, vni: 1, local: 192.0.2.1 }]
        """
        let b = a.replacingOccurrences(of: "hv01: { index: 1 }", with: "hv02: { index: 2 }").replacingOccurrences(of: "192.0.2.1", with: "192.0.2.2")
        XCTAssertThrowsError(try PoolFileMerge.merge(files: [("a.yaml", a), ("b.yaml", b)])) { error in
            XCTAssertTrue("\(error)".contains("vxlan vx0 on host hv01: remote VTEPs  lack 192.0.2.2"), "\(error)")
        }
        XCTAssertThrowsError(try PoolFileMerge.merge(files: [("a.yaml", a), ("c.yaml", b.replacingOccurrences(of: "pool: lab", with: "pool: other"))])) { error in
            XCTAssertEqual("\(error)", "c.yaml: pool other, but the files before are pool lab")
        }
    }

    func testPatternsAndQuotingRoundTrip() throws {
        XCTAssertEqual(PerHostEncoding.pattern([(1, "hv01"), (2, "hv02"), (12, "hv12")]), "hv${index:02d}")
        XCTAssertEqual(PerHostEncoding.pattern([(1, "10.0.0.9"), (2, "10.0.0.10")]), "10.0.0.${index + 8}")
        XCTAssertEqual(PerHostEncoding.pattern([(3, "eth2"), (4, "eth3")]), "eth${index - 1}")
        XCTAssertNil(PerHostEncoding.pattern([(1, "10.0.0.9"), (2, "10.0.0.20")]))
        XCTAssertNil(PerHostEncoding.pattern([(1, "a1"), (2, "b2")]))
        for value in ["yes", "no", "on", "null", "~", "1.5", "0x10", "-x", "a: b", "a #b", "x,y", "[x]", "{x}", "\"q\"", "back\\slash", "tab\there", "", "eth1.30", "10.0.0.1/24"] {
            // Through the project's own parser: a host var keeps its string as written.
            let text = YAMLWriter.document([YAMLEntry("pool", .string("lab")),
                                            YAMLEntry("hosts", .map([YAMLEntry("h", .map([YAMLEntry("index", .int(1)), YAMLEntry("vars", .map([YAMLEntry("v", .string(value))]))]))]))])
            XCTAssertEqual(try Topology.parse(yaml: text, file: "q.yaml").hosts.first?.vars["v"], value, text)
        }
    }
}

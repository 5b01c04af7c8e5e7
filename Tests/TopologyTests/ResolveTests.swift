import HostState
import Topology
import XCTest

final class ResolveTests: XCTestCase {
    let pool = """
    pool: p
    hosts:
      hv01: { index: 1, vars: { nic: ens1f0, base: "100" } }
      hv02: { index: 7 }
    storage_nics:
      - name: "${vars.nic}"
        hosts: [hv01]
        mtu: 9000
        subnet: 10.0.0.0/24
        addresses: ["10.0.0.${base + index}"]
      - name: san${index:02d}
        subnet: fd00::/64
        addresses: ["fd00::${index:x}"]
    bridges:
      - name: br0
        stp: { per_host: { hv02: true }, default: false }
        ports: [vif1]
        addresses: { per_host: { hv01: [192.0.2.1/24] } }
    """

    /// Each VXLAN's VTEP addresses are worked out once per host and reused by the other hosts'
    /// resolutions; a host whose index or vars change after parsing gets its new address, and a
    /// bad address (never kept) is reported as before.
    func testVTEPAddressesAreReusedAcrossHostsAndFollowAChangedHost() throws {
        var topology = try Topology.parse(yaml: """
        pool: p
        hosts:
          hv01: { index: 1 }
          hv02: { index: 2 }
          hv03: { index: 3, vars: { last: "x" } }
        vxlans:
          - { name: vx0, vni: 10, local: "192.0.2.${index}" }
          - { name: vx1, vni: 11, local: { per_host: { hv03: "192.0.2.${vars.last}" }, default: "198.51.100.${index}" } }
        """, file: "v.yaml")
        // Met by all three hosts' resolutions (hv03's own and the others' remotes), reported once, as hv03's.
        XCTAssertEqual(topology.validate().map(\.description), ["v.yaml:8:54: error: host hv03, vxlan vx1: local \"192.0.2.x\" is not an IP address"])
        topology.hosts[2].vars["last"] = "33"
        XCTAssertEqual(topology.validate().map(\.description), [])
        XCTAssertEqual(try topology.resolve(host: "hv01").vxlans.map(\.info.remotes), [["192.0.2.2", "192.0.2.3"], ["192.0.2.33", "198.51.100.2"]])
        XCTAssertEqual(try topology.resolve(host: "hv02").vxlans.map(\.info.remotes), [["192.0.2.1", "192.0.2.3"], ["192.0.2.33", "198.51.100.1"]])
        topology.hosts[2].index = 9
        topology.hosts[2].vars["last"] = "77"
        XCTAssertEqual(topology.validate().map(\.description), [])
        XCTAssertEqual(try topology.resolve(host: "hv01").vxlans.map(\.info.remotes), [["192.0.2.2", "192.0.2.9"], ["192.0.2.77", "198.51.100.2"]],
                       "hv03's new index and vars")
    }

    /// A tag changes nothing: per_host, its host names and default are found by their text, as
    /// every other key is (Yams' look-up skipped a tagged host name and used the default).
    func testTaggedPerHostKeysAreReadByTheirText() throws {
        let topology = try Topology.parse(yaml: """
        pool: p
        hosts: [hv01, hv02]
        bridges:
          - { name: br0, mtu: { !x per_host: { !!str hv01: 1400, hv02: !!int 1300 }, default: 1500 } }
          - { name: br1, mtu: { per_host: { !x hv01: abc }, !x default: 1500 } }
        """, file: "t.yaml")
        XCTAssertEqual(topology.validate().map(\.description), ["t.yaml:5:46: error: host hv01, bridge br1: mtu must be an integer, found \"abc\""])
        XCTAssertEqual(try topology.resolve(host: "hv02").bridges.map(\.mtu), [1300, 1500])
    }

    func testPerHostValuesAndIndexExpressions() throws {
        let topology = try Topology.parse(yaml: pool, file: "p.yaml")
        XCTAssertEqual(topology.validate().map(\.description), [])

        let one = try topology.resolve(host: "hv01")
        XCTAssertEqual(one.nics.map(\.name), ["ens1f0", "san01"])
        XCTAssertEqual(one.nics[0].mtu, 9000)
        XCTAssertEqual(one.nics[0].addresses.map(\.prefix.description), ["10.0.0.101/24"])
        XCTAssertEqual(one.nics[1].addresses.map(\.prefix.description), ["fd00::1/64"])
        XCTAssertEqual(one.bridges[0].stp, false)
        XCTAssertEqual(one.bridges[0].addresses.map(\.prefix.description), ["192.0.2.1/24"])

        let seven = try topology.resolve(host: "hv02")
        XCTAssertEqual(seven.nics.map(\.name), ["san07"], "the hosts: filter keeps ens1f0 off hv02")
        XCTAssertEqual(seven.nics[0].addresses.map(\.prefix.address), ["fd00::7"])
        XCTAssertEqual(seven.bridges[0].stp, true)
        XCTAssertEqual(seven.bridges[0].addresses, [], "no per_host entry and no default: no addresses")
    }

    func testUnknownHostIsAnErrorNamingTheFile() throws {
        let topology = try Topology.parse(yaml: pool, file: "p.yaml")
        XCTAssertThrowsError(try topology.resolve(host: "hv99")) { error in
            XCTAssertEqual("\(error)", "p.yaml:1:1: error: host \"hv99\" is not in the pool file (hosts: hv01, hv02); pass --host")
        }
    }

    func testHostListFormNumbersFromOne() throws {
        let topology = try Topology.parse(yaml: "pool: p\nhosts: [a, b, c]\n", file: "p.yaml")
        XCTAssertEqual(topology.hosts.map(\.index), [1, 2, 3])
    }
}

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

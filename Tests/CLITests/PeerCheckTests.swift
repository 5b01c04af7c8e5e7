import Engine
import Foundation
import HostState
import TestSupport
import Topology
import XCTest

/// `check --peers` on this machine's kernel: three hosts in namespaces, each with a veth "NIC"
/// into a fourth namespace holding a bridge (the switch). The pool file is applied on every host
/// by poolnet itself (storage addresses, a VXLAN between the VTEPs, a bridge over it with per-host
/// addresses), then the switch and the hosts are broken by hand.
final class PeerCheckTests: XCTestCase {
    static let pool = """
    pool: peers
    hosts:
      h1: { index: 1 }
      h2: { index: 2 }
      h3: { index: 3 }
    storage_nics:
      - name: san0
        mtu: 9000
        addresses: ["192.0.2.${index + 10}/24", "2001:db8:2::${index}/64"]
    vxlans:
      - name: vx0
        vni: 100
        local: "192.0.2.${index + 10}"
        device: san0
        mtu: 8950
    bridges:
      - name: br-priv
        mtu: 8950
        ports: [vx0]
        subnet: 203.0.113.0/24
        addresses: ["203.0.113.${index}"]
    """

    var switchNS: TestNamespace!
    var hosts: [TestNamespace] = []
    var dir: URL!
    var file: String { dir.appendingPathComponent("pool.yaml").path }

    override func setUpWithError() throws {
        if let reason = TestNamespace.unavailableReason { throw XCTSkip(reason) }
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("pn-peers-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try Self.pool.write(toFile: file, atomically: true, encoding: .utf8)
        switchNS = try TestNamespace("sw")
        try switchNS.ip("link", "add", "br0", "type", "bridge")
        try switchNS.ip("link", "set", "br0", "up")
        for i in 1...3 {
            let host = try TestNamespace("h\(i)")
            hosts.append(host)
            try must("ip", "link", "add", "san0", "netns", host.name, "type", "veth", "peer", "name", "p\(i)", "netns", switchNS.name)
            try switchNS.ip("link", "set", "p\(i)", "mtu", "9000", "master", "br0", "up")
            let apply = try poolnet("apply", file, "--host", "h\(i)", "--netns", host.name)
            XCTAssertEqual(apply.status, 2, apply.stderr)
        }
        // IPv6 addresses answer once duplicate address detection is over.
        for host in hosts {
            for _ in 0..<50 where !(try host.ip("-6", "addr", "show", "tentative")).isEmpty { Thread.sleep(forTimeInterval: 0.1) }
        }
    }

    override func tearDown() {
        hosts = []
        switchNS = nil
        if let dir { try? FileManager.default.removeItem(at: dir) }
    }

    func poolnet(_ args: String...) throws -> ProcessResult {
        try runProcess([CLITests.binary] + args + ["--state-dir", dir.appendingPathComponent("state").path])
    }

    struct Row: Decodable, Equatable {
        var peer: String
        var network: String
        var address: String
        var reachable: Bool
        var mtu_ok: Bool
        var largest: UInt32?
        var size: UInt32?
        var exact: Bool
    }

    struct Report: Decodable {
        var schema: String
        var ok: Bool
        var results: [Row]
    }

    func peers(from host: Int, _ extra: String...) throws -> (ProcessResult, Report) {
        let result = try runProcess([CLITests.binary, "check", "--peers", file, "--host", "h\(host)", "--netns", hosts[host - 1].name, "--json"] + extra)
        return (result, try JSONDecoder().decode(Report.self, from: Data(result.stdout.utf8)))
    }

    /// `name{network,peer,address}` → value, from the textfile.
    func metrics(_ path: String) throws -> [String: Double] {
        var out: [String: Double] = [:]
        for line in try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n") where !line.hasPrefix("#") {
            // Label values have spaces ("storage_nic san0"): the value is after the last one.
            let space = line.lastIndex(of: " ")!
            let series = line[..<space]
            let name = series.prefix { $0 != "{" }
            func label(_ key: String) -> String {
                guard let range = series.range(of: "\(key)=\"") else { return "" }
                return String(series[range.upperBound...].prefix { $0 != "\"" })
            }
            out["\(name){\(label("network")),\(label("peer")),\(label("address"))}"] = Double(line[line.index(after: space)...])
        }
        return out
    }

    func testHealthyPoolPassesEverywhere() throws {
        let textfile = dir.appendingPathComponent("peers.prom").path
        let (result, report) = try peers(from: 1, "--textfile", textfile)
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        XCTAssertEqual(report.schema, "poolnet.peers/v1")
        XCTAssertEqual(report.results.map { "\($0.peer) \($0.network) \($0.address) \($0.size ?? 0)" }, [
            "h2 storage_nic san0 192.0.2.12 9000", "h3 storage_nic san0 192.0.2.13 9000",
            "h2 storage_nic san0 2001:db8:2::2 9000", "h3 storage_nic san0 2001:db8:2::3 9000",
            "h2 bridge br-priv 203.0.113.2 8950", "h3 bridge br-priv 203.0.113.3 8950",
            "h2 vxlan vx0 192.0.2.12 9000", "h3 vxlan vx0 192.0.2.13 9000",   // the VXLAN MTU plus 50 on the underlay
        ])
        XCTAssertTrue(report.results.allSatisfy { $0.reachable && $0.mtu_ok && $0.largest == $0.size }, "\(report.results)")
        let m = try metrics(textfile)
        XCTAssertEqual(m.filter { $0.key.hasPrefix("poolnet_peer_reachable{") }.count, 8)
        XCTAssertTrue(m.filter { $0.key.hasPrefix("poolnet_peer_") && !$0.key.contains("timestamp") }.values.allSatisfy { $0 == 1 }, "\(m)")

        let text = try runProcess([CLITests.binary, "check", "--peers", file, "--host", "h3", "--netns", hosts[2].name])
        XCTAssertEqual(text.status, 0, text.stdout)
        XCTAssertTrue(text.stdout.hasPrefix("host h3 (pool peers): 8 paths to 2 peers, all pass.\n"), text.stdout)
        XCTAssertTrue(text.stdout.contains("  ok h1 vxlan vx0: 192.0.2.13 → 192.0.2.11 via san0: 9000 (mtu 8950 + 50) bytes pass, rtt "), text.stdout)

        if let reason = JSONSchemaCheck.unavailableReason { XCTFail(reason); return }
        try JSONSchemaCheck.validate([("peers", result.stdout)])
    }

    /// h2's switch port drops frames above 1500 bytes; h3's NIC is down. From h1, exactly those
    /// peers fail: h2 on every network with the largest frame the port lets through, h3 unreachable.
    func testLoweredSwitchPortAndDownNIC() throws {
        try switchNS.ip("link", "set", "p2", "mtu", "1500")
        try hosts[2].ip("link", "set", "san0", "down")
        let textfile = dir.appendingPathComponent("peers.prom").path
        let started = Date()
        let (result, report) = try peers(from: 1, "--textfile", textfile)
        let took = Date().timeIntervalSince(started)
        XCTAssertEqual(result.status, 2, result.stderr)
        XCTAssertFalse(report.ok)
        let byKey = Dictionary(uniqueKeysWithValues: report.results.map { ("\($0.peer) \($0.network) \($0.address)", $0) })
        for key in ["h2 storage_nic san0 192.0.2.12", "h2 storage_nic san0 2001:db8:2::2", "h2 vxlan vx0 192.0.2.12"] {
            let row = try XCTUnwrap(byKey[key])
            XCTAssertTrue(row.reachable, key)
            XCTAssertFalse(row.mtu_ok, key)
            XCTAssertEqual(row.largest, 1500, "\(key): the switch port's MTU")
            XCTAssertTrue(row.exact, key)
        }
        // Over the VXLAN the overlay loses the 50 bytes of encapsulation; veth lets a frame 4 bytes
        // (a VLAN tag) over its MTU through when it forwards, so the overlay sees 1450 to 1454.
        let overlay = try XCTUnwrap(byKey["h2 bridge br-priv 203.0.113.2"])
        XCTAssertTrue(overlay.reachable)
        XCTAssertFalse(overlay.mtu_ok)
        XCTAssertTrue((1450...1454).contains(overlay.largest ?? 0), "\(overlay)")
        for row in report.results where row.peer == "h3" {
            XCTAssertFalse(row.reachable, "\(row)")
            XCTAssertNil(row.largest)
        }
        XCTAssertEqual(report.results.filter { $0.peer == "h3" }.count, 4)
        XCTAssertLessThan(took, 15, "the deadline bounds the run")
        if JSONSchemaCheck.unavailableReason == nil { try JSONSchemaCheck.validate([("peers", result.stdout)]) }

        let m = try metrics(textfile)
        XCTAssertEqual(m["poolnet_peer_reachable{storage_nic san0,h2,192.0.2.12}"], 1)
        XCTAssertEqual(m["poolnet_peer_mtu_ok{storage_nic san0,h2,192.0.2.12}"], 0)
        XCTAssertEqual(m["poolnet_peer_reachable{vxlan vx0,h3,192.0.2.13}"], 0)
        XCTAssertEqual(m["poolnet_peer_mtu_ok{bridge br-priv,h3,203.0.113.3}"], 0)

        // The same through unprivileged ping sockets (a raw socket above: a new namespace allows no
        // ping group), once h1's namespace allows them.
        try runProcess(["ip", "netns", "exec", hosts[0].name, "sysctl", "-qw", "net.ipv4.ping_group_range=0 2147483647"])
        let (_, unprivileged) = try peers(from: 1)
        XCTAssertEqual(unprivileged.results.map { "\($0.peer) \($0.network) \($0.address) \($0.reachable) \($0.largest ?? 0)" },
                       report.results.map { "\($0.peer) \($0.network) \($0.address) \($0.reachable) \($0.largest ?? 0)" })

        // From h2, h1 answers only small frames too: veth forwards up to 4 bytes (a VLAN tag) over
        // the port's MTU into the switch, so this direction lets 1500 to 1504 through. h3 stays silent.
        let (fromH2, h2) = try peers(from: 2)
        XCTAssertEqual(fromH2.status, 2)
        let toH1 = h2.results.filter { $0.peer == "h1" && $0.network == "storage_nic san0" }
        XCTAssertEqual(toH1.count, 2)
        XCTAssertTrue(toH1.allSatisfy { $0.reachable && !$0.mtu_ok && (1500...1504).contains($0.largest ?? 0) }, "\(toH1)")
        XCTAssertTrue(h2.results.filter { $0.peer == "h3" }.allSatisfy { !$0.reachable })

        // Repaired: all pass again. A link that went down lost its IPv6 addresses (the kernel's
        // keep_addr_on_down is off): poolnet puts them back.
        try switchNS.ip("link", "set", "p2", "mtu", "9000")
        try hosts[2].ip("link", "set", "san0", "up")
        XCTAssertEqual(try poolnet("apply", file, "--host", "h3", "--netns", hosts[2].name).status, 2)
        for _ in 0..<50 where !(try hosts[2].ip("-6", "addr", "show", "tentative")).isEmpty { Thread.sleep(forTimeInterval: 0.1) }
        var healthy = try peers(from: 1)
        for _ in 0..<5 where healthy.0.status != 0 {  // carrier and neighbour entries come back within a second or two
            Thread.sleep(forTimeInterval: 1)
            healthy = try peers(from: 1)
        }
        XCTAssertEqual(healthy.0.status, 0, healthy.0.stdout)
    }

    func testTheDeadlineBoundsTheWholeRun() throws {
        try hosts[1].ip("link", "set", "san0", "down")
        try hosts[2].ip("link", "set", "san0", "down")
        let started = Date()
        let (result, report) = try peers(from: 1, "--peer-deadline", "1.5")
        let took = Date().timeIntervalSince(started)
        XCTAssertEqual(result.status, 2)
        XCTAssertEqual(report.results.count, 8, "every target is reported, probed or not")
        XCTAssertTrue(report.results.allSatisfy { !$0.reachable })
        XCTAssertLessThan(took, 4, "1.5 s for the probes, in parallel, plus start-up")
    }

    /// The prober refuses any address the pool file does not give a host.
    func testNeverATargetOutsideThePoolFile() throws {
        let topology = try Topology.load(path: file)
        let (errors, states) = topology.validateResolving()
        XCTAssertEqual(errors.count, 0)
        let allowed = Topology.poolAddresses(states)
        let targets = Topology.peerTargets(from: "h1", states: states, hosts: ["h1", "h2", "h3"])
        XCTAssertEqual(targets.count, 8)
        XCTAssertTrue(targets.allSatisfy { allowed.contains($0.address) && allowed.contains($0.source) })
        var stray = targets[0]
        stray.address = "198.51.100.7"
        XCTAssertThrowsError(try PeerCheck(deadline: 1).run([stray], allowed: allowed, engine: Engine(netns: hosts[0].name), live: CurrentState())) {
            XCTAssertEqual("\($0)", "refusing to probe 198.51.100.7: not an address of the pool file")
        }
    }
}

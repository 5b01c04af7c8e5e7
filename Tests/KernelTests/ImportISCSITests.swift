import Engine
import Foundation
import HostState
import Planner
import TestSupport
import Topology
import XCTest

/// `poolnet import` of iSCSI set up by hand with iscsiadm (ifaces, sendtargets discovery, login)
/// against the lab's real target, and a multipath drop-in as poolnet writes it: the file declares
/// the iscsi: section, validates, and plans nothing on the host; two such imports (the host made
/// over as a second host) merge into one file whose iface and initiator names follow the index,
/// and which plans nothing for the host as it now is.
final class ImportISCSITests: ISCSITestCase {
    let portals = ["192.0.2.10", "198.51.100.10", "[2001:db8:a::10]"]

    /// The host as an operator would leave it: initiator name, one iface per storage NIC (with the
    /// initiator name set on it or not), discovery through each, records pruned to the portal of
    /// the iface's own subnet, all logged in.
    func makeByHand(host: Int, explicitInitiator: Bool) throws -> [String] {
        let initiator = "iqn.2026-11.org.example.lab:hv0\(host)"
        try "InitiatorName=\(initiator)\n".write(toFile: "/etc/iscsi/initiatorname.iscsi", atomically: true, encoding: .utf8)
        let ifaces = ["h\(host)a", "h\(host)b"]
        for (iface, (nic, portal)) in zip(ifaces, [("stor0", portals[0]), ("stor1", portals[1])]) {
            _ = try must("iscsiadm", "-m", "iface", "-I", iface, "-o", "new")
            _ = try must("iscsiadm", "-m", "iface", "-I", iface, "-o", "update", "-n", "iface.net_ifacename", "-v", nic)
            if explicitInitiator { _ = try must("iscsiadm", "-m", "iface", "-I", iface, "-o", "update", "-n", "iface.initiatorname", "-v", initiator) }
            _ = try must("iscsiadm", "-m", "discovery", "-t", "sendtargets", "-p", portal, "-I", iface)
            // sendtargets answers with every portal of the target; keep the one in this NIC's subnet.
            for (target, address, port) in try records(iface: iface) where address != portal {
                let argument = address.contains(":") ? "[\(address)]:\(port)" : "\(address):\(port)"
                _ = try must("iscsiadm", "-m", "node", "-T", target, "-p", argument, "-I", iface, "-o", "delete")
            }
        }
        _ = try must("iscsiadm", "-m", "node", "-l")
        XCTAssertEqual(ISCSILab.sessions(), Dictionary(uniqueKeysWithValues: ifaces.map { ($0, "LOGGED_IN") }))
        // The LUN into a multipath map by hand, as the operator would (find_multipaths: known WWIDs only).
        var paths: [(device: String, wwid: String)] = []
        XCTAssertTrue(try ISCSILab.eventually(20) {
            paths = try must("multipathd", "show", "paths", "raw", "format", "%d|%w").split(separator: "\n").compactMap { line in
                let f = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
                return f.count == 2 && f[0].hasPrefix("sd") && !f[1].isEmpty ? (f[0], f[1]) : nil
            }
            return paths.count == 2
        }, "multipathd sees the LUN's two paths: \(paths)")
        if let path = paths.first {
            _ = try must("multipath", "-a", "/dev/\(path.device)")
            _ = try runProcess(["multipathd", "add", "map", path.wwid])
        }
        XCTAssertTrue(ISCSILab.eventually(20) { ISCSILab.maps().values.first == 2 }, "one map with two active paths: \(ISCSILab.maps())")
        return ifaces
    }

    /// (target, address, port) of the node records on `iface`, from `iscsiadm -m node -o show`.
    func records(iface: String) throws -> [(String, String, String)] {
        var result: [(String, String, String)] = []
        var fields: [String: String] = [:]
        for line in try must("iscsiadm", "-m", "node", "-o", "show").split(separator: "\n") {
            if line.hasPrefix("# BEGIN RECORD") { fields = [:] }
            if let eq = line.range(of: " = ") { fields[String(line[..<eq.lowerBound])] = String(line[eq.upperBound...]) }
            if line.hasPrefix("# END RECORD"), fields["iface.iscsi_ifacename"] == iface, let target = fields["node.name"],
               let address = fields["node.conn[0].address"], let port = fields["node.conn[0].port"] {
                result.append((target, address, port))
            }
        }
        return result
    }

    /// The discovery records go last: deleting one deletes the node records found through it.
    override func tearDown() {
        for portal in portals { _ = try? runProcess(["iscsiadm", "-m", "discoverydb", "-t", "sendtargets", "-p", portal, "-o", "delete"]) }
        super.tearDown()
    }

    func tearDownByHand(_ ifaces: [String]) throws {
        _ = try must("iscsiadm", "-m", "node", "-u")
        _ = try must("iscsiadm", "-m", "node", "-o", "delete")
        for iface in ifaces { _ = try must("iscsiadm", "-m", "iface", "-I", iface, "-o", "delete") }
    }

    func importHost(_ host: Int) throws -> String {
        let result = try runProcess([ISCSITests.poolnetBinary, "import", "--host", "hv0\(host)", "--index", "\(host)", "--pool", "lab"])
        XCTAssertEqual(result.status, 0, result.stderr)
        return result.stdout
    }

    func assertPlansNothing(_ text: String, host: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let topology = try Topology.parse(yaml: text, file: "\(host).yaml")
        XCTAssertEqual(topology.validate().map(\.description), [], text, file: file, line: line)
        let plan = try engine.plan(try topology.resolve(host: host)).plan
        XCTAssertEqual(plan.changes.map(\.line), [], "\(plan.renderPlan())\n\(text)", file: file, line: line)
        XCTAssertEqual(plan.problems.map(\.message), [], text, file: file, line: line)
    }

    func testHandMadeISCSIImportsPlansNothingAndMergesAcrossTwoHosts() throws {
        for (nic, address) in [("stor0", "192.0.2.1/24"), ("stor1", "198.51.100.1/24")] {
            _ = try must("ip", "link", "set", nic, "mtu", "9000")
            _ = try must("ip", "addr", "add", address, "dev", nic)
        }
        let dropIn = "# Written by poolnet for pool lab; `poolnet apply` replaces this file.\ndefaults {\n\tpolling_interval 2\n}\n"
        try FileManager.default.createDirectory(atPath: "/etc/multipath/conf.d", withIntermediateDirectories: true)
        try dropIn.write(toFile: "/etc/multipath/conf.d/90-poolnet.conf", atomically: true, encoding: .utf8)
        _ = try must("multipathd", "reconfigure")

        let first = try makeByHand(host: 1, explicitInitiator: true)
        let hv01 = try importHost(1)
        for expected in ["initiator: \"iqn.2026-11.org.example.lab:hv01\"", "targets: [\"\(ISCSILab.target)\"]",
                         "- { iface: h1a, nic: stor0, portals: [\"192.0.2.10:3260\"] }",
                         "- { iface: h1b, nic: stor1, portals: [\"198.51.100.10:3260\"] }",
                         "replacement_timeout:", "multipath: { defaults: { polling_interval: \"2\" } }"] {
            XCTAssertTrue(hv01.contains(expected), "\(expected) in:\n\(hv01)")
        }
        // multipathd sets a session's live recovery_tmo to its fast_io_fail_tmo (5), not the
        // record's 120: the file cannot say both, so replacement_timeout is the one note.
        let notes = hv01.split(separator: "\n").filter { $0.hasPrefix("#   - ") && $0.contains("iSCSI") }
        XCTAssertTrue(notes.allSatisfy { $0.hasPrefix("#   - iSCSI session replacement_timeout: the records say 120, the live sessions 5;") },
                      "nothing else of iSCSI is left as a note:\n\(hv01)")
        try assertPlansNothing(hv01, host: "hv01")

        // The same machine made over by hand as a second host: other initiator and iface names,
        // ifaces without an initiator name of their own (they log in with the host's).
        try tearDownByHand(first)
        for (nic, old, new) in [("stor0", "192.0.2.1/24", "192.0.2.2/24"), ("stor1", "198.51.100.1/24", "198.51.100.2/24")] {
            _ = try must("ip", "addr", "del", old, "dev", nic)
            _ = try must("ip", "addr", "add", new, "dev", nic)
        }
        _ = try makeByHand(host: 2, explicitInitiator: false)
        let hv02 = try importHost(2)
        XCTAssertTrue(hv02.contains("- { iface: h2a, nic: stor0"), hv02)
        try assertPlansNothing(hv02, host: "hv02")

        let paths = try [hv01, hv02].enumerated().map { i, text in
            let path = lab.state.appendingPathComponent("hv0\(i + 1).yaml").path
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        let merge = try runProcess([ISCSITests.poolnetBinary, "import", "--merge"] + paths)
        XCTAssertEqual(merge.status, 0, merge.stderr)
        let merged = merge.stdout
        for expected in ["initiator: \"iqn.2026-11.org.example.lab:hv${index:02d}\"", "iface: \"h${index}a\"", "iface: \"h${index}b\"",
                         "\"192.0.2.${index}/24\""] {
            XCTAssertTrue(merged.contains(expected), "\(expected) in:\n\(merged)")
        }
        let topology = try Topology.parse(yaml: merged, file: "merged.yaml")
        XCTAssertEqual(PoolFileMerge.canonical(try topology.resolve(host: "hv01")),
                       PoolFileMerge.canonical(try Topology.parse(yaml: hv01, file: "hv01.yaml").resolve(host: "hv01")), merged)
        try assertPlansNothing(merged, host: "hv02")
        try adoptThenPrune(merged)
    }

    /// The hand-made ifaces of the host as it now is (hv02): matched but not poolnet's, so `plan`
    /// names them; `apply --adopt` enters them in the ownership record and writes nothing through
    /// iscsiadm (ifaces, records and sessions read the same before and after); then an iface the
    /// file drops is deleted with its session and records, like one poolnet made.
    func adoptThenPrune(_ merged: String) throws {
        let desired = try Topology.parse(yaml: merged, file: "merged.yaml").resolve(host: "hv02")
        let (plain, read) = try engine.plan(desired)
        XCTAssertEqual(plain.changes.map(\.line), [])
        let unowned = Planner.unowned(desired: desired, current: read).map(\.object)
        XCTAssertTrue(unowned.contains("iscsi iface h2a") && unowned.contains("iscsi iface h2b"), "\(unowned)")
        XCTAssertEqual(try ownedIfaces(), [], "nothing is recorded without --adopt")

        engine.adopt = true
        let why = " (entered in poolnet's ownership record, nothing else changes; pruned when the file drops it)"
        let expected = ["~ iscsi: adopt iface h2a" + why, "~ iscsi: adopt iface h2b" + why]
        let adoption = try engine.plan(desired).plan
        XCTAssertEqual(adoption.changes.map(\.line).filter { $0.contains("iscsi") }, expected, adoption.renderPlan())
        let ifacesBefore = try must("iscsiadm", "-m", "iface"), nodesBefore = try must("iscsiadm", "-m", "node", "-o", "show")
        let sessionsBefore = ISCSILab.sessions()
        // The last step failing: the record entry of the iface adopted before it is rolled back.
        var failing = engine!
        failing.failStep = adoption.changes.count - 1
        XCTAssertThrowsError(try failing.apply(desired)) { XCTAssertTrue("\($0)".contains("the host is as it was before"), "\($0)") }
        XCTAssertEqual(try ownedIfaces(), [], "rolled back")
        let applied = try engine.apply(desired)
        XCTAssertEqual(applied.changes.map(\.line).filter { $0.contains("iscsi") }, expected)
        XCTAssertEqual(try must("iscsiadm", "-m", "iface"), ifacesBefore, "adoption changes no iface")
        XCTAssertEqual(try must("iscsiadm", "-m", "node", "-o", "show"), nodesBefore, "adoption changes no node record")
        XCTAssertEqual(ISCSILab.sessions(), sessionsBefore, "adoption logs nothing out or in")
        XCTAssertEqual(try ownedIfaces(), ["h2a", "h2b"])
        let again = try engine.plan(desired)
        XCTAssertEqual(again.plan.changes.map(\.line), [], "nothing left to adopt")
        XCTAssertEqual(Planner.unowned(desired: desired, current: again.current).map(\.object).filter { $0.hasPrefix("iscsi") }, [])
        engine.adopt = false

        // h2b dropped from the file: pruned now that it is poolnet's.
        let dropped = merged.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.contains("\"h${index}b\"") }.joined(separator: "\n")
        let without = try Topology.parse(yaml: dropped, file: "dropped.yaml").resolve(host: "hv02")
        XCTAssertEqual(without.iscsi?.paths.map(\.iface), ["h2a"], dropped)
        let pruned = try engine.apply(without)
        XCTAssertTrue(pruned.changes.map(\.line).contains("- iscsi iface h2b (nic stor1)"), pruned.renderPlan())
        XCTAssertEqual(ISCSILab.ifaces(), ["h2a"], "h2b is deleted (iscsiadm -m iface)")
        XCTAssertEqual(ISCSILab.sessions(), ["h2a": "LOGGED_IN"])
        XCTAssertEqual(try records(iface: "h2b").count, 0)
        XCTAssertEqual(try ownedIfaces(), ["h2a"])
    }

    /// The pool's iSCSI ifaces in the ownership record, read from the file itself.
    func ownedIfaces() throws -> Set<String> {
        guard let data = FileManager.default.contents(atPath: engine.storageRoots.ownership) else { return [] }
        let record = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let pool = (record["pools"] as? [String: Any])?["lab"] as? [String: Any]
        return Set(pool?["iscsiIfaces"] as? [String] ?? [])
    }
}

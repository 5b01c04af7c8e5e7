import Engine
import Foundation
import HostState
import Logging
import Planner
import TestSupport
import Topology
import XCTest

/// Multipath iSCSI end to end against a real target: apply from an empty initiator, idempotence,
/// path-down and MTU-mismatch health, removal of a path, removal of the whole section.
final class ISCSITests: ISCSITestCase {
    static let networkOnly = storageNICs(stor0Subnet: "192.0.2.0/24", stor0Address: "192.0.2.${index}")

    static func pool(paths: [String] = ["san-a", "san-b"]) -> String {
        var text = networkOnly + """
        iscsi:
          initiator: "iqn.2026-11.org.example.lab:${name}"
          targets: [\(ISCSILab.target)]
          session: { startup: automatic, replacement_timeout: 5 }
          multipath:
            defaults: { polling_interval: 2 }
          paths:

        """
        if paths.contains("san-a") { text += "    - { iface: san-a, nic: stor0, portals: [192.0.2.10] }\n" }
        if paths.contains("san-b") { text += "    - { iface: san-b, nic: stor1, portals: [\"198.51.100.10:3260\"] }\n" }
        return text
    }

    func health() throws -> [String] {
        try engine.plan(try desired(Self.pool()), health: true).plan.health.map(\.description)
    }

    func testApplyGivesTwoSessionsOneMapThenNoOpThenHealthThenPruning() throws {
        // A hand-made iface is not poolnet's: it must survive everything below.
        try must("iscsiadm", "-m", "iface", "-I", "handmade", "-o", "new")

        step("first apply")
        let applied = try engine.apply(try desired(Self.pool()))
        step("applied")
        let lines = applied.changes.map(\.line).joined(separator: "\n")
        XCTAssertTrue(lines.contains("+ iscsi iface san-a (nic stor0)"), lines)
        XCTAssertTrue(lines.contains("+ iscsi session \(ISCSILab.target) via 198.51.100.10:3260 on san-b (login)"), lines)
        XCTAssertTrue(lines.contains("+ multipath map 3"), "the LUN becomes a map in the second round:\n\(lines)")
        XCTAssertEqual(ISCSILab.sessions(), ["san-a": "LOGGED_IN", "san-b": "LOGGED_IN"])
        XCTAssertTrue(ISCSILab.eventually(10) { ISCSILab.maps().values.first == 2 }, "one map with two active paths: \(ISCSILab.maps())")
        XCTAssertEqual(ISCSILab.maps().count, 1)
        let initiator = try String(contentsOfFile: "/etc/iscsi/initiatorname.iscsi", encoding: .utf8)
        XCTAssertTrue(initiator.contains("InitiatorName=iqn.2026-11.org.example.lab:vmhost\n"), initiator)
        let sessionInitiators = try must("sh", "-c", "cat /sys/class/iscsi_session/session*/initiatorname | sort -u")
        XCTAssertEqual(sessionInitiators, "iqn.2026-11.org.example.lab:vmhost\n", "sessions log in with the file's initiator name")
        let timeouts = try must("sh", "-c", "cat /sys/class/iscsi_session/session*/recovery_tmo | sort -u")
        XCTAssertEqual(timeouts, "5\n")
        let dropIn = try String(contentsOfFile: "/etc/multipath/conf.d/90-poolnet.conf", encoding: .utf8)
        XCTAssertTrue(dropIn.contains("\tpolling_interval 2\n"), dropIn)

        // A second apply does nothing; plan and check are clean.
        let again = try engine.apply(try desired(Self.pool()))
        XCTAssertEqual(again.changes.map(\.line), [])
        XCTAssertEqual(try health(), [])

        step("link down")
        // One path's link down: check names the path and the LUN.
        try must("ip", "link", "set", "stor1", "down")
        var findings: [String] = []
        XCTAssertTrue(try ISCSILab.eventually(20) { findings = try health(); return findings.contains { $0.contains("multipath LUN") } }, "\(findings)")
        XCTAssertTrue(findings.contains("iscsi path san-b (stor1): NIC stor1 is down"), "\(findings)")
        XCTAssertTrue(findings.contains { $0.contains("1 of 2 paths active") && $0.contains("san-b → 198.51.100.10:3260") }, "\(findings)")
        let metrics = lab.state.appendingPathComponent("poolnet.prom").path
        let check = try runProcess([Self.poolnetBinary, "check", "--host", "vmhost", "--state-dir", lab.state.path, "--textfile", metrics, lab.write(Self.pool())])
        XCTAssertEqual(check.status, 2, check.stdout + check.stderr)
        XCTAssertTrue(check.stdout.contains("1 of 2 paths active"), check.stdout)
        let prom = try String(contentsOfFile: metrics, encoding: .utf8)
        XCTAssertTrue(prom.contains("poolnet_lun_active_paths{pool=\"lab\",host=\"vmhost\",wwid=\"3"), prom)
        XCTAssertTrue(prom.contains(",target=\"\(ISCSILab.target)\"} 1\n"), prom)
        XCTAssertTrue(prom.contains("poolnet_lun_declared_paths{pool=\"lab\",host=\"vmhost\",wwid=\"3"), prom)
        XCTAssertTrue(prom.contains("poolnet_check_success{pool=\"lab\",host=\"vmhost\"} 0\n"), prom)
        XCTAssertFalse(prom.contains("kind=\"path_health\"} 0\n"), prom)

        step("cli check done")
        // Back up: the finding clears.
        try must("ip", "link", "set", "stor1", "up")
        XCTAssertTrue(try ISCSILab.eventually(30) { findings = try health(); return findings.isEmpty }, "\(findings)")

        step("mtu")
        // The target side at MTU 1500 against 9000 here: only the jumbo probe sees it.
        try must("ip", "-n", ISCSILab.namespace, "link", "set", "t0", "mtu", "1500")
        findings = try health()
        XCTAssertTrue(findings.contains { $0.hasPrefix("iscsi path san-a (stor0): path MTU to 192.0.2.10 < 9000 (a don't-fragment echo of 9000 bytes got no answer") }, "\(findings)")
        // apply has nothing to change, and says so, but reports the path problem as plan does.
        let apply = try runProcess([Self.poolnetBinary, "apply", "--host", "vmhost", "--state-dir", lab.state.path, lab.write(Self.pool())])
        XCTAssertEqual(apply.status, 0, apply.stdout + apply.stderr)
        XCTAssertTrue(apply.stdout.contains("no changes") && apply.stdout.contains("storage paths: ") &&
                      apply.stdout.contains("path MTU to 192.0.2.10 < 9000"), apply.stdout)
        let applyJSON = try runProcess([Self.poolnetBinary, "apply", "--json", "--host", "vmhost", "--state-dir", lab.state.path, lab.write(Self.pool())])
        let applyHealth = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(applyJSON.stdout.utf8)) as? [String: Any])?["health"] as? [[String: Any]])
        XCTAssertTrue(applyHealth.contains { ($0["message"] as? String)?.contains("path MTU to 192.0.2.10 < 9000") == true }, applyJSON.stdout)
        try must("ip", "-n", ISCSILab.namespace, "link", "set", "t0", "mtu", "9000")

        step("remove path")
        // Removing a path from the file logs it out and deletes its records and iface.
        let removed = try engine.apply(try desired(Self.pool(paths: ["san-a"])))
        XCTAssertTrue(removed.changes.contains { $0.line.hasPrefix("- iscsi session \(ISCSILab.target) via 198.51.100.10:3260 on san-b (logout)") },
                      removed.changes.map(\.line).joined(separator: "\n"))
        XCTAssertEqual(ISCSILab.sessions(), ["san-a": "LOGGED_IN"])
        XCTAssertEqual(ISCSILab.ifaces(), ["handmade", "san-a"])
        XCTAssertFalse(try must("iscsiadm", "-m", "node").contains("198.51.100.10"))
        XCTAssertTrue(ISCSILab.eventually(10) { ISCSILab.maps().values.first == 1 }, "\(ISCSILab.maps())")

        // Dropping the section: poolnet removes what it owns and nothing else.
        try engine.apply(try desired(Self.networkOnly))
        XCTAssertEqual(ISCSILab.sessions(), [:])
        XCTAssertEqual(ISCSILab.ifaces(), ["handmade"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: "/etc/multipath/conf.d/90-poolnet.conf"))
    }

    func testFailedApplyLeavesTheInitiatorAsItWas() throws {
        let want = try desired(Self.pool())
        // Network first, so the failure lands among the iSCSI steps.
        try engine.apply(try desired(Self.networkOnly))
        let before = ISCSILab.ifaces()
        let plan = try engine.plan(want).plan
        guard let login = plan.changes.firstIndex(where: { $0.line.contains("(login)") }) else { return XCTFail(plan.renderPlan()) }
        var failing = engine!
        failing.failStep = login + 1
        XCTAssertThrowsError(try failing.apply(want)) { error in
            XCTAssertTrue("\(error)".contains("the host is as it was before"), "\(error)")
        }
        XCTAssertEqual(ISCSILab.sessions(), [:])
        XCTAssertEqual(ISCSILab.ifaces(), before)
        XCTAssertEqual(try runProcess(["iscsiadm", "-m", "node"]).status, 21, "no node records are left")
    }

    /// An apply killed among its iSCSI steps (the process SIGKILLs itself right after the first
    /// login): history shows it interrupted, and rollback undoes exactly what took effect — the
    /// session, the node records, the ifaces, the network — read back from the host.
    func testAnApplyKilledAmongItsISCSIStepsIsRolledBack() throws {
        let file = try lab.write(Self.pool())
        let ifaces = ISCSILab.ifaces()
        let argv = [Self.poolnetBinary, "--host", "vmhost", "--state-dir", lab.state.path]
        let plan = try runProcess([Self.poolnetBinary, "plan", "--json", file] + argv.dropFirst())
        let changes = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(plan.stdout.utf8)) as? [String: Any])?["changes"] as? [[String: Any]])
        let login = try XCTUnwrap(changes.firstIndex { ($0["summary"] as? String ?? "").contains("login") }, plan.stdout)
        let killed = try runProcess([Self.poolnetBinary, "apply", file] + argv.dropFirst(), environment: ["POOLNET_TEST_KILL_AT_STEP": "\(login + 1)"])
        XCTAssertEqual(killed.status, 137, killed.stderr)
        XCTAssertEqual(ISCSILab.sessions().count, 1, "one login went through before the kill")
        XCTAssertTrue(try runProcess([Self.poolnetBinary, "history"] + argv.dropFirst(3)).stdout.contains("apply  interrupted"))
        let rollback = try runProcess([Self.poolnetBinary, "rollback"] + argv.dropFirst(3))
        XCTAssertEqual(rollback.status, 0, rollback.stdout + rollback.stderr)
        XCTAssertTrue(rollback.stdout.contains("rolled back the interrupted apply"), rollback.stdout)
        XCTAssertEqual(ISCSILab.sessions(), [:])
        XCTAssertEqual(ISCSILab.ifaces(), ifaces)
        XCTAssertEqual(try runProcess(["iscsiadm", "-m", "node"]).status, 21, "no node records are left")
        let addresses = try must("ip", "-j", "addr", "show", "dev", "stor0")
        XCTAssertFalse(addresses.contains("192.0.2.1\""), addresses)
    }

    func step(_ what: String) { FileHandle.standardError.write(Data("[iscsi] \(Date()) \(what)\n".utf8)) }

    static var poolnetBinary: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("poolnet").path
    }
}

extension ISCSILab {
    /// Writes a pool file into the lab's scratch directory.
    func write(_ yaml: String) throws -> String {
        let path = state.appendingPathComponent("pool.yaml").path
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}

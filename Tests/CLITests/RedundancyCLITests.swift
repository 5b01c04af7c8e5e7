import Foundation
import TestSupport
import XCTest

/// `validate --redundancy` on the built binary: exit codes, text with positions, JSON against its
/// schema, and the one line `plan` adds.
final class RedundancyCLITests: XCTestCase {
    func poolnet(_ args: String...) throws -> ProcessResult { try runProcess([CLITests.binary] + args) }
    func topology(_ name: String) -> String { CLITests.repo.appendingPathComponent("topologies/\(name)").path }

    func testExitCodesAndText() throws {
        let clean = try poolnet("validate", "--redundancy", topology("pool-2host-san.yaml"))
        XCTAssertEqual(clean.status, 0, clean.stderr)
        XCTAssertTrue(clean.stdout.hasSuffix("host xen01: no single point of failure found\nhost xen02: no single point of failure found\n"), clean.stdout)

        let lab = topology("lab-2host.yaml")
        let found = try poolnet("validate", "--redundancy", lab)
        XCTAssertEqual(found.status, 2)
        XCTAssertTrue(found.stdout.contains("""
        host xen-lab1: 2 single points of failure
          ! storage-one-nic: the only storage NIC (enp3s0f1) leaves through NIC enp3s0f1: its failure cuts off storage
              storage_nic enp3s0f1 (\(lab):9:5)

        """), found.stdout)

        // Without the flag validate says nothing of redundancy, and a bad file is still exit 1.
        XCTAssertEqual(try poolnet("validate", lab).status, 0)
        let bad = CLITests.repo.appendingPathComponent("Tests/TopologyTests/Fixtures/bad/mtu-too-big.yaml").path
        XCTAssertEqual(try poolnet("validate", "--redundancy", bad).status, 1)
    }

    func testJSONMatchesItsSchema() throws {
        if let reason = JSONSchemaCheck.unavailableReason { XCTFail(reason); return }
        let bonded = try poolnet("validate", "--redundancy", "--json", topology("pool-4host-bonded.yaml"))
        XCTAssertEqual(bonded.status, 2)
        let clean = try poolnet("validate", "--redundancy", "--json", topology("demo.yaml"))
        XCTAssertEqual(clean.status, 0)
        try JSONSchemaCheck.validate([("redundancy", bonded.stdout), ("redundancy", clean.stdout)])
        let object = try JSONSerialization.jsonObject(with: Data(bonded.stdout.utf8)) as! [String: Any]
        XCTAssertEqual(object["schema"] as? String, "poolnet.redundancy/v1")
        let findings = object["findings"] as! [[String: Any]]
        XCTAssertEqual(findings.count, 16, "4 per host")
        XCTAssertEqual(findings[0]["rule"] as? String, "storage-one-bond")
        let bond = (findings[0]["objects"] as! [[String: Any]]).first { $0["object"] as? String == "bond bond0" }!
        XCTAssertEqual(bond["line"] as? Int, 17)
        XCTAssertEqual(bond["column"] as? Int, 5)
    }

    func testPlanAddsOneSummaryLine() throws {
        if let reason = TestNamespace.unavailableReason { throw XCTSkip(reason) }
        let ns = try TestNamespace("spof")
        try ns.addNIC("enp3s0f1")
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("pn-spof-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: state) }
        let plan = try poolnet("plan", topology("lab-2host.yaml"), "--host", "xen-lab1", "--netns", ns.name, "--state-dir", state)
        XCTAssertEqual(plan.status, 2, plan.stderr)
        XCTAssertTrue(plan.stdout.hasSuffix("\nredundancy: 2 single points of failure on xen-lab1 (storage-one-nic, storage-one-subnet); see poolnet validate --redundancy\n"), plan.stdout)
        let json = try poolnet("plan", topology("lab-2host.yaml"), "--host", "xen-lab1", "--netns", ns.name, "--state-dir", state, "--json")
        XCTAssertNoThrow(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)), "the line stays out of JSON")
        let demo = try TestNamespace("spof2")
        for nic in ["san0", "san1", "guest0"] { try demo.addNIC(nic) }
        let quiet = try poolnet("plan", topology("demo.yaml"), "--host", "hv01", "--netns", demo.name, "--state-dir", state)
        XCTAssertFalse(quiet.stdout.contains("redundancy"), "no line when there is nothing to say: \(quiet.stdout)")
    }
}

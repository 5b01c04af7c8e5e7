import Foundation
import TestSupport
import XCTest

/// The plan-time MTU rule through the binary: exit codes by the documented contract (plan and
/// apply 1, check 2 for drift), the message on the terminal, and nothing changed.
final class LiveMTUCLITests: XCTestCase {
    var ns: TestNamespace!
    var dir: URL!

    override func setUpWithError() throws {
        if let reason = TestNamespace.unavailableReason { throw XCTSkip(reason) }
        ns = try TestNamespace("lmtu")
        try ns.addNIC("san0")   // a veth at 1500, which the file below leaves alone
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("pn-lmtu-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDown() {
        ns = nil
        if let dir { try? FileManager.default.removeItem(at: dir) }
    }

    func poolnet(_ args: String...) throws -> ProcessResult {
        try runProcess([CLITests.binary] + args + ["--host", "hv01", "--netns", ns.name, "--state-dir", dir.appendingPathComponent("state").path])
    }

    func testJumboVXLANOverAnUndeclaredUnderlayIsRefusedWithTheDocumentedExitCodes() throws {
        let file = dir.appendingPathComponent("pool.yaml").path
        try """
        pool: lab
        hosts: [hv01, hv02]
        storage_nics:
          - { name: san0, addresses: ["192.0.2.${index + 10}/24"] }
        vxlans:
          - { name: vx0, vni: 10, local: "192.0.2.${index + 10}", device: san0 }
        bridges:
          - { name: br0, mtu: 9000, ports: [vx0] }
        """.write(toFile: file, atomically: true, encoding: .utf8)
        let validate = try runProcess([CLITests.binary, "validate", file])
        XCTAssertEqual(validate.status, 0, "the file alone cannot know san0's MTU: \(validate.stderr)")

        let before = try ns.ip("-j", "-d", "link", "show")
        let plan = try poolnet("plan", file)
        XCTAssertEqual(plan.status, 1, plan.stdout + plan.stderr)
        let said = plan.stdout + plan.stderr
        XCTAssertTrue(said.contains("vxlan vx0: mtu 9000 (from bridge br0) does not fit its underlay san0 on host hv01: san0 has mtu 1500"), said)

        let apply = try poolnet("apply", file)
        XCTAssertEqual(apply.status, 1, apply.stdout + apply.stderr)
        XCTAssertTrue((apply.stdout + apply.stderr).contains("Declare mtu: 9050 for san0"), apply.stdout + apply.stderr)
        XCTAssertEqual(try ns.ip("-j", "-d", "link", "show"), before, "apply changed nothing")

        let check = try poolnet("check", file)
        XCTAssertEqual(check.status, 2, "check counts it as drift: " + check.stdout + check.stderr)
        XCTAssertTrue((check.stdout + check.stderr).contains("vx0"), check.stdout + check.stderr)
    }
}

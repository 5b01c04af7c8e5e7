import Foundation
import TestSupport
import XCTest

/// `poolnet import`, `plan`'s ownership note and `apply --adopt` on the built binary.
final class ImportCLITests: XCTestCase {
    var ns: TestNamespace!
    var state: String!
    var dir: String!

    override func setUpWithError() throws {
        if let reason = TestNamespace.unavailableReason { throw XCTSkip(reason) }
        ns = try TestNamespace("impcli")
        try ns.addNIC("eth3")
        try ns.batch(["link add br0 type bridge", "link set eth3 master br0", "addr add 172.16.50.1/24 dev br0",
                      "link set eth3 up", "link set br0 up"])
        state = NSTemporaryDirectory() + "poolnet-state-\(UUID().uuidString)"
        dir = NSTemporaryDirectory() + "poolnet-import-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDown() {
        ns = nil
        for path in [state, dir].compactMap({ $0 }) { try? FileManager.default.removeItem(atPath: path) }
    }

    func poolnet(_ args: String...) throws -> ProcessResult { try runProcess([CLITests.binary] + args) }

    func testImportPlanAdoptOnTheBinary() throws {
        let imported = try poolnet("import", "--netns", ns.name, "--host", "hv01", "--pool", "lab")
        XCTAssertEqual(imported.status, 0, imported.stderr)
        let file = dir + "/hv01.yaml"
        try imported.stdout.write(toFile: file, atomically: true, encoding: .utf8)

        let plan = try poolnet("plan", file, "--netns", ns.name, "--host", "hv01", "--state-dir", state)
        XCTAssertEqual(plan.status, 0, plan.stdout + plan.stderr)
        XCTAssertTrue(plan.stdout.contains("no changes; the host matches the file."), plan.stdout)
        XCTAssertTrue(plan.stdout.contains("not owned by poolnet (no poolnet mark): bridge br0, port eth3 of bridge br0, address 172.16.50.1/24 on br0."), plan.stdout)

        let adoptPlan = try poolnet("plan", file, "--netns", ns.name, "--host", "hv01", "--adopt", "--state-dir", state)
        XCTAssertEqual(adoptPlan.status, 2, adoptPlan.stdout + adoptPlan.stderr)
        XCTAssertTrue(adoptPlan.stdout.contains("~ br0: alias none → \"poolnet:lab\" (adopt bridge br0"), adoptPlan.stdout)
        XCTAssertTrue(adoptPlan.stdout.contains("~ br0: adopt address 172.16.50.1/24 ("), adoptPlan.stdout)
        let json = try poolnet("plan", file, "--netns", ns.name, "--host", "hv01", "--adopt", "--json", "--state-dir", state)
        XCTAssertTrue(json.stdout.contains("\"op\":\"markAddress\"") || json.stdout.contains("\"op\" : \"markAddress\""), json.stdout)
        if JSONSchemaCheck.unavailableReason == nil { try JSONSchemaCheck.validate([("plan", json.stdout)]) }

        let apply = try poolnet("apply", file, "--netns", ns.name, "--host", "hv01", "--adopt", "--state-dir", state)
        XCTAssertEqual(apply.status, 2, apply.stdout + apply.stderr)
        XCTAssertEqual(try ns.links()["br0"]?["ifalias"] as? String, "poolnet:lab")
        XCTAssertEqual(try ns.links()["eth3"]?["ifalias"] as? String, "poolnet:lab:port")
        let after = try poolnet("plan", file, "--netns", ns.name, "--host", "hv01", "--state-dir", state)
        XCTAssertEqual(after.status, 0, after.stdout)
        XCTAssertFalse(after.stdout.contains("not owned"), after.stdout)

        // `rollback` undoes the adoption like any apply (read back from the journal): the marks go,
        // the address stays, unowned again.
        let rollback = try poolnet("rollback", "--netns", ns.name, "--host", "hv01", "--state-dir", state)
        XCTAssertEqual(rollback.status, 0, rollback.stdout + rollback.stderr)
        XCTAssertTrue(rollback.stdout.contains("undid 3 steps"), rollback.stdout)  // two aliases, the address
        XCTAssertNil(try ns.links()["br0"]?["ifalias"])
        XCTAssertEqual(try ns.addresses()["br0"]?.filter { !$0.hasPrefix("fe80") }, ["172.16.50.1/24"])
        let unowned = try poolnet("plan", file, "--netns", ns.name, "--host", "hv01", "--state-dir", state)
        XCTAssertTrue(unowned.stdout.contains("port eth3 of bridge br0, address 172.16.50.1/24 on br0."), unowned.stdout)

        let missing = try poolnet("import", "--merge", dir + "/nope.yaml")
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("nope.yaml: cannot read the file"), missing.stderr)
        let noFiles = try poolnet("import", "--merge")
        XCTAssertNotEqual(noFiles.status, 0)
        XCTAssertTrue(noFiles.stderr.contains("--merge needs the files to merge"), noFiles.stderr)
    }
}

import Foundation
import TestSupport
import XCTest

/// Runs the built `poolnet` binary: exit codes, human output and JSON.
final class CLITests: XCTestCase {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardized
    static var binary: String {
        // The test bundle sits next to the products of the same build.
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("poolnet").path
    }

    /// A state directory of the test's own: the journal and the ownership record of the machine
    /// running the tests are never touched.
    lazy var stateDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("poolnet-cli-\(UUID().uuidString)").path

    override func tearDown() { try? FileManager.default.removeItem(atPath: stateDirectory) }

    func poolnet(_ args: String...) throws -> ProcessResult {
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: Self.binary), "build the package first: \(Self.binary)")
        return try runProcess([Self.binary] + args, environment: ["POOLNET_STATE_DIR": stateDirectory])
    }

    func topology(_ name: String) -> String { Self.repo.appendingPathComponent("topologies/\(name)").path }

    func testValidateExitCodes() throws {
        let good = try poolnet("validate", topology("pool-16host.yaml"))
        XCTAssertEqual(good.status, 0, good.stderr)
        XCTAssertTrue(good.stdout.contains("ok (pool dc2-pool7, 16 hosts)"))

        let corpus = Self.repo.appendingPathComponent("Tests/TopologyTests/Fixtures/bad")
        for file in try FileManager.default.contentsOfDirectory(atPath: corpus.path) where file.hasSuffix(".yaml") {
            let bad = try poolnet("validate", corpus.appendingPathComponent(file).path)
            XCTAssertEqual(bad.status, 1, file)
            XCTAssertTrue(bad.stderr.contains("\(file):"), "\(file): \(bad.stderr)")
            XCTAssertTrue(bad.stderr.contains(": error: "), "\(file): \(bad.stderr)")
        }
    }

    func testValidateJSON() throws {
        let bad = Self.repo.appendingPathComponent("Tests/TopologyTests/Fixtures/bad/mtu-too-big.yaml").path
        let result = try poolnet("validate", "--json", bad)
        XCTAssertEqual(result.status, 1)
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [String: Any]
        XCTAssertEqual(json["schema"] as? String, "poolnet.validate/v1")
        XCTAssertEqual(json["valid"] as? Bool, false)
        let first = (json["errors"] as! [[String: Any]])[0]
        XCTAssertEqual(first["line"] as? Int, 7)
        XCTAssertEqual(first["column"] as? Int, 10)
        XCTAssertEqual(first["host"] as? String, "h1")
    }

    func testPlanApplyCheckOnANamespace() throws {
        if let reason = TestNamespace.unavailableReason { throw XCTSkip(reason) }
        let ns = try TestNamespace("cli")
        for nic in ["san0", "san1", "guest0"] { try ns.addNIC(nic) }
        let file = topology("demo.yaml")

        let plan = try poolnet("plan", file, "--host", "hv01", "--netns", ns.name)
        XCTAssertEqual(plan.status, 2, plan.stderr)
        XCTAssertTrue(plan.stdout.hasPrefix("host hv01 (pool demo): 15 changes\n"), plan.stdout)
        XCTAssertTrue(plan.stdout.contains("  + bridge xenbr-priv0 (mtu 9000, stp off)\n"), plan.stdout)
        XCTAssertTrue(plan.stdout.contains("  ~ san0: mtu 1500 → 9000\n"), plan.stdout)
        XCTAssertNil(try ns.links()["xenbr-priv0"], "plan changes nothing")

        let apply = try poolnet("apply", file, "--host", "hv01", "--netns", ns.name)
        XCTAssertEqual(apply.status, 2, apply.stderr)
        XCTAssertTrue(apply.stdout.contains("applied 15 changes; verified"), apply.stdout)

        let again = try poolnet("apply", file, "--host", "hv01", "--netns", ns.name)
        XCTAssertEqual(again.status, 0, again.stdout)
        let clean = try poolnet("check", file, "--host", "hv01", "--netns", ns.name)
        XCTAssertEqual(clean.status, 0)
        XCTAssertEqual(clean.stdout, "host hv01 (pool demo): no drift.\n")

        try ns.ip("link", "set", "san1", "mtu", "1500")
        let drift = try poolnet("check", file, "--host", "hv01", "--netns", ns.name)
        XCTAssertEqual(drift.status, 2)
        XCTAssertTrue(drift.stdout.contains("1 drift from the file"), drift.stdout)
        XCTAssertTrue(drift.stdout.contains("~ san1: mtu 1500 → 9000"), drift.stdout)

        let json = try poolnet("check", file, "--host", "hv01", "--netns", ns.name, "--json")
        XCTAssertEqual(json.status, 2)
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as! [String: Any]
        XCTAssertEqual(object["schema"] as? String, "poolnet.plan/v1")
        XCTAssertEqual(object["drift"] as? Bool, true)
        XCTAssertEqual((object["changes"] as? [[String: Any]])?.first?["summary"] as? String, "san1: mtu 1500 → 9000")

        let show = try poolnet("show", file, "--host", "hv01", "--netns", ns.name)
        XCTAssertEqual(show.status, 0)
        XCTAssertTrue(show.stdout.contains("xenbr-priv0"), show.stdout)
        XCTAssertFalse(show.stdout.contains("p-san0"), "show FILE lists only the file's objects")
    }

    /// Two pools share a NIC: `show FILE` stars only the addresses of that file's pool, though
    /// both carry poolnet's protocol mark; without a file every marked address is starred.
    func testShowStarsOnlyTheFilesPoolAddresses() throws {
        if let reason = TestNamespace.unavailableReason { throw XCTSkip(reason) }
        let ns = try TestNamespace("clishow")
        try ns.addNIC("san0")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("poolnet-show-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for (pool, address) in [("alpha", "192.0.2.11/24"), ("beta", "192.0.2.12/24")] {
            let file = dir.appendingPathComponent("\(pool).yaml").path
            try "pool: \(pool)\nhosts: [hv01]\nstorage_nics:\n  - name: san0\n    addresses: [\"\(address)\"]\n".write(toFile: file, atomically: true, encoding: .utf8)
            let apply = try poolnet("apply", file, "--host", "hv01", "--netns", ns.name)
            XCTAssertEqual(apply.status, 2, apply.stdout + apply.stderr)  // 2: changed, as documented
        }
        let alpha = try poolnet("show", dir.appendingPathComponent("alpha.yaml").path, "--host", "hv01", "--netns", ns.name)
        XCTAssertEqual(alpha.status, 0, alpha.stderr)
        XCTAssertTrue(alpha.stdout.contains("192.0.2.11/24*"), alpha.stdout)
        XCTAssertTrue(alpha.stdout.contains("192.0.2.12/24") && !alpha.stdout.contains("192.0.2.12/24*"), alpha.stdout)
        XCTAssertTrue(alpha.stdout.contains("(* address owned by pool alpha)"), alpha.stdout)
        let all = try poolnet("show", "--host", "hv01", "--netns", ns.name)
        XCTAssertTrue(all.stdout.contains("192.0.2.11/24*") && all.stdout.contains("192.0.2.12/24*"), all.stdout)
    }

    func testErrorsExitOneAndChangeNothing() throws {
        if let reason = TestNamespace.unavailableReason { throw XCTSkip(reason) }
        let ns = try TestNamespace("clierr")
        try ns.addNIC("san0")
        let before = try ns.ip("-d", "link", "show")

        let unknownHost = try poolnet("plan", topology("demo.yaml"), "--host", "nope", "--netns", ns.name)
        XCTAssertEqual(unknownHost.status, 1)
        XCTAssertTrue(unknownHost.stderr.contains("host \"nope\" is not in the pool file"), unknownHost.stderr)

        // san1 and guest0 are missing: the plan is blocked, apply refuses, nothing changes.
        let blocked = try poolnet("apply", topology("demo.yaml"), "--host", "hv01", "--netns", ns.name)
        XCTAssertEqual(blocked.status, 1)
        XCTAssertTrue(blocked.stderr.contains("storage_nic san1: not present on host hv01"), blocked.stderr)
        XCTAssertEqual(try ns.ip("-d", "link", "show"), before)

        let noNamespace = try poolnet("plan", topology("demo.yaml"), "--host", "hv01", "--netns", "pn-does-not-exist")
        XCTAssertEqual(noNamespace.status, 1)
        XCTAssertTrue(noNamespace.stderr.contains("open network namespace pn-does-not-exist"), noNamespace.stderr)
    }

    func testHelpListsTheCommands() throws {
        let help = try poolnet("--help")
        XCTAssertEqual(help.status, 0)
        for command in ["validate", "plan", "apply", "check", "show"] {
            XCTAssertTrue(help.stdout.contains("  \(command) "), "help lacks \(command): \(help.stdout)")
        }
        let folded = help.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        XCTAssertTrue(folded.contains("0 nothing to do / no drift, 2 changes planned or drift found, 1 error"), folded)
    }
}

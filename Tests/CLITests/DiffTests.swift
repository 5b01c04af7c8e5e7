import Foundation
import TestSupport
import XCTest

/// `poolnet diff`: golden per-host output for each kind of change, exit codes, --host, files that
/// do not validate (either side), and the JSON against its schema. No host is touched.
final class DiffTests: XCTestCase {
    static let fixtures = CLITests.repo.appendingPathComponent("Tests/CLITests/DiffFixtures")

    func diff(_ args: [String]) throws -> ProcessResult {
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: CLITests.binary), "build the package first")
        return try runProcess([CLITests.binary, "diff"] + args)
    }

    /// Each case: old.yaml, new.yaml and the exact output expected, with paths relative to the case.
    func testGoldenCases() throws {
        let cases = try FileManager.default.contentsOfDirectory(atPath: Self.fixtures.path).sorted()
        XCTAssertEqual(cases, ["add-host", "bond-mode", "drop-vlan", "per-host-expression"])
        for name in cases {
            let dir = Self.fixtures.appendingPathComponent(name)
            let result = try diff([dir.appendingPathComponent("old.yaml").path, dir.appendingPathComponent("new.yaml").path])
            XCTAssertEqual(result.status, 2, "\(name): \(result.stderr)")
            let expected = try String(contentsOf: dir.appendingPathComponent("expected.txt"), encoding: .utf8)
            XCTAssertEqual(result.stdout.replacingOccurrences(of: dir.path + "/", with: ""), expected, name)
        }
    }

    /// The cases' key claims, spelled out (the golden files hold the rest).
    func testWhatEachCaseSays() throws {
        func run(_ name: String, _ extra: String...) throws -> String {
            let dir = Self.fixtures.appendingPathComponent(name)
            return try diff([dir.appendingPathComponent("old.yaml").path, dir.appendingPathComponent("new.yaml").path] + extra).stdout
                .replacingOccurrences(of: dir.path + "/", with: "")
        }
        let added = try run("add-host")
        XCTAssertTrue(added.hasPrefix("host hv01: no changes\nhost hv02: no changes\nhost hv03: added to the pool, 5 changes\n"), added)
        XCTAssertTrue(added.contains("      addresses: 10.30.0.13/24\n"), added)
        let bond = try run("bond-mode")
        XCTAssertTrue(bond.contains("  ~ bond bond0 (new.yaml:6:5) ! disruptive: replaced: mode active-backup → 802.3ad\n      mode: active-backup → 802.3ad\n"), bond)
        XCTAssertTrue(bond.contains("  ~ vlan bond0.40 (new.yaml:12:5) ! disruptive: replaced with bond0 under it\n"), "VLANs on a recreated bond are recreated: \(bond)")
        let dropped = try run("drop-vlan")
        XCTAssertTrue(dropped.contains("  - vlan bond0.40 (old.yaml:12:5) ! disruptive: created by poolnet, no longer in the file\n"), "a removal points into the old file: \(dropped)")
        // Backwards, the added host is a removed one: its objects listed, none deleted by poolnet.
        let dir = Self.fixtures.appendingPathComponent("add-host")
        let removed = try diff([dir.appendingPathComponent("new.yaml").path, dir.appendingPathComponent("old.yaml").path, "--host", "hv03"])
        XCTAssertEqual(removed.status, 2)
        XCTAssertTrue(removed.stdout.hasPrefix("host hv03: removed from the pool (no apply runs there with the new file), 5 changes\n  - bond bond0 ("), removed.stdout)
        XCTAssertFalse(removed.stdout.contains("disruptive"), removed.stdout)
        let narrowed = try run("per-host-expression", "--host", "hv02")
        XCTAssertEqual(narrowed, "host hv02: 1 change\n  ~ storage_nic bond0.30 (new.yaml:15:5)\n      addresses: 10.30.0.12/24 → 10.30.0.22/24\nchanges on 1 of 1 host.\n")
    }

    func testSameFileIsExitZeroAndUnknownHostIsAnError() throws {
        let file = Self.fixtures.appendingPathComponent("bond-mode/old.yaml").path
        let same = try diff([file, file])
        XCTAssertEqual(same.status, 0, same.stderr)
        XCTAssertEqual(same.stdout, "host hv01: no changes\nhost hv02: no changes\nchanges on 0 of 2 hosts.\n")
        let unknown = try diff([file, file, "--host", "nope"])
        XCTAssertEqual(unknown.status, 1)
        XCTAssertTrue(unknown.stderr.contains("host \"nope\" is in neither file (hosts: hv01, hv02)"), unknown.stderr)
    }

    /// A file that does not validate, on either side: exit 1, every error located, nothing else said.
    func testInvalidFilesAreReportedWithPositionsForEitherSide() throws {
        let good = Self.fixtures.appendingPathComponent("bond-mode/old.yaml").path
        let bad = CLITests.repo.appendingPathComponent("Tests/TopologyTests/Fixtures/bad/mtu-too-big.yaml").path
        let newBad = try diff([good, bad])
        XCTAssertEqual(newBad.status, 1)
        XCTAssertEqual(newBad.stdout, "")
        XCTAssertTrue(newBad.stderr.hasPrefix("\(bad) does not validate:\n\(bad):7:10: error: storage_nic eth1: mtu 70000"), newBad.stderr)
        let oldBad = try diff([bad, good])
        XCTAssertEqual(oldBad.status, 1)
        XCTAssertTrue(oldBad.stderr.hasPrefix("\(bad) does not validate:\n\(bad):7:10: error: "), oldBad.stderr)
        let json = try diff([good, bad, "--json"])
        XCTAssertEqual(json.status, 1)
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as! [String: Any]
        XCTAssertEqual(object["valid"] as? Bool, false)
        let first = (object["errors"] as! [[String: Any]])[0]
        XCTAssertEqual(first["file"] as? String, bad)
        XCTAssertEqual(first["line"] as? Int, 7)
        XCTAssertEqual(first["column"] as? Int, 10)
    }

    func testJSONMatchesItsSchemaAndTheText() throws {
        if let reason = JSONSchemaCheck.unavailableReason { XCTFail(reason); return }
        var outputs: [(schema: String, json: String)] = []
        for name in ["add-host", "bond-mode", "drop-vlan", "per-host-expression"] {
            let dir = Self.fixtures.appendingPathComponent(name)
            let result = try diff([dir.appendingPathComponent("old.yaml").path, dir.appendingPathComponent("new.yaml").path, "--json"])
            XCTAssertEqual(result.status, 2)
            outputs.append(("diff", result.stdout))
        }
        let bad = CLITests.repo.appendingPathComponent("Tests/TopologyTests/Fixtures/bad/mtu-too-big.yaml").path
        outputs.append(("diff", try diff([bad, bad, "--json"]).stdout))
        try JSONSchemaCheck.validate(outputs)

        let bond = try JSONSerialization.jsonObject(with: Data(outputs[1].json.utf8)) as! [String: Any]
        XCTAssertEqual(bond["schema"] as? String, "poolnet.diff/v1")
        let hv01 = (bond["hosts"] as! [[String: Any]])[0]
        XCTAssertEqual(hv01["status"] as? String, "changed")
        let change = (hv01["changes"] as! [[String: Any]])[0]
        XCTAssertEqual(change["object"] as? String, "bond bond0")
        XCTAssertEqual(change["disruptive"] as? Bool, true)
        XCTAssertEqual(change["line"] as? Int, 6)
        let mode = (change["properties"] as! [[String: Any]])[0]
        XCTAssertEqual(mode["name"] as? String, "mode")
        XCTAssertEqual(mode["old"] as? String, "active-backup")
        XCTAssertEqual(mode["new"] as? String, "802.3ad")
    }
}

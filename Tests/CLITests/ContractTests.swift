import Foundation
import TestSupport
import XCTest

/// The contracts automation relies on: exit codes (0, 2, 1 and nothing else), errors that say why,
/// and a fresh machine that has every program the tests run.
final class ContractTests: XCTestCase {
    func poolnet(_ args: String...) throws -> ProcessResult { try runProcess([CLITests.binary] + args) }
    var demo: String { CLITests.repo.appendingPathComponent("topologies/demo.yaml").path }

    /// Usage errors exit 1 like every other error (swift-argument-parser's default is 64).
    func testUsageErrorsExitOne() throws {
        for args in [["validate", demo, "--no-such-option"], ["plan"], ["apply", demo, "--wait-lock", "soon"], ["no-such-command"]] {
            let result = try runProcess([CLITests.binary] + args)
            XCTAssertEqual(result.status, 1, "\(args): \(result.stderr)")
            XCTAssertTrue(result.stderr.contains("Error: "), "\(args): \(result.stderr)")
        }
        XCTAssertEqual(try poolnet("--help").status, 0)
        XCTAssertEqual(try poolnet("--version").status, 0)
    }

    /// `--json` failures print one poolnet.error/v1 object on stdout; EcosystemTests validates the
    /// schema, this checks the contents.
    func testFailuresWithJSONPrintAnErrorObject() throws {
        let result = try poolnet("plan", demo, "--host", "hv99", "--json")
        XCTAssertEqual(result.status, 1)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], result.stdout)
        XCTAssertEqual(object["schema"] as? String, "poolnet.error/v1")
        XCTAssertEqual(object["command"] as? String, "plan")
        XCTAssertEqual(object["kind"] as? String, "host_not_in_file")
        XCTAssertTrue((object["message"] as? String)?.contains("host \"hv99\" is not in the pool file") == true, result.stdout)
        XCTAssertTrue(result.stderr.contains("host \"hv99\" is not in the pool file"), "stderr still says it: \(result.stderr)")
        XCTAssertEqual(try poolnet("plan", demo, "--host", "hv99").stdout, "", "without --json stdout stays empty")
    }

    /// Without root, poolnet says that root (CAP_NET_ADMIN) is needed, not which file or syscall
    /// refused first. Runs as nobody through setpriv.
    func testARunWithoutRootSaysRootIsNeeded() throws {
        if let reason = TestNamespace.unavailableReason { throw XCTSkip(reason) }
        try requireProgram("setpriv")
        let ns = try TestNamespace("noroot")
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("pn-noroot-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: state) }
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        let nobody = ["setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups", CLITests.binary]
        let runs: [[String]] = [
            ["apply", demo, "--host", "hv01", "--state-dir", state],           // the lock file in a root-owned directory
            ["plan", demo, "--host", "hv01", "--netns", ns.name],              // setns
            ["apply", demo, "--host", "hv01", "--netns", ns.name, "--json"],
        ]
        for args in runs {
            let result = try runProcess(nobody + args)
            XCTAssertEqual(result.status, 1, "\(args): \(result.stdout)\(result.stderr)")
            XCTAssertTrue(result.stderr.contains("needs root (CAP_NET_ADMIN"), "\(args): \(result.stderr)")
            XCTAssertFalse(result.stderr.contains("NSCocoaErrorDomain"), "\(args): \(result.stderr)")
        }
        let json = try runProcess(nobody + runs[2])
        XCTAssertTrue(json.stdout.contains("\"kind\" : \"permission\""), json.stdout)
        // check still writes its metrics, saying why it failed.
        let textfileDirectory = state + "/textfile"   // node_exporter's directory, writable by the cron user
        try FileManager.default.createDirectory(atPath: textfileDirectory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o777])
        let metrics = textfileDirectory + "/poolnet.prom"
        let check = try runProcess(nobody + ["check", demo, "--host", "hv01", "--netns", ns.name, "--textfile", metrics])
        XCTAssertEqual(check.status, 1)
        XCTAssertTrue(check.stderr.contains("needs root (CAP_NET_ADMIN"), check.stderr)
        XCTAssertTrue(try String(contentsOfFile: metrics, encoding: .utf8).contains("host=\"hv01\",reason=\"permission\"} 0\n"))
    }

    /// A program a test runs but this machine lacks is named, with the package and the script
    /// that installs it (here through `ip netns exec`, as the ping tests run it).
    func testAMissingProgramIsNamed() throws {
        XCTAssertThrowsError(try runProcess(["ip", "netns", "exec", "pn-any", "no-such-program-here", "-c", "1"])) { error in
            XCTAssertEqual("\(error)", "no-such-program-here is not installed")
        }
        XCTAssertEqual("\(MissingProgram(program: "ping"))", "ping is not installed (Debian package iputils-ping; scripts/deps installs it)")
    }

    /// The fresh-machine check .ci/run starts with: every program the tests run is installed by
    /// the project's scripts (scripts/deps for the host tier), whatever this machine has already.
    func testEveryProgramTheTestsRunIsInstalledByTheProjectScripts() throws {
        let result = try runProcess([CLITests.repo.appendingPathComponent("scripts/check-test-programs").path])
        XCTAssertEqual(result.status, 0, result.stderr)
        let deps = try String(contentsOf: CLITests.repo.appendingPathComponent("scripts/deps"), encoding: .utf8)
        for (program, package) in [("ping", "iputils-ping"), ("promtool", "prometheus"), ("sysctl", "procps")] {
            XCTAssertTrue(deps.contains(package), "scripts/deps does not install \(package)")
            XCTAssertNotNil(deps.range(of: "programs=\\([^)]*\\b\(program)\\b", options: .regularExpression), "scripts/deps does not list \(program)")
        }
    }
}

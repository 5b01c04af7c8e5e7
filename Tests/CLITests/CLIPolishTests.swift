import Foundation
import TestSupport
import XCTest

/// Color, quiet, and the man page and completions generated from the command definitions.
final class CLIPolishTests: XCTestCase {
    func testColorAndQuiet() throws {
        if let reason = TestNamespace.unavailableReason { throw XCTSkip(reason) }
        let ns = try TestNamespace("polish")
        for nic in ["san0", "san1", "guest0"] { try ns.addNIC(nic) }
        let demo = CLITests.repo.appendingPathComponent("topologies/demo.yaml").path
        let colored = try runProcess([CLITests.binary, "plan", demo, "--host", "hv01", "--netns", ns.name, "--color", "always"])
        XCTAssertEqual(colored.status, 2)
        XCTAssertTrue(colored.stdout.contains("\u{1B}[32m  + bridge xenbr-priv0"), colored.stdout)
        XCTAssertTrue(colored.stdout.contains("\u{1B}[33m  ~ san0: mtu 1500 → 9000"), colored.stdout)
        let plain = try runProcess([CLITests.binary, "plan", demo, "--host", "hv01", "--netns", ns.name])
        XCTAssertFalse(plain.stdout.contains("\u{1B}["), "auto: no color into a pipe")
        let quiet = try runProcess([CLITests.binary, "plan", demo, "--host", "hv01", "--netns", ns.name, "--quiet"])
        XCTAssertEqual(quiet.status, 2, "the exit code still says there are changes")
        XCTAssertEqual(quiet.stdout, "")
    }

    /// The committed completions and man page match the commands (scripts/gen-docs regenerates them).
    func testGeneratedDocsAreCurrent() throws {
        for (shell, file) in [("bash", "completions/poolnet.bash"), ("zsh", "completions/_poolnet")] {
            let generated = try runProcess([CLITests.binary, "--generate-completion-script", shell]).stdout
            let committed = try String(contentsOf: CLITests.repo.appendingPathComponent(file), encoding: .utf8)
            XCTAssertEqual(generated, committed, "\(file) is stale: run scripts/gen-docs")
        }
        let man = try String(contentsOf: CLITests.repo.appendingPathComponent("docs/man/poolnet.1"), encoding: .utf8)
        for word in ["validate", "plan", "apply", "check", "show", "confirm", "rollback", "history", "textfile", "allow-disruptive", "force", "color", "quiet", "format"] {
            XCTAssertTrue(man.contains(word), "docs/man/poolnet.1 lacks \(word): run scripts/gen-docs")
        }
    }
}

/// iSCSI lives in the host's own namespace: a file with iSCSI and --netns is refused, changing nothing.
final class StorageNamespaceTests: XCTestCase {
    func testISCSIWithNetnsIsRefused() throws {
        if let reason = TestNamespace.unavailableReason { throw XCTSkip(reason) }
        let ns = try TestNamespace("isns")
        let file = CLITests.repo.appendingPathComponent("topologies/pool-2host-san.yaml").path
        let plan = try runProcess([CLITests.binary, "plan", file, "--host", "xen01", "--netns", ns.name])
        XCTAssertEqual(plan.status, 1)
        XCTAssertTrue(plan.stderr.contains("iSCSI runs only in the host's own network namespace"), plan.stderr)
    }
}

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
        for (shell, file) in [("bash", "completions/poolnet.bash"), ("zsh", "completions/_poolnet"), ("fish", "completions/poolnet.fish")] {
            let generated = try runProcess([CLITests.binary, "--generate-completion-script", shell]).stdout
            let committed = try String(contentsOf: CLITests.repo.appendingPathComponent(file), encoding: .utf8)
            XCTAssertEqual(generated, committed, "\(file) is stale: run scripts/gen-docs")
        }
        let man = try String(contentsOf: CLITests.repo.appendingPathComponent("docs/man/poolnet.1"), encoding: .utf8)
        for word in ["validate", "plan", "apply", "check", "show", "confirm", "rollback", "history", "textfile", "allow-disruptive", "force", "color", "quiet", "format"] {
            XCTAssertTrue(man.contains(word), "docs/man/poolnet.1 lacks \(word): run scripts/gen-docs")
        }
        let sections = try String(contentsOf: CLITests.repo.appendingPathComponent("docs/man/sections.mdoc"), encoding: .utf8)
        XCTAssertTrue(man.hasSuffix(sections), "docs/man/poolnet.1 does not end with docs/man/sections.mdoc: run scripts/gen-docs")
        for section in [".Sh \"EXIT STATUS\"", ".Sh ENVIRONMENT", ".Sh FILES", ".Sh EXAMPLES"] {
            XCTAssertEqual(man.components(separatedBy: section + "\n").count, 2, "one \(section) in the man page")
        }
        XCTAssertFalse(man.contains("revert-pending"), "the internal command is not documented")
        XCTAssertFalse(man.contains(".Ex -std"), "the generic 'exits >0 on error' contradicts exit 2")
    }

    /// The man page's EXIT STATUS and the README say the same: 0, 2, and 1 for any error including usage.
    func testExitStatusIsDocumentedTheSameEverywhere() throws {
        let man = try String(contentsOf: CLITests.repo.appendingPathComponent("docs/man/poolnet.1"), encoding: .utf8)
        let readme = try String(contentsOf: CLITests.repo.appendingPathComponent("README.md"), encoding: .utf8)
        let exitStatus = man.components(separatedBy: ".Sh \"EXIT STATUS\"").last!.components(separatedBy: ".Sh ").first!
        XCTAssertTrue(exitStatus.contains(".It 0\n") && exitStatus.contains(".It 2\n") && exitStatus.contains(".It 1\nAny error, usage errors included"), exitStatus)
        XCTAssertTrue(readme.contains("**0** nothing to do / no drift"), "README")
        XCTAssertTrue(readme.contains("**2** changes planned or applied / drift found, **1** any error, usage errors included"), "README")
    }

    /// bash completion, run the way bash runs it: pool files, the hosts of the file on the line,
    /// and the namespaces in /run/netns.
    func testBashCompletesFilesHostsAndNamespaces() throws {
        if let reason = TestNamespace.unavailableReason { throw XCTSkip(reason) }
        let ns = try TestNamespace("compl")
        let script = CLITests.repo.appendingPathComponent("completions/poolnet.bash").path
        func complete(_ words: String...) throws -> [String] {
            let driver = """
            source "$1"; shift
            COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}
            _poolnet "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
            printf '%s\\n' "${COMPREPLY[@]}"
            """
            let result = try runProcess(["bash", "-c", driver, "bash", script, CLITests.binary] + words)
            XCTAssertEqual(result.status, 0, result.stderr)
            return result.stdout.split(separator: "\n").map(String.init)
        }
        let topologies = CLITests.repo.appendingPathComponent("topologies").path
        XCTAssertTrue(try complete("plan", topologies + "/dem").contains(topologies + "/demo.yaml"))
        XCTAssertEqual(try complete("plan", topologies + "/demo.yaml", "--host", ""), ["hv01", "hv02"])
        XCTAssertTrue(try complete("apply", topologies + "/demo.yaml", "--netns", String(ns.name.prefix(6))).contains(ns.name))
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

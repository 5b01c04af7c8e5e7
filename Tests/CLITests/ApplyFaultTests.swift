import Foundation
import TestSupport
import XCTest

/// An apply under faults, on the built binary and a real namespace: killed between kernel
/// batches, a journal that cannot be written (read-only, full, a symlink), a corrupt journal line.
/// After each, the host is compared with a snapshot taken through `ip` and sysctl, not poolnet.
final class ApplyFaultTests: XCTestCase {
    var ns: TestNamespace!
    var state: String!
    var files: [String] = []

    override func setUpWithError() throws {
        if let reason = TestNamespace.unavailableReason { throw XCTSkip(reason) }
        ns = try TestNamespace("fault")
        try ns.addNIC("san0")
        state = NSTemporaryDirectory() + "poolnet-state-\(UUID().uuidString)"
    }

    override func tearDown() {
        ns = nil
        try? FileManager.default.removeItem(atPath: state)
        for file in files { try? FileManager.default.removeItem(atPath: file) }
    }

    /// A pool file of `count` bridges, each with an address, and san0 at MTU 9000 with rp_filter 2.
    func bridges(_ count: Int) throws -> String {
        var text = "pool: fault\nhosts: [hv01]\nstorage_nics:\n  - name: san0\n    mtu: 9000\n    addresses: [\"192.0.2.10/24\"]\nbridges:\n"
        for i in 0..<count { text += "  - name: fb\(i)\n    mtu: 9000\n    addresses: [\"10.\(i / 250).\(i % 250).1/24\"]\n" }
        let file = NSTemporaryDirectory() + "fault-\(UUID().uuidString).yaml"
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        files.append(file)
        return file
    }

    func poolnet(_ args: [String], env: [String: String] = [:]) throws -> ProcessResult {
        try runProcess([CLITests.binary] + args + ["--state-dir", state], environment: env)
    }

    func apply(_ file: String, _ extra: [String] = [], env: [String: String] = [:]) throws -> ProcessResult {
        try poolnet(["apply", file, "--host", "hv01", "--netns", ns.name] + extra, env: env)
    }

    /// Links (kind, MTU, up, master, alias), addresses and every IPv4/IPv6 conf sysctl of the
    /// namespace, read with iproute2 and sysctl.
    func snapshot() throws -> [String] {
        var lines: [String] = []
        for (name, link) in try ns.links() {
            let kind = (link["linkinfo"] as? [String: Any])?["info_kind"] as? String ?? "-"
            let up = (link["flags"] as? [String] ?? []).contains("UP")
            lines.append("link \(name) \(kind) mtu \(link["mtu"] ?? 0) up \(up) master \(link["master"] ?? "-") alias \(link["ifalias"] ?? "-")")
        }
        for (name, addresses) in try ns.addresses() { lines += addresses.sorted().map { "addr \(name) \($0)" } }
        let sysctls = try runProcess(["ip", "netns", "exec", ns.name, "sysctl", "net.ipv4.conf", "net.ipv6.conf"])
        lines += sysctls.stdout.split(separator: "\n").map(String.init).filter { !$0.contains("stable_secret") }
        return lines.sorted()
    }

    func bridgeCount() throws -> Int { try ns.links().keys.filter { $0.hasPrefix("fb") }.count }

    /// Killed between kernel batches (the test hook makes batches of 10 requests, 40 ms apart):
    /// history shows the apply as interrupted, plan says so, rollback restores the exact snapshot
    /// from before it, and a second rollback does not touch the apply before it.
    func testSIGKILLBetweenBatchesThenRollbackRestoresTheSnapshot() throws {
        let small = try bridges(3), large = try bridges(120)
        XCTAssertEqual(try apply(small).status, 2)
        let before = try snapshot()
        // Killed once early and once late: when that many bridges exist (polled, not slept, so a
        // loaded machine's slow start cannot make the kill land before the first batch).
        for threshold in [10, 60] {
            let binary = CLITests.binary
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = ["apply", large, "--host", "hv01", "--netns", ns.name, "--state-dir", state]
            process.environment = ProcessInfo.processInfo.environment.merging(["POOLNET_TEST_BATCH_PAUSE": "10:40"]) { $1 }
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            let deadline = Date().addingTimeInterval(60)
            while try bridgeCount() < 3 + threshold, process.isRunning, Date() < deadline { usleep(5_000) }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let made = try bridgeCount()
            XCTAssertTrue(made > 3 && made < 120, "the kill landed mid-apply (\(made) bridges, aimed at \(3 + threshold))")

            let history = try poolnet(["history", "--netns", ns.name])
            XCTAssertTrue(history.stdout.contains("apply  interrupted"), history.stdout)
            let plan = try poolnet(["plan", large, "--host", "hv01", "--netns", ns.name])
            XCTAssertTrue(plan.stderr.contains("was interrupted before it finished"), plan.stderr)

            let rollback = try poolnet(["rollback", "--netns", ns.name])
            XCTAssertEqual(rollback.status, 0, rollback.stderr)
            XCTAssertTrue(rollback.stdout.contains("rolled back the interrupted apply"), rollback.stdout)
            XCTAssertEqual(try snapshot(), before, "rollback after a kill at \(made) bridges")
            let again = try poolnet(["rollback", "--netns", ns.name])
            XCTAssertEqual(again.status, 1)
            XCTAssertTrue(again.stderr.contains("was already reverted"), again.stderr)
            XCTAssertEqual(try snapshot(), before, "a second rollback leaves the earlier apply alone")
        }
    }

    /// A kernel refusal in the first of two batches (the hook makes batches of 3 requests): the
    /// bridge created in that batch, whose mark went in the second, never sent, is "partly
    /// applied" in the text, in --json and in the journal's outcome record, and rollback undoes it.
    func testAStepCutBetweenTwoBatchesIsReportedPartlyApplied() throws {
        try ns.addNIC("guest0")
        // A foreign VXLAN holds VNI 42: the kernel refuses vx0 (EEXIST) in the first batch.
        try ns.batch(["link add vxt type vxlan id 42 local 10.9.0.2 dstport 4789"])
        let file = NSTemporaryDirectory() + "straddle-\(UUID().uuidString).yaml"
        try "pool: fault\nhosts: [hv01]\nvxlans:\n  - name: vx0\n    vni: 42\n    local: 10.9.0.1\nbridges:\n  - name: privbr0\n    ports: [guest0]\n"
            .write(toFile: file, atomically: true, encoding: .utf8)
        files.append(file)
        let before = try snapshot()
        let env = ["POOLNET_TEST_BATCH_PAUSE": "3:0"]
        let partly = "partly applied: + bridge privbr0 (stp off): part of it took effect, the rest was not sent (the run stopped at an earlier failure)"

        let text = try apply(file, env: env)
        XCTAssertEqual(text.status, 1, text.stderr)
        XCTAssertTrue(text.stderr.contains("File exists (errno 17)"), text.stderr)
        XCTAssertTrue(text.stderr.contains("\n  \(partly)\n"), text.stderr)
        XCTAssertTrue(text.stderr.contains("the host is as it was before"), text.stderr)
        XCTAssertEqual(try snapshot(), before, "rollback undid the half-made bridge")

        let json = try apply(file, ["--json"], env: env)
        XCTAssertEqual(json.status, 1, json.stderr)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any], json.stdout)
        XCTAssertEqual(object["partlyApplied"] as? [[String: String]],
                       [["step": "+ bridge privbr0 (stp off)", "reason": "part of it took effect, the rest was not sent (the run stopped at an earlier failure)"]])
        XCTAssertEqual(object["rolledBack"] as? [String], ["- bridge privbr0"])
        if JSONSchemaCheck.unavailableReason == nil { try JSONSchemaCheck.validate([("error", json.stdout)]) }
        XCTAssertEqual(try snapshot(), before)

        let journal = try String(contentsOfFile: state + "/journal.jsonl", encoding: .utf8).split(separator: "\n")
        let outcome = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(try XCTUnwrap(journal.last).utf8)) as? [String: Any])
        XCTAssertEqual(outcome["result"] as? String, "failed, rolled back")
        XCTAssertEqual(outcome["partly_applied"] as? [[String: String]],
                       [["step": "+ bridge privbr0 (stp off)", "reason": "part of it took effect, the rest was not sent (the run stopped at an earlier failure)"]])
    }

    /// Killed before each step of a plan in turn (the process SIGKILLs itself there, after what
    /// came before reached the kernel): every time, rollback brings back the exact snapshot.
    func testKilledBeforeEveryStepRollbackRestoresTheSnapshot() throws {
        let file = try bridges(3)
        let before = try snapshot()
        let plan = try poolnet(["plan", file, "--host", "hv01", "--netns", ns.name, "--json"])
        let steps = ((try JSONSerialization.jsonObject(with: Data(plan.stdout.utf8)) as? [String: Any])?["changes"] as? [Any])?.count ?? 0
        XCTAssertGreaterThan(steps, 8, plan.stdout)
        for k in 0..<steps {
            let killed = try apply(file, env: ["POOLNET_TEST_KILL_AT_STEP": "\(k)"])
            XCTAssertEqual(killed.status, 137, "step \(k): \(killed.stderr)")  // 128 + SIGKILL, as the runner reports it
            let rollback = try poolnet(["rollback", "--netns", ns.name])
            XCTAssertEqual(rollback.status, 0, "step \(k): \(rollback.stdout) \(rollback.stderr)")
            XCTAssertEqual(try snapshot(), before, "killed before step \(k)")
        }
        XCTAssertEqual(try apply(file).status, 2, "and an apply after all that converges")
        XCTAssertEqual(try poolnet(["check", file, "--host", "hv01", "--netns", ns.name]).status, 0)
    }

    /// A state directory on a read-only mount: the intent cannot be written, so nothing is sent.
    func testReadOnlyJournalChangesNothing() throws {
        let file = try bridges(2)
        XCTAssertEqual(try poolnet(["history"]).status, 0)  // creates the directory
        try mount(["--bind", state, state])
        defer { _ = try? runProcess(["umount", state]) }
        try mount(["-o", "remount,ro,bind", state])
        let before = try snapshot()
        let r = try apply(file)
        XCTAssertEqual(r.status, 1, r.stdout)
        XCTAssertTrue(r.stderr.contains("Read-only file system"), r.stderr)
        XCTAssertEqual(try snapshot(), before)
    }

    /// A full file system: the intent write fails (checked, not cut short), nothing is sent, and
    /// no partial line is left to break the journal.
    func testFullFileSystemChangesNothingAndLeavesNoPartialLine() throws {
        let file = try bridges(60)
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        try mount(["-t", "tmpfs", "-o", "size=32k,mode=0700", "tmpfs", state])
        defer { _ = try? runProcess(["umount", state]) }
        let small = try bridges(1)
        XCTAssertEqual(try apply(small).status, 2, "an apply that fits")
        _ = try? runProcess(["dd", "if=/dev/zero", "of=\(state!)/fill", "bs=1k", "count=64"])  // fills the rest
        let before = try snapshot()
        let r = try apply(file)
        XCTAssertEqual(r.status, 1, r.stdout)
        XCTAssertTrue(r.stderr.contains("No space left on device"), r.stderr)
        XCTAssertEqual(try snapshot(), before)
        let history = try poolnet(["history", "--netns", ns.name])
        XCTAssertEqual(history.status, 0)
        XCTAssertEqual(history.stderr, "", "no partial line")
        XCTAssertTrue(history.stdout.contains("apply  applied"), history.stdout)
    }

    /// The outcome record fails after the kernel changed (the test hook stands in for a disk that
    /// filled up meanwhile): the apply is undone, a read proves it, and the exit is 1.
    func testAnApplyTheJournalCannotRecordIsUndone() throws {
        let file = try bridges(4)
        let before = try snapshot()
        let r = try apply(file, env: ["POOLNET_TEST_FAIL_JOURNAL_OUTCOME": "1"])
        XCTAssertEqual(r.status, 1, r.stdout + r.stderr)
        XCTAssertTrue(r.stderr.contains("the journal could not record the apply"), r.stderr)
        XCTAssertTrue(r.stderr.contains("the host is as it was before that apply"), r.stderr)
        XCTAssertEqual(try snapshot(), before)
        XCTAssertTrue(try poolnet(["history", "--netns", ns.name]).stdout.contains("failed, rolled back"))
    }

    /// The journal and the lock replaced by symlinks to other files: refused, the files untouched.
    func testJournalAndLockSymlinksAreRefusedAndTheirTargetsUntouched() throws {
        let file = try bridges(1)
        let victim = NSTemporaryDirectory() + "victim-\(UUID().uuidString)"
        files.append(victim)
        try "precious\n".write(toFile: victim, atomically: true, encoding: .utf8)
        XCTAssertEqual(try poolnet(["history"]).status, 0)
        try FileManager.default.createSymbolicLink(atPath: state + "/journal.jsonl", withDestinationPath: victim)
        let before = try snapshot()
        let r = try apply(file)
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("symbolic link"), r.stderr)
        XCTAssertEqual(try snapshot(), before)
        try FileManager.default.removeItem(atPath: state + "/journal.jsonl")

        let inode = try XCTUnwrap(try FileManager.default.attributesOfItem(atPath: "/run/netns/\(ns.name)")[.systemFileNumber] as? Int)
        let lock = "/run/poolnet/apply-net-\(inode).lock"
        try? FileManager.default.removeItem(atPath: lock)
        try FileManager.default.createSymbolicLink(atPath: lock, withDestinationPath: victim)
        defer { try? FileManager.default.removeItem(atPath: lock) }
        let locked = try apply(file)
        XCTAssertEqual(locked.status, 1)
        XCTAssertTrue(locked.stderr.contains("symbolic link"), locked.stderr)
        XCTAssertEqual(try String(contentsOfFile: victim, encoding: .utf8), "precious\n")
        XCTAssertEqual(try snapshot(), before)
    }

    /// A corrupt line hides nothing: history lists the rest and names the line; rollback works.
    func testACorruptJournalLineIsSkippedAndNamed() throws {
        let file = try bridges(2)
        XCTAssertEqual(try apply(file).status, 2)
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: state + "/journal.jsonl"))
        handle.seekToEndOfFile()
        handle.write(Data("{\"v\":2,\"id\":\"cut".utf8) + Data("\n".utf8))
        handle.closeFile()
        let history = try poolnet(["history", "--netns", ns.name])
        XCTAssertEqual(history.status, 0)
        XCTAssertTrue(history.stdout.contains("apply  applied"), history.stdout)
        XCTAssertTrue(history.stderr.contains("journal.jsonl:3: skipped a record that cannot be read"), history.stderr)
        XCTAssertEqual(try poolnet(["rollback", "--netns", ns.name]).status, 0)
        XCTAssertEqual(try bridgeCount(), 0)
    }

    func mount(_ args: [String]) throws {
        let r = try runProcess(["mount"] + args)
        if r.status != 0 { throw XCTSkip("mount \(args.joined(separator: " ")) failed here: \(r.stderr)") }
    }
}

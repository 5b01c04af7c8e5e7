import Engine
import Foundation
import TestSupport
import XCTest

/// Lock, journal, confirm-or-revert, rollback and the management guard, on the built binary.
final class SafeApplyTests: XCTestCase {
    var ns: TestNamespace!
    var state: String!

    static let file = CLITests.repo.appendingPathComponent("topologies/demo.yaml").path

    override func setUpWithError() throws {
        if let reason = TestNamespace.unavailableReason { throw XCTSkip(reason) }
        ns = try TestNamespace("safe")
        for nic in ["san0", "san1", "guest0"] { try ns.addNIC(nic) }
        state = NSTemporaryDirectory() + "poolnet-state-\(UUID().uuidString)"
    }

    override func tearDown() {
        ns = nil
        try? FileManager.default.removeItem(atPath: state)
    }

    func poolnet(_ args: String..., env: [String: String]? = nil) throws -> ProcessResult {
        try runProcess([CLITests.binary] + args + ["--state-dir", state], environment: env)
    }

    func apply(_ extra: String...) throws -> ProcessResult {
        try runProcess([CLITests.binary, "apply", Self.file, "--host", "hv01", "--netns", ns.name, "--state-dir", state] + extra)
    }

    func bridgeExists() throws -> Bool { try ns.links()["xenbr-priv0"] != nil }

    /// Polls instead of sleeping a fixed time.
    func eventually(_ seconds: Double, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            usleep(100_000)
        }
        return try condition()
    }

    func testLockRefusesASecondApplyAndNamesTheHolder() throws {
        let lock = try ApplyLock(netns: ns.name)
        let refused = try apply()
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.contains("another poolnet apply (pid \(getpid())) holds"), refused.stderr)
        XCTAssertFalse(try bridgeExists(), "nothing changed")
        let plan = try poolnet("plan", Self.file, "--host", "hv01", "--netns", ns.name)
        XCTAssertEqual(plan.status, 2, "plan does not wait for the lock")
        withExtendedLifetime(lock) {}
    }

    func testConcurrentAppliesNeverInterleave() throws {
        final class Box: @unchecked Sendable { var results: [ProcessResult] = [] }
        let box = Box()
        let lock = NSLock()
        let group = DispatchGroup()
        let argv = [CLITests.binary, "apply", Self.file, "--host", "hv01", "--netns", ns.name, "--state-dir", state!]
        for _ in 0..<2 {
            group.enter()
            DispatchQueue.global().async {
                let r = try? runProcess(argv)
                lock.lock(); if let r { box.results.append(r) }; lock.unlock()
                group.leave()
            }
        }
        group.wait()
        let statuses = box.results.map(\.status).sorted()
        XCTAssertTrue(statuses == [0, 2] || statuses == [1, 2], "\(statuses): \(box.results.map(\.stderr))")
        if statuses == [1, 2] { XCTAssertTrue(box.results.contains { $0.stderr.contains("holds") }) }
        XCTAssertEqual(try poolnet("check", Self.file, "--host", "hv01", "--netns", ns.name).status, 0)
    }

    func testUnconfirmedApplyIsReverted() throws {
        let r = try apply("--confirm-within", "4s")
        XCTAssertEqual(r.status, 2, r.stderr)
        XCTAssertTrue(r.stdout.contains("(in 4s) unless `poolnet confirm --netns \(ns.name)` runs first"), r.stdout)
        XCTAssertTrue(try bridgeExists())
        // The helper journals the revert once every step has run: wait for that, then look.
        var history = try poolnet("history")
        XCTAssertTrue(try eventually(15) {
            history = try poolnet("history")
            return history.stdout.contains("revert  reverted (not confirmed in time)")
        }, history.stdout)
        XCTAssertFalse(try bridgeExists(), "not reverted")
        XCTAssertEqual(try ns.links()["san0"]?["mtu"] as? Int, 1500)
    }

    func testConfirmedApplyStays() throws {
        XCTAssertEqual(try apply("--confirm-within", "5s").status, 2)
        let confirm = try poolnet("confirm", "--netns", ns.name)
        XCTAssertEqual(confirm.status, 0)
        XCTAssertTrue(confirm.stdout.hasPrefix("confirmed"), confirm.stdout)
        usleep(6_000_000)  // past the deadline: the helper must have given up
        XCTAssertTrue(try bridgeExists())
        XCTAssertEqual(try poolnet("check", Self.file, "--host", "hv01", "--netns", ns.name).status, 0)
    }

    /// The shell that ran the apply dies (SIGKILL, with everything it started): the revert helper
    /// runs in its own session and still reverts.
    func testRevertSurvivesTheLaunchingProcessDying() throws {
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/bin/bash")
        shell.arguments = ["-c", "'\(CLITests.binary)' apply '\(Self.file)' --host hv01 --netns \(ns.name) --state-dir '\(state!)' --confirm-within 3s; sleep 60"]
        shell.standardOutput = FileHandle.nullDevice
        shell.standardError = FileHandle.nullDevice
        try shell.run()
        XCTAssertTrue(try eventually(10) { try bridgeExists() })
        usleep(300_000)
        _ = try runProcess(["pkill", "-KILL", "-P", String(shell.processIdentifier)])  // its children (sleep)
        kill(shell.processIdentifier, SIGKILL)
        shell.waitUntilExit()
        XCTAssertEqual(shell.terminationReason, .uncaughtSignal)
        XCTAssertTrue(try eventually(15) { try !bridgeExists() }, "the revert did not happen after the launching process died")
    }

    func testRollbackOnDemandAndHistory() throws {
        XCTAssertEqual(try apply().status, 2)
        XCTAssertEqual(try apply("--confirm-within", "60s").status, 0, "a no-op apply arms nothing")
        let rollback = try poolnet("rollback", "--netns", ns.name)
        XCTAssertEqual(rollback.status, 0, rollback.stderr)
        XCTAssertFalse(try bridgeExists())
        XCTAssertEqual(try ns.addresses()["san0"], [])
        XCTAssertEqual(try poolnet("rollback", "--netns", ns.name).status, 1, "the same apply is not reverted twice")
        let history = try poolnet("history").stdout.split(separator: "\n")
        XCTAssertEqual(history.count, 3, "\(history)")
        XCTAssertTrue(history[0].contains("apply  applied  15 changes") && history[0].contains("sha256:"), String(history[0]))
        XCTAssertTrue(history[1].contains("apply  no-op"), String(history[1]))
        XCTAssertTrue(history[2].contains("revert  reverted"), String(history[2]))
        let journal = try String(contentsOfFile: state + "/journal.jsonl", encoding: .utf8)
        XCTAssertEqual(journal.split(separator: "\n").count, 4, "intent and outcome of the apply, the no-op, the revert")
    }

    func testManagementGuard() throws {
        // eth0 carries the default route; a file that makes it a storage NIC would remove that route.
        try ns.addNIC("eth0")
        try ns.ip("link", "set", "eth0", "up")
        try ns.ip("addr", "add", "198.51.100.5/24", "dev", "eth0")
        try ns.ip("route", "add", "default", "via", "198.51.100.1", "dev", "eth0")
        let file = NSTemporaryDirectory() + "guard-\(UUID().uuidString).yaml"
        try "pool: g\nhosts: [hv01]\nstorage_nics:\n  - name: eth0\n    addresses: [\"198.51.100.5/24\"]\n".write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }

        let refused = try poolnet("apply", file, "--host", "hv01", "--netns", ns.name)
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.contains("eth0 carries the default route via 198.51.100.1"), refused.stderr)
        XCTAssertTrue(try ns.ip("route", "show", "default").contains("dev eth0"), "nothing changed")

        XCTAssertEqual(try poolnet("apply", file, "--host", "hv01", "--netns", ns.name, "--allow-disruptive").status, 2)
        XCTAssertFalse(try ns.ip("route", "show", "default").contains("dev eth0"), "with the flag it proceeds")

        // The SSH session's address is protected too: enslaving eth0 to a bridge would cut it.
        let bridged = file + ".bridge"
        try "pool: g\nhosts: [hv01]\nbridges:\n  - name: br0\n    ports: [eth0]\n".write(toFile: bridged, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: bridged) }
        let ssh = try poolnet("apply", bridged, "--host", "hv01", "--netns", ns.name,
                              env: ["SSH_CONNECTION": "203.0.113.9 50022 198.51.100.5 22"])
        XCTAssertEqual(ssh.status, 1, ssh.stdout)
        XCTAssertTrue(ssh.stderr.contains("has 198.51.100.5, where this SSH session arrived"), ssh.stderr)
    }
}

@testable import Engine
import HostState
import Logging
import Netlink
import Planner
import Storage
import Topology
import TestSupport
import XCTest

/// A change whose requests go in two kernel batches, the second never sent because the first
/// held a refusal: only part of it took effect, and it is reported so (not `applied`), and undone.
final class StraddledBatchTests: NamespaceTestCase {
    /// A foreign VXLAN already holds VNI 42 (the kernel refuses a second one, EEXIST); the pool
    /// creates vx0 with that VNI, then privbr0. Batches of 3 requests (the batch test hook):
    /// [create vx0 ✗, mark vx0 ✗, create privbr0 ✓] [mark privbr0, …: never sent].
    static let file = """
    pool: lab
    hosts: [hv01]
    vxlans:
      - name: vx0
        vni: 42
        local: 10.9.0.1
    bridges:
      - name: privbr0
        ports: [guest0]
    """

    override func setUpWithError() throws {
        try super.setUpWithError()
        try ns.addNIC("guest0")
        try ns.batch(["link add vxt type vxlan id 42 local 10.9.0.2 dstport 4789"])
    }

    func testAChangeCutBetweenTwoBatchesIsPartlyAppliedAndUndone() throws {
        let want = try desired(Self.file)
        let before = try engine.read(for: want)
        let changes = try engine.plan(want).plan.changes
        XCTAssertEqual(Array(changes.prefix(2).map(\.line)), ["+ vxlan vx0 (vni 42, local 10.9.0.1)", "+ bridge privbr0 (stp off)"])
        let keeper = engine.addressRecord(want)
        let (outcome, midway, failure) = try NetworkNamespace.run(ns.name) { () throws -> (RunOutcome, CurrentState, ApplyFailure) in
            let socket = try RouteSocket()
            var executor = Executor(socket: socket, sysctls: SysctlStore(), scratchGroup: nil)
            executor.batchPause = (requests: 3, milliseconds: 0)
            var translator = RequestTranslator(state: before)
            let outcome = try executor.run(changes, translator: &translator, stopOnError: true)
            let midway = try StateReader.readBase(using: socket)
            let context = Engine.RollbackContext(executor: executor, desired: want, before: before, keeper: keeper, logger: Logger(label: "test"))
            let failure = try Engine.rollBack(outcome.tookEffect(changes), cause: outcome.firstFailure?.cause ?? "none",
                                              partly: outcome.partlyApplied(changes), context)
            return (outcome, midway, failure)
        }
        // The read between the run and the rollback: privbr0 exists, but its mark (the request
        // after the cut) never reached the kernel.
        let bridge = try XCTUnwrap(midway.linksByName()["privbr0"], "the first batch created privbr0")
        XCTAssertNil(bridge.alias, "the second batch (privbr0's mark) was never sent")
        XCTAssertEqual(outcome.firstFailure?.errno, .EEXIST)
        guard case .failed(.kernel, partly: false) = outcome.steps[0] else { return XCTFail("vx0: \(outcome.steps[0])") }
        XCTAssertEqual(outcome.steps[1], .failed(.cutShort(step: "+ bridge privbr0 (stp off)"), partly: true),
                       "created but not marked: partly applied, not `applied`")
        XCTAssertTrue(outcome.steps.dropFirst(2).allSatisfy { $0 == .notSent }, "\(outcome.steps)")
        XCTAssertEqual(failure.partlyApplied.map(\.change.line), ["+ bridge privbr0 (stp off)"])
        XCTAssertEqual(failure.rolledBack.map(\.line), ["- bridge privbr0"])
        XCTAssertEqual(failure.notRolledBack.count, 0)
        XCTAssertEqual(failure.differences, [], "a fresh read after the rollback matches the state before")
        XCTAssertTrue("\(failure)".contains("  partly applied: + bridge privbr0 (stp off): part of it took effect, the rest was not sent"), "\(failure)")
        XCTAssertNil(try engine.read().linksByName()["privbr0"])
    }

    /// An adopted address is recorded first, then re-marked: when the record step meets a failure
    /// of the batch flushed before it, neither it nor the re-mark after it may go out.
    func testNothingOfAChangeGoesOutAfterTheRunStopped() throws {
        try ns.batch(["link add br0 type bridge", "addr add 10.0.0.1/24 dev br0"])
        let want = try desired("pool: lab\nhosts: [hv01]\nbridges:\n  - name: br0\n    addresses: [\"10.0.0.1/24\"]\n")
        var adopting = engine!
        adopting.adopt = true
        let before = try adopting.read(for: want)
        guard before.addressOwnership?.mode == .kernelMark else { throw XCTSkip("the kernel drops IFA_PROTO: no re-mark request") }
        let mark = try XCTUnwrap(try adopting.plan(want).plan.changes.first { if case .markAddress = $0.action { return true } else { return false } })
        // A request the kernel refuses (an MTU for a link that is not there), then the adoption.
        var state = before
        state.links.append(try JSONDecoder().decode(LinkState.self, from: Data(#"{"index": 2147483000, "name": "ghost0", "mtu": 1500, "up": true}"#.utf8)))
        let ghost = Change(.setMTU(link: "ghost0", mtu: 1400, previous: 1500))
        let keeper = engine.addressRecord(want)
        let outcome = try NetworkNamespace.run(ns.name) { () throws -> RunOutcome in
            var executor = Executor(socket: try RouteSocket(), sysctls: SysctlStore(), scratchGroup: nil)
            executor.addressRecord = keeper
            var translator = RequestTranslator(state: state)
            return try executor.run([ghost, mark], translator: &translator, stopOnError: true)
        }
        XCTAssertNotNil(outcome.firstFailure?.errno)
        XCTAssertEqual(outcome.steps[1], .notSent)
        let address = try XCTUnwrap(try engine.read().addresses.first { $0.link == "br0" && $0.prefix.description == "10.0.0.1/24" })
        XCTAssertNotEqual(address.proto, Ownership.addressProtocol, "the re-mark was sent after the run had stopped")
        XCTAssertNil(OwnershipRecord.read(engine.storageRoots.ownership).pools[keeper.pool], "nor was it recorded")
    }
}

/// A change of remote VTEPs is one request per remote: cut between two batches, part of the
/// remotes are in the kernel. Its rollback removes those there, not the ones never added (for
/// which the kernel answers ENOENT, and the rollback reported the step NOT undone).
final class StraddledRemotesTests: NamespaceTestCase {
    func testRemotesCutBetweenTwoBatchesAreUndone() throws {
        try ns.addNIC("guest0")
        // lo cannot be a bridge port: refused in the first batch, before vx0's three remotes.
        let want = try desired("""
        pool: lab
        hosts:
          hv01: { index: 1 }
          hv02: { index: 2 }
          hv03: { index: 3 }
          hv04: { index: 4 }
        bridges:
          - name: privbr0
            ports: [guest0, lo]
        vxlans:
          - name: vx0
            vni: 10
            local: "10.9.0.${index}"
        """)
        let before = comparable(try snapshot())
        let remotes = "~ vx0: remote VTEPs none → 10.9.0.2 10.9.0.3 10.9.0.4"
        XCTAssertTrue(try engine.plan(want).plan.changes.map(\.line).contains(remotes))
        // Every batch size the plan's requests allow: at some, the cut falls between the remotes.
        var cut = 0
        for size in 1...12 {
            var batched = engine!
            batched.batchPause = (requests: size, milliseconds: 0)
            XCTAssertThrowsError(try batched.apply(want), "batches of \(size)") { error in
                guard let failure = error as? ApplyFailure else { return XCTFail("\(error)") }
                XCTAssertEqual(failure.stepError?.errno, .EINVAL, "\(failure)")
                XCTAssertEqual(failure.notRolledBack.count, 0, "batches of \(size): \(failure)")
                XCTAssertEqual(failure.differences, [], "batches of \(size): \(failure)")
                if failure.partlyApplied.contains(where: { $0.change.line == remotes }) { cut += 1 }
            }
            XCTAssertEqual(comparable(try snapshot()), before, "batches of \(size)")
        }
        XCTAssertGreaterThan(cut, 0, "no batch size cut the remotes in two")
    }

    /// The socket's own batches (96 KB each, no test hook): a change of 2,500 remote VTEPs is one
    /// request per remote, more than one batch. A refusal in the first batch stops the second, so
    /// the kernel holds only part of the remotes: the change is partly applied, and the rollback
    /// removes exactly those the kernel has.
    func testTheSocketsOwnBatchBoundaryCutsAChange() throws {
        try ns.batch(["link add vx0 type vxlan id 10 local 10.9.0.1 dstport 4789"])
        let want = try desired("pool: lab\nhosts: [hv01]\nvxlans:\n  - name: vx0\n    vni: 10\n    local: 10.9.0.1\n")
        let before = try engine.read(for: want)
        var withGhost = before
        withGhost.links.append(try JSONDecoder().decode(LinkState.self, from: Data(#"{"index": 2147483000, "name": "ghost0", "mtu": 1500, "up": true}"#.utf8)))
        let remotes = (0..<2500).map { "10.\(100 + $0 / 250).\($0 % 250).1" }
        let changes = [Change(.setMTU(link: "ghost0", mtu: 1400, previous: 1500)),  // refused: no such link
                       Change(.setVXLANRemotes(link: "vx0", remotes: remotes, previous: []))]
        let keeper = engine.addressRecord(want)
        func remotesInTheKernel() throws -> Int {
            try runProcess(["ip", "netns", "exec", ns.name, "bridge", "fdb", "show", "dev", "vx0"]).stdout
                .split(separator: "\n").filter { $0.contains(" dst ") }.count
        }
        let socket = try NetworkNamespace.run(ns.name) { try RouteSocket() }
        let executor = Executor(socket: socket, sysctls: SysctlStore(), scratchGroup: nil)
        let outcome = try NetworkNamespace.run(ns.name) { () throws -> RunOutcome in
            var translator = RequestTranslator(state: withGhost)
            return try executor.run(changes, translator: &translator, stopOnError: true)
        }
        let midway = try remotesInTheKernel()
        XCTAssertTrue(midway > 0 && midway < remotes.count, "the first batch added \(midway) of \(remotes.count) remotes")
        XCTAssertNotNil(outcome.firstFailure?.errno)
        XCTAssertEqual(outcome.steps[1], .failed(.cutShort(step: "~ vx0: remote VTEPs none → \(remotes.joined(separator: " "))"), partly: true))
        let failure = try NetworkNamespace.run(ns.name) { () throws -> ApplyFailure in
            let context = Engine.RollbackContext(executor: executor, desired: want, before: before, keeper: keeper, logger: Logger(label: "test"))
            return try Engine.rollBack(outcome.tookEffect(changes), cause: "test", partly: outcome.partlyApplied(changes), context)
        }
        XCTAssertEqual(failure.notRolledBack.count, 0, "\(failure)")
        XCTAssertEqual(failure.differences, [], "\(failure)")
        XCTAssertEqual(try remotesInTheKernel(), 0)
    }
}

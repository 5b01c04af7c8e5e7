@testable import Engine
import Foundation
import HostState
import Netlink
import Planner
import Storage
import SystemCalls
import XCTest

/// The executor's typed outcome per change (applied, failed with a typed error, not sent), and the
/// texts those errors print, which stay what they were when failures travelled as strings.
final class StepOutcomeTests: XCTestCase {
    // MARK: the types

    func testAKernelErrorCarriesItsErrnoByNameAndTheAckText() {
        let refused = NetlinkError(operation: "set eth1 mtu 9000", errno: 22, kernelMessage: "MTU greater than device maximum")
        let error = StepError.kernel(refused)
        XCTAssertEqual(error.errno, .EINVAL)
        XCTAssertEqual(error.errno?.name, "EINVAL")
        XCTAssertEqual(error.kernelMessage, "MTU greater than device maximum")
        XCTAssertEqual(error.description, "set eth1 mtu 9000: Invalid argument (errno 22); kernel: MTU greater than device maximum")
        XCTAssertEqual(error.cause, error.description)
        XCTAssertEqual(StepError.kernel(NetlinkError(operation: "add link br0", errno: .EEXIST)).description, "add link br0: File exists (errno 17)")
    }

    func testOtherErrorsPrintAsTheirStringsDid() {
        let host = StepError.host(step: "~ eth1: net.ipv4.conf.eth1.rp_filter 0 → 2", reason: "write net.ipv4.conf.eth1.rp_filter: cannot open")
        XCTAssertEqual(host.description, "~ eth1: net.ipv4.conf.eth1.rp_filter 0 → 2: write net.ipv4.conf.eth1.rp_filter: cannot open")
        XCTAssertNil(host.errno)
        // Beside its step the reason alone; as an apply's cause it names the change.
        let missing = StepError.untranslatable(change: "eth9: mtu 1500 → 9000", reason: "interface eth9 does not exist")
        XCTAssertEqual(missing.description, "interface eth9 does not exist")
        XCTAssertEqual(missing.cause, "eth9: mtu 1500 → 9000: interface eth9 does not exist")
        XCTAssertEqual(StepError.injected(step: "~ eth1: mtu 1500 → 9000").description, "~ eth1: mtu 1500 → 9000: injected failure (test hook)")
    }

    /// A change is applied when all of it went through, failed (partly, when some of it did) with
    /// its first error, and not sent until something of it runs.
    func testAnOutcomeTalliesEachChange() {
        let first = StepError.injected(step: "a"), second = StepError.injected(step: "b")
        var run = RunOutcome(count: 5)
        XCTAssertEqual(run.steps, Array(repeating: .notSent, count: 5))
        run.tookEffect(0)
        run.tookEffect(1); run.failed(1, first)   // first request went through, second refused
        run.failed(2, second); run.tookEffect(2)  // merged request the kernel half-did
        run.failed(3, second); run.failed(3, first)
        XCTAssertEqual(run.steps, [.applied, .failed(first, partly: true), .failed(second, partly: true), .failed(second, partly: false), .notSent])
        XCTAssertEqual(run.firstFailure, first, "the first failure met, not the last")
        XCTAssertEqual(run.tookEffect(["a", "b", "c", "d", "e"]), ["a", "b", "c"])
        XCTAssertEqual(run.steps.map(\.tookEffect), [true, true, true, false, false])
    }

    /// A change stopped partway: failed partly when some of it took effect (never `applied`),
    /// still not sent when nothing of it did; the run's first failure stays the one met first.
    func testACutShortChangeIsPartlyAppliedOnlyWhenSomeOfItRan() {
        let refused = StepError.injected(step: "a")
        var run = RunOutcome(count: 3)
        run.failed(0, refused)
        run.tookEffect(1); run.cutShort(1, step: "+ bridge br1")
        run.cutShort(2, step: "+ bridge br2")
        XCTAssertEqual(run.steps, [.failed(refused, partly: false), .failed(.cutShort(step: "+ bridge br1"), partly: true), .notSent])
        XCTAssertEqual(run.firstFailure, refused)
        XCTAssertEqual(run.partlyApplied(["a", "b", "c"]).map(\.0), ["b"])
        XCTAssertEqual(StepError.cutShort(step: "+ bridge br1").description,
                       "part of it took effect, the rest was not sent (the run stopped at an earlier failure)")
        XCTAssertEqual(StepError.cutShort(step: "+ bridge br1").cause,
                       "+ bridge br1: part of it took effect, the rest was not sent (the run stopped at an earlier failure)")
    }

    // MARK: a real run: sysctls under a scratch root, netlink requests to an ifindex no link has

    var root: String!

    override func setUpWithError() throws {
        root = NSTemporaryDirectory() + "step-outcome-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root + "/net/ipv4/conf/eth1", withIntermediateDirectories: true)
        try Data("0\n".utf8).write(to: URL(fileURLWithPath: root + "/net/ipv4/conf/eth1/rp_filter"))
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: root)
    }

    /// `ghost0` and `ghost1` are known to the translator under ifindexes no link has: the kernel
    /// refuses them (ENODEV, or EPERM without CAP_NET_ADMIN) and nothing on this host changes.
    static let state = try! JSONDecoder().decode(CurrentState.self, from: Data(#"""
        { "links": [ { "index": 2147483000, "name": "ghost0", "mtu": 1500, "up": true },
                     { "index": 2147483001, "name": "ghost1", "mtu": 1500, "up": true } ], "addresses": [] }
        """#.utf8))

    let sysctl = Change(.setSysctl(key: SysctlKey(.ipv4, "eth1", "rp_filter"), value: 2, previous: 0))
    let missingSysctl = Change(.setSysctl(key: SysctlKey(.ipv4, "eth9", "rp_filter"), value: 2, previous: 0))
    let ghost0 = Change(.setMTU(link: "ghost0", mtu: 1400, previous: 1500))
    let ghost1 = Change(.setMTU(link: "ghost1", mtu: 1400, previous: 1500))

    func run(_ changes: [Change], stopOnError: Bool, oneRequestPerBatch: Bool = false, failAt: Int? = nil) throws -> RunOutcome {
        var executor = Executor(socket: try RouteSocket(), sysctls: SysctlStore(root: root), scratchGroup: nil)
        if oneRequestPerBatch { executor.batchPause = (requests: 1, milliseconds: 0) }
        var translator = RequestTranslator(state: Self.state)
        return try executor.run(changes, translator: &translator, stopOnError: stopOnError, failAt: failAt)
    }

    func assertRefusedByTheKernel(_ outcome: StepOutcome, _ line: UInt = #line) {
        guard case .failed(.kernel(let error), partly: false) = outcome else { return XCTFail("not a kernel refusal: \(outcome)", line: line) }
        XCTAssertTrue([Errno.ENODEV, .EPERM].contains(error.errno), "errno \(error.errno.name)", line: line)
        XCTAssertTrue(error.description.hasPrefix("~ ghost"), error.description, line: line)
    }

    func testARunStopsAtTheFirstFailureAndWhatFollowsIsNotSent() throws {
        let outcome = try run([sysctl, ghost0, ghost1, sysctl], stopOnError: true, oneRequestPerBatch: true)
        XCTAssertEqual(outcome.steps[0], .applied)
        assertRefusedByTheKernel(outcome.steps[1])
        XCTAssertEqual(outcome.steps[2], .notSent, "its batch never left: not a failure, no errno")
        XCTAssertEqual(outcome.steps[3], .notSent)
        XCTAssertEqual(outcome.firstFailure, outcome.steps[1].error)
        XCTAssertEqual(String(decoding: try XCTUnwrap(FileManager.default.contents(atPath: root + "/net/ipv4/conf/eth1/rp_filter")), as: UTF8.self), "2\n")
    }

    /// In one batch the kernel answers every request, so both refusals are reported.
    func testEveryRequestOfABatchGetsItsOwnAnswer() throws {
        let outcome = try run([ghost0, ghost1], stopOnError: true)
        assertRefusedByTheKernel(outcome.steps[0])
        assertRefusedByTheKernel(outcome.steps[1])
    }

    /// A rollback runs every step whatever fails: each change gets its own outcome.
    func testWithoutStoppingEveryChangeRunsAndFailsOnItsOwn() throws {
        let absent = Change(.setMTU(link: "eth9", mtu: 9000, previous: 1500))
        let outcome = try run([ghost0, missingSysctl, absent, sysctl], stopOnError: false)
        assertRefusedByTheKernel(outcome.steps[0])
        guard case .failed(.host(let step, let reason), partly: false) = outcome.steps[1] else { return XCTFail("\(outcome.steps[1])") }
        XCTAssertEqual(step, "~ eth9: net.ipv4.conf.eth9.rp_filter 0 → 2")
        XCTAssertTrue(reason.hasPrefix("write net.ipv4.conf.eth9.rp_filter: cannot open \(root!)/net/ipv4/conf/eth9/rp_filter"), reason)
        XCTAssertEqual(outcome.steps[2], .failed(.untranslatable(change: absent.action.summary, reason: "interface eth9 does not exist"), partly: false))
        XCTAssertEqual(outcome.steps[3], .applied)
        XCTAssertEqual(outcome.firstFailure, outcome.steps[0].error)
    }

    func testAnInjectedFailureStopsTheRunBeforeItsStep() throws {
        let outcome = try run([sysctl, ghost0, ghost1], stopOnError: true, failAt: 1)
        XCTAssertEqual(outcome.steps, [.applied, .failed(.injected(step: "~ \(ghost0.action.summary)"), partly: false), .notSent])
        XCTAssertEqual(outcome.firstFailure?.cause, "~ \(ghost0.action.summary): injected failure (test hook)")
    }
}

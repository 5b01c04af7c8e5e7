@testable import Engine
import HostState
import Logging
import Netlink
import Planner
import Storage
import Topology
import TestSupport
import XCTest

/// An enslave and the port's ownership mark go to the kernel as one RTM_NEWLINK.
final class MergedRequestTests: NamespaceTestCase {
    /// On the kernel: the port ends up enslaved and marked, by the merged request.
    func testAPortIsEnslavedAndMarkedInOneRequest() throws {
        try addDemoNICs()
        let plan = try engine.apply(try desired(Self.pool))
        let lines = plan.changes.map(\.line)
        let enslave = try XCTUnwrap(lines.firstIndex(of: "~ guest0: port of privbr0"))
        XCTAssertEqual(lines[enslave + 1], "~ guest0: alias none → \"poolnet:lab:port\"", "adjacent, so they merge")
        let guest = try XCTUnwrap(try ns.links()["guest0"])
        XCTAssertEqual(guest["master"] as? String, "privbr0")
        XCTAssertEqual(guest["ifalias"] as? String, "poolnet:lab:port")
    }

    /// The kernel sets the alias before the master within one RTM_NEWLINK, so a merged request that
    /// fails on the enslave has still marked the port. Rollback must undo both halves.
    func testAHalfAppliedMergedRequestIsRolledBackWhole() throws {
        // lo cannot be a bridge port (br_add_if refuses loopback): the enslave fails, on purpose.
        try ns.batch(["link add br0 type bridge"])
        let before = try engine.read()
        let keeper = engine.addressRecord(DesiredState(pool: "lab", host: "hv01"))
        let changes = [Change(.setMaster(link: "lo", master: "br0", previous: nil)),
                       Change(.setAlias(link: "lo", alias: "poolnet:lab:port", previous: nil))]
        let (outcome, midway, failure) = try NetworkNamespace.run(ns.name) { () throws -> (RunOutcome, CurrentState, ApplyFailure?) in
            let socket = try RouteSocket()
            let executor = Executor(socket: socket, sysctls: SysctlStore(), scratchGroup: nil)
            var translator = RequestTranslator(state: before)
            let outcome = try executor.run(changes, translator: &translator, stopOnError: true)
            let midway = try StateReader.readBase(using: socket)
            guard let cause = outcome.firstFailure?.cause else { return (outcome, midway, nil) }
            let applied = outcome.tookEffect(changes)
            let desired = DesiredState(pool: "lab", host: "hv01")
            let context = Engine.RollbackContext(executor: executor, desired: desired, before: before,
                                                 keeper: keeper, logger: Logger(label: "test"))
            let failure = try Engine.rollBack(applied, cause: cause, context)
            return (outcome, midway, failure)
        }
        XCTAssertNotNil(outcome.firstFailure?.errno, "the kernel refuses lo as a bridge port")
        XCTAssertEqual(outcome.steps.map(\.tookEffect), [true, true], "a failed merged request counts as half-applied")
        XCTAssertEqual(outcome.steps.map { if case .failed(_, let partly) = $0 { partly } else { false } }, [true, true],
                       "both changes failed with the request, each partly in effect")
        XCTAssertEqual(midway.linksByName()["lo"]?.alias, "poolnet:lab:port", "the kernel set the alias before failing")
        XCTAssertEqual(try XCTUnwrap(failure).notRolledBack.count, 0)
        XCTAssertEqual(failure?.differences, [], "a fresh read after the rollback matches the state before")
        let lo = try XCTUnwrap(try engine.read().linksByName()["lo"])
        XCTAssertNil(lo.alias, "rollback took the mark off again")
        XCTAssertNil(lo.master)
    }
}

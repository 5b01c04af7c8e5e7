@testable import Engine
import HostState
import Netlink
import Planner
import Storage
import TestSupport
import XCTest

/// Prune deletes a run of links by moving them into a scratch group and deleting the group. When
/// the kernel refuses that delete, nothing is gone and every moved link must be back in its group.
final class GroupDeleteTests: NamespaceTestCase {
    static let scratch: UInt32 = 0x706e_0001

    func deleteInOneGroup(_ names: [String]) throws -> RunOutcome {
        let before = try engine.read()
        let links = try names.map { try XCTUnwrap(before.linksByName()[$0]) }
        return try NetworkNamespace.run(ns.name) { () throws -> RunOutcome in
            let socket = try RouteSocket()
            var translator = RequestTranslator(state: before)
            let executor = Executor(socket: socket, sysctls: SysctlStore(), scratchGroup: Self.scratch)
            return try executor.run(links.map { Change(.deleteLink($0)) }, translator: &translator, stopOnError: true)
        }
    }

    func testARefusedGroupDeletePutsTheLinksBack() throws {
        // The kernel refuses a group delete (EOPNOTSUPP) when the group holds a device it cannot
        // delete, such as lo: that is the failure, made on purpose.
        try ns.batch(["link add br0 type bridge", "link add br1 type bridge", "link set br1 group 7",
                      "link set lo group \(Self.scratch)"])
        let outcome = try deleteInOneGroup(["br0", "br1"])
        XCTAssertEqual(outcome.steps.map(\.tookEffect), [false, false], "nothing counts as applied")
        XCTAssertEqual(outcome.steps.map(\.error?.errno), [.EOPNOTSUPP, .EOPNOTSUPP], "both failed, with the kernel's errno")
        XCTAssertTrue(outcome.firstFailure?.description.contains("not supported") ?? false, outcome.firstFailure?.description ?? "no failure")

        let after = try engine.read().linksByName()
        XCTAssertEqual(after["br0"]?.group, 0, "back in its own group")
        XCTAssertEqual(after["br1"]?.group, 7, "back in its own group")
        XCTAssertEqual(after["lo"]?.group, Self.scratch, "a link poolnet did not move is left alone")
    }

    func testAGroupDeleteRemovesExactlyTheRun() throws {
        try ns.batch(["link add br0 type bridge", "link add br1 type bridge", "link add keep type bridge"])
        let outcome = try deleteInOneGroup(["br0", "br1"])
        XCTAssertNil(outcome.firstFailure)
        XCTAssertEqual(outcome.steps, [.applied, .applied])
        let after = try engine.read().linksByName()
        XCTAssertNil(after["br0"])
        XCTAssertNil(after["br1"])
        XCTAssertEqual(after["keep"]?.group, 0)
    }
}

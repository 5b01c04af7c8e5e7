import Engine
import HostState
import Planner
import TestSupport
import XCTest

final class RollbackTests: NamespaceTestCase {
    /// Fails step k for every k of a multi-step plan; the live state must equal the state before.
    func testFailureAtEveryStepRestoresTheHost() throws {
        try addDemoNICs()
        // Start from a state with something to delete too: an owned bridge the file drops.
        try engine.apply(try desired("""
        pool: lab
        hosts: [hv01]
        bridges:
          - name: oldbr
            stp: true
            ports: [san1]
            addresses: ["198.51.100.1/24"]
        """))
        let want = try desired(Self.pool)
        let before = try snapshot()
        let steps = try engine.plan(want).plan.changes.count
        XCTAssertGreaterThan(steps, 10)

        for k in 0..<steps {
            var faulty = engine!
            faulty.failStep = k
            XCTAssertThrowsError(try faulty.apply(want), "step \(k)") { error in
                guard let failure = error as? ApplyFailure else { return XCTFail("\(error)") }
                XCTAssertEqual(failure.rolledBack.count, k, "step \(k)")
                XCTAssertTrue(failure.notRolledBack.isEmpty, "step \(k): \(failure)")
                XCTAssertEqual(failure.differences, [], "step \(k): a fresh read proves the host is back: \(failure)")
            }
            XCTAssertEqual(comparable(try snapshot()), comparable(before), "state after failing step \(k)")
        }
        // And without a fault it goes through.
        try engine.apply(want)
        XCTAssertEqual(try engine.plan(want).plan.changes, [])
    }

    /// A real kernel refusal (enslaving the loopback device) in the middle of a plan.
    func testKernelRefusalRollsBack() throws {
        try addDemoNICs()
        let before = try snapshot()
        let want = try desired("""
        pool: lab
        hosts: [hv01]
        storage_nics:
          - name: san0
            mtu: 9000
            addresses: ["192.0.2.11/24"]
        bridges:
          - name: privbr0
            ports: [guest0, lo]
        """)
        XCTAssertThrowsError(try engine.apply(want)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("lo: port of privbr0"), text)
            XCTAssertTrue(text.contains("the host is as it was before"), text)
            // The cause, typed: the kernel's refusal with its errno (br_add_if refuses loopback).
            XCTAssertEqual((error as? ApplyFailure)?.stepError?.errno, .EINVAL, text)
        }
        XCTAssertEqual(comparable(try snapshot()), comparable(before))
    }
}

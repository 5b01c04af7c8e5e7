import Engine
import HostState
import Planner
import TestSupport
import XCTest

/// With promote_secondaries 0 (the default in a new namespace) the kernel deletes every secondary
/// IPv4 address of a subnet with its primary. Removing one of poolnet's addresses must never take
/// another address with it, whoever added it and in whichever order.
final class SecondaryAddressTests: NamespaceTestCase {
    func file(_ addresses: [String]) -> String {
        """
        pool: lab
        hosts: [hv01]
        storage_nics:
          - name: san0
            addresses: [\(addresses.map { "\"\($0)\"" }.joined(separator: ", "))]
        """
    }

    func promote(_ link: String) throws -> String {
        try must("ip", "netns", "exec", ns.name, "sysctl", "-n", "net.ipv4.conf.\(link).promote_secondaries")
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func addresses(_ link: String) throws -> Set<String> { Set(try ns.addresses()[link] ?? []) }

    /// The plan turns promote_secondaries on right before the removal, and apply keeps the others.
    func assertRemovalKeepsOthers(remaining file: String, removed: String, kept: Set<String>,
                                  line: UInt = #line) throws {
        let plan = try engine.plan(try desired(file)).plan
        let lines = plan.changes.map(\.line)
        let promoteAt = try XCTUnwrap(lines.firstIndex { $0.contains("net.ipv4.conf.san0.promote_secondaries") }, plan.renderPlan(), line: line)
        let removeAt = try XCTUnwrap(lines.firstIndex { $0.contains("- san0: address \(removed)") || ($0.hasPrefix("-") && $0.contains(removed)) },
                                     plan.renderPlan(), line: line)
        XCTAssertLessThan(promoteAt, removeAt, "promote_secondaries goes on before the removal", line: line)
        try engine.apply(try desired(file))
        XCTAssertEqual(try addresses("san0").intersection(kept.union([removed])), kept, line: line)
        XCTAssertEqual(try promote("san0"), "1", line: line)
        XCTAssertEqual(try engine.plan(try desired(file)).plan.changes, [], "converged", line: line)
    }

    /// Hand-added addresses after poolnet's: poolnet's is the primary, theirs the secondaries.
    func testForeignSecondariesAddedAfterOursSurviveItsRemoval() throws {
        try addDemoNICs()
        try engine.apply(try desired(file(["192.0.2.11/24"])))
        try ns.ip("addr", "add", "192.0.2.50/24", "dev", "san0")
        try ns.ip("addr", "add", "192.0.2.51/24", "dev", "san0")
        XCTAssertEqual(try promote("san0"), "0", "a new namespace starts with promote_secondaries off")
        try assertRemovalKeepsOthers(remaining: file([]), removed: "192.0.2.11/24", kept: ["192.0.2.50/24", "192.0.2.51/24"])
    }

    /// Hand-added address first: poolnet's is a secondary; removing it must not disturb the primary.
    func testForeignPrimaryAddedBeforeOursSurvives() throws {
        try addDemoNICs()
        try ns.ip("addr", "add", "192.0.2.50/24", "dev", "san0")
        try engine.apply(try desired(file(["192.0.2.11/24"])))
        try ns.ip("addr", "add", "192.0.2.51/24", "dev", "san0")
        try assertRemovalKeepsOthers(remaining: file([]), removed: "192.0.2.11/24", kept: ["192.0.2.50/24", "192.0.2.51/24"])
    }

    /// Two of poolnet's own in one subnet: dropping the primary keeps the other, and verifies.
    func testDroppingOneOfTwoOwnAddressesKeepsTheOther() throws {
        try addDemoNICs()
        try engine.apply(try desired(file(["192.0.2.11/24", "192.0.2.12/24"])))
        try assertRemovalKeepsOthers(remaining: file(["192.0.2.12/24"]), removed: "192.0.2.11/24", kept: ["192.0.2.12/24"])
    }

    /// promote_secondaries already on (link or `all`): no step, nothing lost.
    func testNoStepWhenTheKernelAlreadyPromotes() throws {
        try addDemoNICs()
        try engine.apply(try desired(file(["192.0.2.11/24"])))
        try ns.ip("addr", "add", "192.0.2.50/24", "dev", "san0")
        try must("ip", "netns", "exec", ns.name, "sysctl", "-qw", "net.ipv4.conf.all.promote_secondaries=1")
        let plan = try engine.plan(try desired(file([]))).plan
        XCTAssertFalse(plan.renderPlan().contains("promote_secondaries"), plan.renderPlan())
        try engine.apply(try desired(file([])))
        XCTAssertEqual(try addresses("san0").filter { !$0.hasPrefix("fe80") }, ["192.0.2.50/24"])
    }

    /// IPv6 has no primaries and secondaries: no step, and the other address stays.
    func testIPv6IsUnaffected() throws {
        try addDemoNICs()
        try engine.apply(try desired(file(["2001:db8::11/64"])))
        try ns.ip("addr", "add", "2001:db8::50/64", "dev", "san0", "nodad")
        let plan = try engine.plan(try desired(file([]))).plan
        XCTAssertFalse(plan.renderPlan().contains("promote_secondaries"), plan.renderPlan())
        XCTAssertTrue(plan.renderPlan().contains("2001:db8::11/64"), plan.renderPlan())
        try engine.apply(try desired(file([])))
        XCTAssertTrue(try addresses("san0").contains("2001:db8::50/64"))
        XCTAssertFalse(try addresses("san0").contains("2001:db8::11/64"))
    }

    /// Rollback of a plan with the step: the address comes back, then promote_secondaries goes off.
    func testRollbackRestoresTheAddressAndTheSysctl() throws {
        try addDemoNICs()
        try engine.apply(try desired(file(["192.0.2.11/24"])))
        try ns.ip("addr", "add", "192.0.2.50/24", "dev", "san0")
        let before = try snapshot()
        var faulty = engine!
        let steps = try engine.plan(try desired(file(["198.51.100.11/24"]))).plan.changes
        XCTAssertTrue(steps.map(\.line).contains { $0.contains("promote_secondaries") })
        faulty.failStep = steps.count - 1
        XCTAssertThrowsError(try faulty.apply(try desired(file(["198.51.100.11/24"])))) { error in
            guard let failure = error as? ApplyFailure else { return XCTFail("\(error)") }
            XCTAssertEqual(failure.differences, [], "\(failure)")
            XCTAssertTrue("\(failure)".contains("the host is as it was before"), "\(failure)")
        }
        XCTAssertEqual(try snapshot().ignoringKernelChosenFields, before.ignoringKernelChosenFields)
        XCTAssertEqual(try promote("san0"), "0")
    }

    /// The safety net under all this: an address the kernel drops as a side effect of a step (an
    /// MTU below 1280 takes every IPv6 address off a link) fails verification, is named, and the
    /// rollback puts it back with its protocol.
    func testAnAddressLostAsASideEffectFailsVerificationAndComesBack() throws {
        try addDemoNICs()
        try ns.ip("link", "set", "san0", "up")
        try ns.ip("addr", "add", "2001:db8::50/64", "dev", "san0", "nodad")
        let low = """
        pool: lab
        hosts: [hv01]
        storage_nics:
          - name: san0
            mtu: 1200
        """
        XCTAssertThrowsError(try engine.apply(try desired(low))) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("addresses gone that the plan did not remove"), text)
            XCTAssertTrue(text.contains("2001:db8::50/64 on san0 (proto 0)"), text)
            XCTAssertTrue(text.contains("the host is as it was before"), text)
        }
        let back = try engine.read().addresses.first { $0.link == "san0" && $0.prefix.description == "2001:db8::50/64" }
        XCTAssertEqual(back?.proto, 0, "re-added with its own protocol (none), not poolnet's")
        XCTAssertEqual(try ns.links()["san0"]?["mtu"] as? Int, 1500)
    }
}

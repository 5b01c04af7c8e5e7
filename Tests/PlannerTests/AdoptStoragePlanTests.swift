import Foundation
import HostState
import Planner
import Topology
import XCTest

/// Adoption of storage objects made by hand (golden cases adopt-iscsi-iface, adopt-fc-vport): an
/// iSCSI iface or NPIV vport that exists exactly as declared but is not in poolnet's ownership
/// record. Without --adopt the plan is empty, `unowned` names it, and dropping it from the file
/// leaves it alone; with --adopt one record-only step (its inverse un-records), after which
/// dropping it from the file prunes it.
final class AdoptStoragePlanTests: XCTestCase {
    func golden(_ name: String) throws -> (desired: DesiredState, current: CurrentState) {
        let c = try XCTUnwrap(try GoldenPlanTests.cases().first { $0.name == name })
        return (c.desired, c.current)
    }

    func testHandMadeIfaceIsReportedAdoptedByTheRecordAloneThenPruned() throws {
        let (desired, current) = try golden("adopt-iscsi-iface")
        XCTAssertEqual(Planner.plan(desired: desired, current: current).changes, [], "matched as it is without --adopt")
        XCTAssertEqual(Planner.unowned(desired: desired, current: current).map(\.object), ["iscsi iface san-b"],
                       "san-a is already poolnet's; `handmade` is not declared")

        var dropped = desired
        dropped.iscsi!.paths.removeAll { $0.iface == "san-b" }
        let unadopted = Planner.plan(desired: dropped, current: current)
        XCTAssertFalse(unadopted.changes.contains { if case .storage(.deleteIface) = $0.action { return true } else { return false } },
                       "an iface poolnet does not own is never deleted:\n\(unadopted.renderPlan())")

        let plan = Planner.plan(desired: desired, current: current, adopt: true)
        XCTAssertEqual(plan.changes.map(\.action), [.storage(.markIface(name: "san-b", owned: true))])
        XCTAssertEqual(plan.changes[0].inverse.action, .storage(.markIface(name: "san-b", owned: false)))
        XCTAssertEqual(plan.changes[0].action.isInEffect(in: current), false)

        let after = Simulator.apply(plan.changes.map(\.action), to: current)
        XCTAssertEqual(after.iscsi?.ifaces, current.iscsi?.ifaces, "adoption changes no iface")
        XCTAssertEqual(after.iscsi?.ownedIfaces, ["san-a", "san-b"])
        XCTAssertEqual(plan.changes[0].action.isInEffect(in: after), true, "the record holds the adoption")
        XCTAssertEqual(plan.changes[0].inverse.action.isInEffect(in: after), false)
        XCTAssertEqual(Planner.plan(desired: desired, current: after, adopt: true).changes, [])
        XCTAssertEqual(Planner.unowned(desired: desired, current: after).map(\.object), [])

        let pruned = Planner.plan(desired: dropped, current: after).changes.map(\.line)
        XCTAssertTrue(pruned.contains("- iscsi iface san-b (nic stor1)"), pruned.joined(separator: "\n"))
        XCTAssertTrue(pruned.contains { $0.hasPrefix("- iscsi session") && $0.contains("on san-b") }, pruned.joined(separator: "\n"))
    }

    func testHandMadeVPortIsReportedAdoptedByTheRecordAloneThenPruned() throws {
        let (desired, current) = try golden("adopt-fc-vport")
        let wwpn = try WWN.parse("c05076000a000001").get()
        XCTAssertEqual(Planner.plan(desired: desired, current: current).changes, [], "matched as it is without --adopt")
        XCTAssertEqual(Planner.unowned(desired: desired, current: current).map(\.object), ["fc vport fab-a (wwpn \(wwpn) on host6)"])

        var dropped = desired
        dropped.vports.removeAll { $0.name == "fab-a" }
        XCTAssertEqual(Planner.plan(desired: dropped, current: current).changes, [], "a vport poolnet does not own is never deleted")

        let plan = Planner.plan(desired: desired, current: current, adopt: true)
        guard case .storage(.markVPort(let port, "host6", true))? = plan.changes.first?.action, plan.changes.count == 1 else {
            return XCTFail(plan.renderPlan())
        }
        XCTAssertEqual(port.wwpn, wwpn)
        XCTAssertEqual(plan.changes[0].action.isInEffect(in: current), false)
        let after = Simulator.apply(plan.changes.map(\.action), to: current)
        XCTAssertEqual(after.fc?.vports, current.fc?.vports, "adoption changes no vport")
        XCTAssertEqual(after.fc?.ownedVPorts.contains(wwpn), true)
        XCTAssertEqual(plan.changes[0].action.isInEffect(in: after), true)
        XCTAssertEqual(Planner.plan(desired: desired, current: after, adopt: true).changes, [])
        let undone = Simulator.apply([plan.changes[0].inverse.action], to: after)
        XCTAssertEqual(undone.fc?.ownedVPorts, current.fc?.ownedVPorts, "the inverse un-records it")

        XCTAssertEqual(Planner.plan(desired: dropped, current: after).changes.map(\.line),
                       ["- fc vport vport-6:0-3 (wwpn \(wwpn), wwnn c05076000b000001 on port 2100001b32a9da01) (no longer in the file)  [disruptive]"])
    }

    /// A vport holding the declared WWPN on another parent is not the declared one: not adoptable
    /// (FC+Plan reports E_WWN_DUPLICATE instead).
    func testAVPortThatDiffersIsNotAdoptable() throws {
        let (desired, read) = try golden("adopt-fc-vport")
        var current = read
        current.fc!.vports[0].parent = "host7"
        XCTAssertEqual(Planner.unowned(desired: desired, current: current).map(\.object), [])
        let plan = Planner.plan(desired: desired, current: current, adopt: true)
        XCTAssertTrue(plan.problems.contains { $0.message.hasPrefix("E_WWN_DUPLICATE") }, plan.renderPlan())
        XCTAssertFalse(plan.changes.contains { if case .storage(.markVPort) = $0.action { return true } else { return false } })
    }

    /// An iface or vport another pool on this host recorded is never taken nor touched, with or
    /// without --adopt: not listed as adoptable, no step through it (no rebinding, no logout, no
    /// record, no symbolic name), and a problem naming the other pool refuses the apply.
    func testAnotherPoolsIfaceAndVPortAreRefusedWithOrWithoutAdopt() throws {
        var (desired, current) = try golden("adopt-iscsi-iface")
        current.iscsi!.otherPoolsIfaces = ["san-b": "beta"]
        // Make the plan want changes through san-b: a different NIC and an undeclared session on it.
        let sanB = try XCTUnwrap(current.iscsi!.ifaces.firstIndex { $0.name == "san-b" })
        current.iscsi!.ifaces[sanB].netIfaceName = "other0"
        XCTAssertEqual(Planner.unowned(desired: desired, current: current).map(\.object), [])
        for adopt in [false, true] {
            let plan = Planner.plan(desired: desired, current: current, adopt: adopt)
            XCTAssertFalse(plan.changes.contains { "\($0.action)".contains("san-b") }, "adopt \(adopt):\n\(plan.renderPlan())")
            XCTAssertEqual(plan.problems.map(\.object), ["iscsi iface san-b"], "adopt \(adopt)")
            XCTAssertTrue(plan.problems[0].message.contains("pool beta"), plan.problems[0].message)
        }

        (desired, current) = try golden("adopt-fc-vport")
        let wwpn = try WWN.parse("c05076000a000001").get()
        current.fc!.otherPoolsVPorts = [wwpn: "beta"]
        desired.vports[0].symbolicName = "renamed"
        XCTAssertEqual(Planner.unowned(desired: desired, current: current).map(\.object), [])
        for adopt in [false, true] {
            let plan = Planner.plan(desired: desired, current: current, adopt: adopt)
            XCTAssertEqual(plan.changes, [], "adopt \(adopt):\n\(plan.renderPlan())")
            XCTAssertEqual(plan.problems.map(\.object), ["vport fab-a"], "adopt \(adopt)")
            XCTAssertTrue(plan.problems[0].message.contains("pool beta"), plan.problems[0].message)
        }
    }
}

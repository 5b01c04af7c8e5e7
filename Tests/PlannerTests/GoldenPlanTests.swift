import Foundation
import HostState
import Planner
import TestSupport
import Topology
import XCTest

/// One loop over Fixtures/<case>/{topology.yaml, current.json, plan.txt}. Run with
/// UPDATE_GOLDEN=1 to rewrite plan.txt files after an intended change (then review the diff).
final class GoldenPlanTests: XCTestCase {
    static let fixtures = Bundle.module.resourceURL!.appendingPathComponent("Fixtures")
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    struct Case {
        let name: String
        let desired: DesiredState
        let current: CurrentState
    }

    static func cases() throws -> [Case] {
        let names = try FileManager.default.contentsOfDirectory(atPath: fixtures.path).sorted()
        return try names.map { name in
            let dir = fixtures.appendingPathComponent(name)
            let topology = try Topology.load(path: dir.appendingPathComponent("topology.yaml").path)
            let hostFile = dir.appendingPathComponent("host")
            let host = (try? String(contentsOf: hostFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "hv01"
            let current = try JSONDecoder().decode(CurrentState.self, from: Data(contentsOf: dir.appendingPathComponent("current.json")))
            return Case(name: name, desired: try topology.resolve(host: host), current: current)
        }
    }

    func testPlansMatchGoldenFiles() throws {
        let all = try Self.cases()
        XCTAssertGreaterThanOrEqual(all.count, 9)
        for c in all {
            let rendered = Planner.plan(desired: c.desired, current: c.current).renderPlan()
            let golden = Self.fixtures.appendingPathComponent(c.name).appendingPathComponent("plan.txt")
            if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" {
                try rendered.write(to: Self.sources.appendingPathComponent(c.name).appendingPathComponent("plan.txt"), atomically: true, encoding: .utf8)
                continue
            }
            let expected = try String(contentsOf: golden, encoding: .utf8)
            XCTAssertEqual(rendered, expected, "plan for \(c.name)")
        }
    }

    /// Applying a plan (in the model) converges: planning again finds nothing.
    func testApplyThenPlanIsEmpty() throws {
        for c in try Self.cases() {
            let plan = Planner.plan(desired: c.desired, current: c.current)
            guard plan.problems.isEmpty else { continue }
            let after = Simulator.apply(plan.changes.map(\.action), to: c.current, bridgeVLANs: c.desired.managesBridgeVLANs)
            let again = Planner.plan(desired: c.desired, current: after)
            XCTAssertEqual(again.changes, [], "\(c.name) does not converge:\n\(again.renderPlan())")
        }
    }

    /// Every change carries its inverse: applying the plan and then its rollback restores the state.
    func testRollbackRestoresTheState() throws {
        for c in try Self.cases() {
            let plan = Planner.plan(desired: c.desired, current: c.current)
            let vlans = c.desired.managesBridgeVLANs
            let applied = Simulator.apply(plan.changes.map(\.action), to: c.current, bridgeVLANs: vlans)
            let restored = Simulator.apply(plan.rollback.map(\.action), to: applied, bridgeVLANs: vlans)
            // Like the reader, look only at the sysctls the file manages.
            let keys = Set(c.desired.sysctlKeysToRead)
            var a = comparable(restored), b = comparable(c.current)
            a.sysctls.removeAll { !keys.contains($0.key) }
            b.sysctls.removeAll { !keys.contains($0.key) }
            XCTAssertEqual(a, b, "rollback of \(c.name)")
        }
    }
}

import Foundation
import HostState
import Planner
import TestSupport
import Topology
import XCTest

/// One loop over Fixtures/<case>/{topology.yaml, current.json, plan.txt}; a case with a file named
/// `adopt` plans as `--adopt` does and also has plan.json (its steps as `--json` writes them). Run
/// with UPDATE_GOLDEN=1 to rewrite plan.txt and plan.json after an intended change (then review the diff).
final class GoldenPlanTests: XCTestCase {
    static let fixtures = Bundle.module.resourceURL!.appendingPathComponent("Fixtures")
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    struct Case {
        let name: String
        let desired: DesiredState
        let current: CurrentState
        /// Planned as `--adopt` does.
        let adopt: Bool

        var plan: Plan { Planner.plan(desired: desired, current: current, adopt: adopt) }
    }

    static func cases() throws -> [Case] {
        let names = try FileManager.default.contentsOfDirectory(atPath: fixtures.path).sorted()
        return try names.map { name in
            let dir = fixtures.appendingPathComponent(name)
            let topology = try Topology.load(path: dir.appendingPathComponent("topology.yaml").path)
            let hostFile = dir.appendingPathComponent("host")
            let host = (try? String(contentsOf: hostFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "hv01"
            let current = try JSONDecoder().decode(CurrentState.self, from: Data(contentsOf: dir.appendingPathComponent("current.json")))
            let adopt = FileManager.default.fileExists(atPath: dir.appendingPathComponent("adopt").path)
            return Case(name: name, desired: try topology.resolve(host: host), current: current, adopt: adopt)
        }
    }

    func testPlansMatchGoldenFiles() throws {
        let all = try Self.cases()
        XCTAssertGreaterThanOrEqual(all.count, 9)
        for c in all {
            let plan = c.plan
            let rendered = plan.renderPlan()
            let golden = Self.fixtures.appendingPathComponent(c.name).appendingPathComponent("plan.txt")
            let json = c.adopt ? try Self.stepsJSON(plan) : nil
            if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" {
                try rendered.write(to: Self.sources.appendingPathComponent(c.name).appendingPathComponent("plan.txt"), atomically: true, encoding: .utf8)
                try json?.write(to: Self.sources.appendingPathComponent(c.name).appendingPathComponent("plan.json"), atomically: true, encoding: .utf8)
                continue
            }
            let expected = try String(contentsOf: golden, encoding: .utf8)
            XCTAssertEqual(rendered, expected, "plan for \(c.name)")
            if let json {
                let expectedJSON = try String(contentsOf: Self.fixtures.appendingPathComponent(c.name).appendingPathComponent("plan.json"), encoding: .utf8)
                XCTAssertEqual(json, expectedJSON, "plan.json for \(c.name)")
            }
        }
    }

    /// A plan's steps and their rollback in the wire format (`--json`, the journal), keys sorted.
    static func stepsJSON(_ plan: Plan) throws -> String {
        struct Steps: Encodable { let changes: [Change]; let rollback: [Change] }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(Steps(changes: plan.changes, rollback: plan.rollback)), as: UTF8.self) + "\n"
    }

    /// Applying a plan (in the model) converges: planning again finds nothing.
    func testApplyThenPlanIsEmpty() throws {
        for c in try Self.cases() {
            let plan = c.plan
            guard plan.problems.isEmpty else { continue }
            let after = Simulator.apply(plan.changes.map(\.action), to: c.current, bridgeVLANs: c.desired.managesBridgeVLANs)
            let again = Planner.plan(desired: c.desired, current: after, adopt: c.adopt)
            XCTAssertEqual(again.changes, [], "\(c.name) does not converge:\n\(again.renderPlan())")
        }
    }

    /// Every change carries its inverse: applying the plan and then its rollback restores the state.
    func testRollbackRestoresTheState() throws {
        for c in try Self.cases() {
            let plan = c.plan
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

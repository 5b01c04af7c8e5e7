import Foundation
import Planner
import XCTest

/// `--json` shows every action as docs/json-schema/plan.json documents it: one key naming the
/// step, named arguments, never Swift's positional `_0`. Checked over every golden fixture's plan
/// and its rollback, so every step kind the fixtures plan (links, iSCSI, multipath, FC) is covered.
final class ActionJSONTests: XCTestCase {
    static let schema = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../docs/json-schema/plan.json").standardized

    func testEveryPlannedActionHasItsDocumentedShape() throws {
        let schema = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.schema)) as! [String: Any]
        let action = (schema["$defs"] as! [String: Any])["action"] as! [String: Any]
        let steps = action["properties"] as! [String: [String: Any]]
        let storageSteps = steps["storage"]!["properties"] as! [String: [String: Any]]
        var seen = Set<String>()
        for c in try GoldenPlanTests.cases() {
            let plan = Planner.plan(desired: c.desired, current: c.current)
            for change in plan.changes + plan.rollback {
                let json = String(decoding: try JSONEncoder().encode(ActionJSON.value(change.action)), as: UTF8.self)
                XCTAssertFalse(json.contains("\"_0\""), "\(c.name): \(change.line): \(json)")
                guard case .object(let top) = ActionJSON.value(change.action), top.count == 1, let (step, value) = top.first else {
                    XCTFail("\(c.name): \(change.line): not one key: \(json)"); continue
                }
                var (name, body, documented) = (step, value, steps[step])
                if step == "storage", case .object(let inner) = value, inner.count == 1, let (storageStep, storageBody) = inner.first {
                    (name, body, documented) = (storageStep, storageBody, storageSteps[storageStep])
                }
                seen.insert(name)
                guard let documented else { XCTFail("\(c.name): step \(name) is not in plan.json: \(json)"); continue }
                guard case .object(let fields) = body else { XCTFail("\(c.name): \(name) is no object: \(json)"); continue }
                for field in documented["required"] as? [String] ?? [] {
                    XCTAssertNotNil(fields[field], "\(c.name): \(name) lacks \(field): \(json)")
                }
            }
        }
        XCTAssertTrue(seen.isSuperset(of: ["createLink", "deleteLink", "setMaster", "addAddress", "createIface", "login", "createVPort"]), "\(seen.sorted())")
    }
}

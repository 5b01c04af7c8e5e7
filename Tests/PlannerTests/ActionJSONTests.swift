import Foundation
import Planner
import XCTest

/// `--json` shows every action as docs/json-schema/plan.json documents it: an object whose "op"
/// names the step (one of the documented ones), named fields, never Swift's positional `_0`.
/// Checked over every golden fixture's plan and its rollback, so every step kind the fixtures plan
/// (links, iSCSI, multipath, FC) is covered.
final class ActionJSONTests: XCTestCase {
    static let schema = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../docs/json-schema/plan.json").standardized

    func testEveryPlannedActionHasItsDocumentedShape() throws {
        let schema = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.schema)) as! [String: Any]
        let change = ((schema["$defs"] as! [String: Any])["change"] as! [String: Any])["properties"] as! [String: Any]
        let action = (change["action"] as! [String: Any])["properties"] as! [String: Any]
        let documented = Set((action["op"] as! [String: Any])["enum"] as! [String])
        var seen = Set<String>()
        for c in try GoldenPlanTests.cases() {
            let plan = c.plan
            for step in plan.changes + plan.rollback {
                let data = try JSONEncoder().encode(step.action)
                let text = String(decoding: data, as: UTF8.self)
                XCTAssertFalse(text.contains("\"_0\""), "\(c.name): \(step.line): \(text)")
                let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any], text)
                let op = try XCTUnwrap(object["op"] as? String, "\(c.name): no op: \(text)")
                XCTAssertTrue(documented.contains(op), "\(c.name): op \(op) is not in plan.json: \(text)")
                if op == "storage" {
                    let inner = try XCTUnwrap(object["step"] as? [String: Any], "\(c.name): storage without step: \(text)")
                    seen.insert("storage." + (try XCTUnwrap(inner["op"] as? String, "\(c.name): storage step without op: \(text)")))
                } else {
                    seen.insert(op)
                }
            }
        }
        XCTAssertTrue(seen.isSuperset(of: ["createLink", "deleteLink", "setMaster", "addAddress", "markAddress", "storage.createIface", "storage.login", "storage.createVPort", "storage.markIface", "storage.markVPort"]), "\(seen.sorted())")
    }
}

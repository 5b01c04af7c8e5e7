import Engine
import Foundation
import Storage
import HostState
import Planner
import XCTest

/// The journal on disk: the previous release's lines still read, a bad line hides nothing else,
/// writes are whole lines, and applies fold into one entry each.
final class JournalTests: XCTestCase {
    var dir: String!

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "journal-\(UUID().uuidString)"
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: dir)
    }

    func fixture(_ name: String) throws -> Data {
        try Data(contentsOf: try XCTUnwrap(Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil)))
    }

    /// A journal written by the release before v2 (captured from its binary): applies, a no-op, a
    /// rollback, a confirmation and a timed-out revert, all read, grouped and revertible.
    func testAJournalOfThePreviousReleaseStillReads() throws {
        let state = try StateDirectory(dir)
        try state.replace(Journal.name, with: Array(try fixture("journal-v1.jsonl")))
        let reading = try Journal(directory: state).read()
        XCTAssertEqual(reading.warnings, [])
        XCTAssertEqual(reading.records.count, 8)
        XCTAssertEqual(reading.records.map(\.command), [.apply, .apply, .revert, .apply, .confirm, .revert, .apply, .revert])
        XCTAssertEqual(reading.records[0].result, .applied)
        XCTAssertEqual(reading.records[0].lines.count, 15)
        XCTAssertEqual(reading.records[0].revert.count, 15)
        XCTAssertEqual(reading.records[7].result, .revertedUnconfirmed)

        let entries = ApplyHistory.entries(reading.records)
        XCTAssertEqual(entries.map(\.result), [.applied, .noOp, .awaitingConfirm, .awaitingConfirm])
        XCTAssertNotNil(entries[0].completedRevert, "the first rollback belongs to the first apply")
        XCTAssertNotNil(entries[2].confirmation)
        XCTAssertNotNil(entries[2].completedRevert, "the rollback after the confirmation")
        XCTAssertNotNil(entries[3].completedRevert)
        // The forward steps come back from the stored undo steps: undoing them again gives those.
        XCTAssertEqual(entries[0].start.steps.reversed().map(\.inverse).map(\.action), reading.records[0].revert.map(\.action))
    }

    /// Every kind of step the planner makes, written by the previous release, decodes to the same
    /// steps, and the new format writes them back without `_0`.
    func testEveryStepOfThePreviousFormatDecodes() throws {
        let state = try StateDirectory(dir)
        try state.replace(Journal.name, with: Array(try fixture("journal-v1-every-step.jsonl")))
        let record = try XCTUnwrap(try Journal(directory: state).read().records.first)
        XCTAssertEqual(record.revert.count, 278)
        let encoded = try JSONEncoder().encode(record.revert)
        XCTAssertFalse(String(decoding: encoded, as: UTF8.self).contains("\"_0\""))
        XCTAssertEqual(try JSONDecoder().decode([Change].self, from: encoded), record.revert)
    }

    func testTheStepWireFormatIsExplicit() throws {
        let step = Change(.setMTU(link: "eth1", mtu: 9000, previous: 1500))
        let text = String(decoding: try JSONEncoder().encode(step.action), as: UTF8.self)
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
        XCTAssertEqual(object["op"] as? String, "setMTU")
        XCTAssertEqual(object["link"] as? String, "eth1")
        XCTAssertEqual(object["mtu"] as? Int, 9000)
        XCTAssertEqual(object["previous"] as? Int, 1500)
        let storage = Action.storage(.login(ISCSINodeKey(iface: "san0", portal: ISCSIPortal(address: "192.0.2.1", port: 3260), target: "iqn.2026-01.example:t")))
        let object2 = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(storage)) as! [String: Any]
        XCTAssertEqual(object2["op"] as? String, "storage")
        XCTAssertEqual((object2["step"] as? [String: Any])?["op"] as? String, "login")
        XCTAssertThrowsError(try JSONDecoder().decode(Action.self, from: Data(#"{"op":"launchMissiles"}"#.utf8)))
    }

    /// A corrupt line and a line cut short (a full disk under the previous release) are skipped
    /// with a warning naming the file and line; every other record still reads.
    func testACorruptOrPartialLineIsSkippedWithItsLineNumber() throws {
        let state = try StateDirectory(dir)
        let journal = Journal(directory: state)
        try journal.append(JournalRecord(command: .apply, result: .noOp, host: "hv01", netns: nil))
        try state.append(Journal.name, Array("{\"time\":\"2026-12-01T21:01:52Z\",\"user\":\"0\",\"host\":\"hv01\",\"comm\n".utf8))
        try state.append(Journal.name, Array("not json at all\n".utf8))
        try journal.append(JournalRecord(command: .apply, result: .noOp, host: "hv02", netns: nil))
        let reading = try journal.read()
        XCTAssertEqual(reading.records.map(\.host), ["hv01", "hv02"])
        XCTAssertEqual(reading.warnings.count, 2)
        XCTAssertTrue(reading.warnings[0].hasPrefix("\(journal.path):2: skipped a record that cannot be read"), reading.warnings[0])
        XCTAssertTrue(reading.warnings[1].hasPrefix("\(journal.path):3: "), reading.warnings[1])
    }

    /// A record of a newer format is not misread: it is skipped with the reason.
    func testANewerRecordVersionIsNamed() throws {
        let state = try StateDirectory(dir)
        try state.append(Journal.name, Array(#"{"v":9,"id":"x","time":"2026-12-01T21:01:52Z","user":"u","host":"h","command":"apply","result":"applied"}"#.utf8 + [0x0A]))
        let reading = try Journal(directory: state).read()
        XCTAssertEqual(reading.records.count, 0)
        XCTAssertTrue(reading.warnings[0].contains("version 9 is newer"), reading.warnings[0])
    }

    /// An intent without an outcome is an interrupted apply; an outcome completes its intent.
    func testIntentAndOutcomeFoldIntoOneApply() throws {
        let steps = [Change(.setMTU(link: "eth1", mtu: 9000, previous: 1500))]
        let a = JournalRecord(command: .apply, result: .started, host: "h", netns: "n", steps: steps)
        var aDone = JournalRecord(id: a.id, command: .apply, result: .applied, host: "h", netns: "n")
        aDone.time = a.time.addingTimeInterval(1)
        let b = JournalRecord(command: .apply, result: .started, host: "h", netns: "n", steps: steps)
        let entries = ApplyHistory.entries([a, aDone, b])
        XCTAssertEqual(entries.map(\.result), [.applied, .interrupted])
        XCTAssertTrue(entries[0].isAccepted)
        XCTAssertTrue(entries[1].changedHost)
        let revert = JournalRecord(id: b.id, command: .revert, result: .reverted, host: "h", netns: "n")
        XCTAssertNotNil(ApplyHistory.entries([a, aDone, b, revert])[1].completedRevert)
    }

    /// Times keep milliseconds: a confirm deadline is not cut to whole seconds.
    func testTimesKeepMilliseconds() throws {
        let date = Date(timeIntervalSince1970: 1_800_000_000.25)
        XCTAssertEqual(Timestamp.rfc3339(date), "2027-01-15T08:00:00.250Z")
        XCTAssertEqual(try XCTUnwrap(Timestamp.parse("2027-01-15T08:00:00.250Z")).timeIntervalSince1970, 1_800_000_000.25, accuracy: 0.0001)
        XCTAssertEqual(Timestamp.parse("2027-01-15T08:00:00Z")?.timeIntervalSince1970, 1_800_000_000)
    }
}

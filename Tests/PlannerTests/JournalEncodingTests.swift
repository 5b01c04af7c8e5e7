import Engine
import Foundation
import HostState
import Planner
import XCTest

/// The journal's streaming encoder must write what JSONDecoder reads back, for every kind of step.
final class JournalEncodingTests: XCTestCase {
    static let decoder: JSONDecoder = {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .iso8601
        return d
    }()

    /// Every change of every golden plan, and its inverse, round-trips through the journal line.
    func testEveryPlannedStepRoundTrips() throws {
        var steps: [Change] = []
        for c in try GoldenPlanTests.cases() {
            let plan = Planner.plan(desired: c.desired, current: c.current)
            steps += plan.changes + plan.changes.map(\.inverse)
        }
        XCTAssertGreaterThan(steps.count, 100)
        var kinds = Set<String>()
        for step in steps { kinds.insert(String(describing: step.action).prefix { $0 != "(" }.description) }
        XCTAssertGreaterThanOrEqual(kinds.count, 12, "the fixtures cover few kinds of step: \(kinds.sorted())")

        let record = JournalRecord(command: "apply", host: "hv01", netns: nil, file: nil, result: "applied",
                                   changes: steps.map(\.line), revert: steps)
        let line = try StreamingJSONEncoder().encode(record)
        let decoded = try Self.decoder.decode(JournalRecord.self, from: Data(line))
        XCTAssertEqual(decoded.revert, steps)
        XCTAssertEqual(decoded.changes, steps.map(\.line))
        XCTAssertEqual(Int(decoded.time.timeIntervalSince1970), Int(record.time.timeIntervalSince1970))
        XCTAssertNil(decoded.netns)
        XCTAssertFalse(line.contains(0x0A), "a journal record is one line")
    }

    /// Strings are escaped as JSON needs, and nothing else is (the decoder and `jq` read them alike).
    func testStringsAndNumbersAreValidJSON() throws {
        let awkward = "quote \" backslash \\ newline \n tab \t bell \u{07} slash / arrow → é"
        let record = JournalRecord(command: "apply", host: awkward, netns: "ns", file: "/a/b.yaml", result: "failed",
                                   changes: [awkward], error: awkward,
                                   revert: [Change(.setMTU(link: "eth1", mtu: 9000, previous: 1500), reason: awkward),
                                            Change(.setSysctl(key: SysctlKey(.ipv4, "eth1", "rp_filter"), value: 2, previous: -1))],
                                   confirmBy: Date(timeIntervalSince1970: 1_800_000_000))
        let line = try StreamingJSONEncoder().encode(record)
        let decoded = try Self.decoder.decode(JournalRecord.self, from: Data(line))
        XCTAssertEqual(decoded.host, awkward)
        XCTAssertEqual(decoded.error, awkward)
        XCTAssertEqual(decoded.revert, record.revert)
        XCTAssertEqual(decoded.confirmBy, Date(timeIntervalSince1970: 1_800_000_000))
        let text = String(decoding: line, as: UTF8.self)
        XCTAssertTrue(text.contains("\"confirm_by\":\"2027-01-15T08:00:00Z\""), text)
        XCTAssertTrue(text.contains("bell \\u0007 slash / arrow → é"), text)
        // Foundation's own parser agrees.
        XCTAssertNoThrow(try JSONSerialization.jsonObject(with: Data(line)))
    }
}

import Engine
import Foundation
import Storage
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
            let plan = c.plan
            steps += plan.changes + plan.changes.map(\.inverse)
        }
        XCTAssertGreaterThan(steps.count, 100)
        var kinds = Set<String>()
        for step in steps { kinds.insert(String(describing: step.action).prefix { $0 != "(" }.description) }
        XCTAssertGreaterThanOrEqual(kinds.count, 12, "the fixtures cover few kinds of step: \(kinds.sorted())")

        let record = JournalRecord(command: .apply, result: .started, host: "hv01", netns: nil, steps: steps)
        let line = try StreamingJSONEncoder().encode(record)
        let decoded = try Self.decoder.decode(JournalRecord.self, from: Data(line))
        XCTAssertEqual(decoded.steps, steps)
        XCTAssertEqual(decoded.revert, steps.reversed().map(\.inverse))
        XCTAssertEqual(decoded.lines, steps.map(\.line))
        XCTAssertEqual(decoded.time.timeIntervalSince1970, record.time.timeIntervalSince1970, accuracy: 0.001, "times keep milliseconds")
        XCTAssertFalse(String(decoding: line, as: UTF8.self).contains("\"_0\""), "the wire format names every field")
        XCTAssertNil(decoded.netns)
        XCTAssertFalse(line.contains(0x0A), "a journal record is one line")
    }

    /// Strings are escaped as JSON needs, and nothing else is (the decoder and `jq` read them alike).
    func testStringsAndNumbersAreValidJSON() throws {
        let awkward = "quote \" backslash \\ newline \n tab \t bell \u{07} slash / arrow → é"
        let record = JournalRecord(command: .apply, result: .failedRolledBack, host: awkward, netns: "ns", file: "/a/b.yaml",
                                   steps: [Change(.setMTU(link: "eth1", mtu: 9000, previous: 1500), reason: awkward),
                                           Change(.setSysctl(key: SysctlKey(.ipv4, "eth1", "rp_filter"), value: 2, previous: -1))],
                                   error: awkward, confirmBy: Date(timeIntervalSince1970: 1_800_000_000))
        let line = try StreamingJSONEncoder().encode(record)
        let decoded = try Self.decoder.decode(JournalRecord.self, from: Data(line))
        XCTAssertEqual(decoded.host, awkward)
        XCTAssertEqual(decoded.error, awkward)
        XCTAssertEqual(decoded.steps, record.steps)
        XCTAssertEqual(decoded.confirmBy, Date(timeIntervalSince1970: 1_800_000_000))
        let text = String(decoding: line, as: UTF8.self)
        XCTAssertTrue(text.contains("\"confirm_by\":\"2027-01-15T08:00:00.000Z\""), text)
        XCTAssertTrue(text.contains("bell \\u0007 slash / arrow → é"), text)
        // Foundation's own parser agrees.
        XCTAssertNoThrow(try JSONSerialization.jsonObject(with: Data(line)))
    }

    /// The per-kind keys keep the places the releases of one optional per kind gave them: a
    /// VXLAN's after `bridge_vlans` in a link, a VLAN id's after `link` in a create step.
    func testPerKindKeysKeepTheirPlaces() throws {
        let port = LinkState(index: 5, name: "vx100", options: .vxlan(VXLANInfo(vni: 100, local: "192.0.2.1", port: 4789)),
                             mtu: 1450, up: true, master: "br0", bridgeVLANs: [BridgeVLAN(vid: 20)])
        XCTAssertEqual(String(decoding: try StreamingJSONEncoder().encode(port), as: UTF8.self),
                       #"{"index":5,"name":"vx100","kind":"vxlan","mtu":1450,"up":true,"carrier":false,"master":"br0","#
                       + #""bridge_vlans":[{"vid":20,"pvid":false,"untagged":false}],"vxlan":{"vni":100,"local":"192.0.2.1","port":4789},"group":0}"#)
        let vlan = LinkState(index: 6, name: "eth1.20", options: .vlan(id: 20), mtu: 1500, up: true, link: "eth1",
                             bridgeVLANs: [BridgeVLAN(vid: 20)])
        XCTAssertEqual(String(decoding: try StreamingJSONEncoder().encode(vlan), as: UTF8.self),
                       #"{"index":6,"name":"eth1.20","kind":"vlan","mtu":1500,"up":true,"carrier":false,"link":"eth1","vlan_id":20,"#
                       + #""bridge_vlans":[{"vid":20,"pvid":false,"untagged":false}],"group":0}"#)
        let step = NewLink(name: "eth1.20", options: .vlan(id: 20), mtu: 1500, link: "eth1")
        XCTAssertEqual(String(decoding: try StreamingJSONEncoder().encode(step), as: UTF8.self),
                       #"{"name":"eth1.20","kind":"vlan","mtu":1500,"up":true,"link":"eth1","vlanID":20,"ipv6LinkLocal":true}"#)
        for link in [port, vlan] {
            XCTAssertEqual(try Self.decoder.decode(LinkState.self, from: Data(try StreamingJSONEncoder().encode(link))), link)
        }
        XCTAssertEqual(try Self.decoder.decode(NewLink.self, from: Data(try StreamingJSONEncoder().encode(step))), step)
    }
}

/// The streaming encoder stays (why, with the measurement: StreamingJSONEncoder.swift); the
/// reader does not depend on it: a line Foundation's encoder writes reads back the same.
final class JournalEncoderChoiceTests: XCTestCase {
    func testALineOfFoundationsEncoderReadsBackTheSameRecord() throws {
        var steps: [Change] = []
        for c in try GoldenPlanTests.cases() { steps += c.plan.changes + c.plan.changes.map(\.inverse) }
        let record = JournalRecord(command: .apply, result: .awaitingConfirm, host: "hv01", netns: "lab", pool: "lab", file: "/etc/poolnet/pool.yaml",
                                   steps: steps, error: "a/b \"c\"", confirmBy: Date(timeIntervalSince1970: 1_800_000_000.5), trigger: .boot)
        let streaming = try StreamingJSONEncoder().encode(record)
        let foundation = try JSONEncoder().encode(record)  // keys in hash order, "/" escaped
        XCTAssertNotEqual(Data(streaming), foundation, "the two write different bytes")
        let decoder = JSONDecoder()
        let a = try decoder.decode(JournalRecord.self, from: Data(streaming))
        let b = try decoder.decode(JournalRecord.self, from: foundation)
        XCTAssertEqual(a, b)
        XCTAssertEqual(a.steps, steps)
        // Also for steps holding a dictionary (iSCSI node settings): a read-back record is the same line again.
        XCTAssertEqual(try StreamingJSONEncoder().encode(a), streaming, "a record read back is the same line again")
    }
}

/// The journal rotates instead of growing without end, and reading spans the rotation.
final class JournalRotationTests: XCTestCase {
    func testRotatesPastTheLimitAndReadsBothGenerations() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("journal-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let journal = Journal(directory: try StateDirectory(dir), rotateAtBytes: 1_000)
        func record(_ n: Int) -> JournalRecord {
            JournalRecord(command: .apply, result: .applied, host: "hv01", netns: nil, file: nil, error: String(repeating: "x", count: 200), reason: "step \(n)",
                          time: Date(timeIntervalSince1970: 1_800_000_000 + Double(n)))
        }
        for n in 0..<12 { try journal.append(record(n)) }

        let current = try XCTUnwrap(FileManager.default.contents(atPath: journal.path))
        let previous = try XCTUnwrap(FileManager.default.contents(atPath: journal.directory.file(Journal.previousName)))
        XCTAssertLessThanOrEqual(current.count, 1_000)
        XCTAssertLessThanOrEqual(previous.count, 1_000)
        let read = try journal.read().records.map { $0.reason! }
        // Two generations of at most 1,000 bytes hold the newest records, oldest first, none lost
        // in between, and the newest is last (rollback reads the last apply).
        XCTAssertEqual(read.last, "step 11")
        XCTAssertGreaterThanOrEqual(read.count, 4)
        XCTAssertLessThan(read.count, 12, "the oldest generation is dropped")
        let first = try XCTUnwrap(Int(read[0].dropFirst(5)))
        XCTAssertEqual(read, (first...11).map { "step \($0)" })
    }

    /// A line larger than the limit on its own still gets written (into a fresh file).
    func testAnOversizedLineIsKept() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("journal-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let journal = Journal(directory: try StateDirectory(dir), rotateAtBytes: 100)
        let big = JournalRecord(command: .apply, result: .applied, host: "hv01", netns: nil, file: nil, reason: String(repeating: "y", count: 500))
        try journal.append(big)
        try journal.append(big)
        XCTAssertEqual(try journal.read().records.count, 2)
        for file in [journal.path, journal.directory.file(Journal.previousName)] {
            let lines = try XCTUnwrap(FileManager.default.contents(atPath: file)).split(separator: 0x0A)
            XCTAssertEqual(lines.count, 1, "\(file): one oversized line per generation")
        }
    }
}

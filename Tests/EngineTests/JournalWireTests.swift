import Engine
import Foundation
import HostState
import Planner
import Storage
import XCTest

/// The journal's commands, results and triggers are enums whose strings are the wire format: a
/// line written today reads back to the same record and the same bytes, and a value this poolnet
/// does not know skips that line with a FILE:LINE warning naming it, hiding no other line.
/// (An extension of JournalTests: the same scratch state directory per test.)
extension JournalTests {
    /// A line as the release before the typed outcomes wrote it (an intent at boot, with a confirm window).
    static let todaysLine = #"{"v":2,"id":"20261201T210152Z-a1b2c3d4e5f6","time":"2026-11-18T11:05:00.123Z","user":"root","host":"hv01","netns":"lab","pool":"lab","command":"apply","result":"started","trigger":"boot","reason":"the accepted file","file":"/etc/poolnet/pool.yaml","file_sha256":"b920105f56a860b0c923efe9a98d49e4bc5d09f461e1e3935f62580b7bdd5aa9","steps":[{"action":{"op":"setMTU","link":"eth1","mtu":9000,"previous":1500},"disruptive":false,"reason":"file"},{"action":{"op":"setSysctl","key":{"family":"ipv4","link":"eth1","name":"rp_filter"},"value":2,"previous":0},"disruptive":false}],"confirm_by":"2026-11-18T11:06:40.500Z"}"#

    /// Every value and its string: changing one breaks every journal on disk.
    func testEveryWireStringIsPinned() {
        XCTAssertEqual(JournalRecord.Command.allCases.map(\.rawValue), ["apply", "revert", "confirm"])
        XCTAssertEqual(JournalRecord.Outcome.allCases.map(\.rawValue), [
            "started", "applied", "applied, awaiting confirm", "no-op", "failed, rolled back", "failed, rollback incomplete",
            "reverted", "reverted (not confirmed in time)", "revert incomplete", "confirmed", "interrupted",
        ])
        XCTAssertEqual(JournalRecord.Trigger.allCases.map(\.rawValue), ["boot"])
    }

    func testALineInTodaysFormatReadsAndWritesBackTheSameBytes() throws {
        let state = try StateDirectory(dir)
        try state.append(Journal.name, Array(Self.todaysLine.utf8) + [0x0A])
        let journal = Journal(directory: state)
        let reading = try journal.read()
        XCTAssertEqual(reading.warnings, [])
        let record = try XCTUnwrap(reading.records.first)
        XCTAssertEqual(record.command, .apply)
        XCTAssertEqual(record.result, .started)
        XCTAssertEqual(record.trigger, .boot)
        XCTAssertEqual(record.format, 2)
        XCTAssertEqual(record.steps, [Change(.setMTU(link: "eth1", mtu: 9000, previous: 1500), reason: "file"),
                                      Change(.setSysctl(key: SysctlKey(.ipv4, "eth1", "rp_filter"), value: 2, previous: 0))])
        XCTAssertEqual(Timestamp.rfc3339(try XCTUnwrap(record.confirmBy)), "2026-11-18T11:06:40.500Z")
        XCTAssertEqual(String(decoding: try StreamingJSONEncoder().encode(record), as: UTF8.self), Self.todaysLine)

        // Appended by this build, the same record is the same line.
        try journal.append(record)
        let lines = try XCTUnwrap(FileManager.default.contents(atPath: journal.path)).split(separator: 0x0A)
        XCTAssertEqual(lines.count, 2)
        XCTAssertEqual(lines[0], lines[1])
    }

    /// A failed apply's outcome with the steps only part of which took effect: `partly_applied`
    /// after `error`, read back to the same record and written back to the same bytes.
    func testAPartlyAppliedOutcomeReadsAndWritesBackTheSameBytes() throws {
        let line = #"{"v":2,"id":"20261202T074542Z-7a109ea26426","time":"2026-12-02T07:45:42.386Z","user":"root","host":"hv01","netns":"hon1","pool":"lab","command":"apply","result":"failed, rolled back","file":"/tmp/hon2.yaml","file_sha256":"c576a9d6e80d698df219778cf2c9ff350ccb05262d60d1eadf5d6cbddd213f54","error":"+ vxlan vx0 (vni 42, local 10.9.0.1): File exists (errno 17)","partly_applied":[{"step":"+ bridge privbr0 (stp off)","reason":"part of it took effect, the rest was not sent (the run stopped at an earlier failure)"}]}"#
        let state = try StateDirectory(dir)
        try state.append(Journal.name, Array(line.utf8) + [0x0A])
        let reading = try Journal(directory: state).read()
        XCTAssertEqual(reading.warnings, [])
        let record = try XCTUnwrap(reading.records.first)
        XCTAssertEqual(record.partlyApplied, [JournalRecord.PartialStep(step: "+ bridge privbr0 (stp off)",
                                                                        reason: "part of it took effect, the rest was not sent (the run stopped at an earlier failure)")])
        XCTAssertEqual(String(decoding: try StreamingJSONEncoder().encode(record), as: UTF8.self), line)
        // A record without any leaves the key out: lines of earlier releases keep their bytes.
        XCTAssertFalse(String(decoding: try StreamingJSONEncoder().encode(JournalRecord(command: .apply, result: .applied, host: "hv01", netns: nil)),
                              as: UTF8.self).contains("partly_applied"))
    }

    /// Milliseconds survive a read and a write (every 7th of a second: each last digit, many tens): a time is the same text again.
    func testATimeReadBackIsWrittenTheSame() throws {
        for ms in stride(from: 0, to: 1000, by: 7) {
            let text = String(format: "2026-12-02T04:18:15.%03dZ", ms)
            XCTAssertEqual(Timestamp.rfc3339(try XCTUnwrap(Timestamp.parse(text))), text)
        }
        XCTAssertEqual(Timestamp.rfc3339(Date(timeIntervalSince1970: 1_800_000_000.9996)), "2027-01-15T08:00:00.999Z", "sub-millisecond parts are cut, not rounded up")
    }

    /// A command or result of a later release: that line is skipped with its FILE:LINE and the
    /// unknown value, the lines around it still read. An unknown trigger (informational) costs the
    /// line nothing: it reads with no trigger, its steps intact.
    func testAnUnknownValueSkipsItsLineNamingIt() throws {
        let state = try StateDirectory(dir)
        let journal = Journal(directory: state)
        let base = #"{"v":2,"id":"x","time":"2026-12-01T21:01:52.000Z","user":"u","host":"h","#
        let lines = [
            base + #""command":"apply","result":"no-op"}"#,
            base + #""command":"reapply","result":"applied"}"#,
            base + #""command":"apply","result":"applied, partly"}"#,
            base + #""command":"apply","result":"applied","trigger":"timer"}"#,
            base + #""command":"confirm","result":"confirmed"}"#,
        ]
        try state.append(Journal.name, Array(lines.joined(separator: "\n").utf8) + [0x0A])
        let reading = try journal.read()
        XCTAssertEqual(reading.records.map(\.result), [.noOp, .applied, .confirmed])
        XCTAssertEqual(reading.records.map(\.trigger), [nil, nil, nil])
        XCTAssertEqual(reading.warnings, [
            "\(journal.path):2: skipped a record that cannot be read (unknown command \"reapply\"; this poolnet knows \"apply\", \"revert\", \"confirm\")",
            "\(journal.path):3: skipped a record that cannot be read (unknown result \"applied, partly\"; this poolnet knows \"started\", \"applied\", "
                + "\"applied, awaiting confirm\", \"no-op\", \"failed, rolled back\", \"failed, rollback incomplete\", \"reverted\", "
                + "\"reverted (not confirmed in time)\", \"revert incomplete\", \"confirmed\", \"interrupted\")",
        ])
    }

    /// First-format records are told apart by their format, not by their synthesized id: a revert
    /// of that format still goes to the namespace's last apply with changes.
    func testFirstFormatRecordsKeepTheirFormat() throws {
        let state = try StateDirectory(dir)
        let v1 = #"{"time":"2026-12-01T21:01:52Z","user":"0","host":"hv01","netns":"n","command":"apply","result":"applied","changes":["~ eth1: mtu 1500 → 9000"],"revert":[{"action":{"op":"setMTU","link":"eth1","mtu":1500,"previous":9000},"disruptive":false}]}"#
        let v1Revert = #"{"time":"2026-12-01T21:05:00Z","user":"0","host":"hv01","netns":"n","command":"revert","result":"reverted","revert":[]}"#
        try state.append(Journal.name, Array((v1 + "\n" + v1Revert + "\n").utf8))
        let records = try Journal(directory: state).read().records
        XCTAssertEqual(records.map(\.format), [1, 1])
        let entries = ApplyHistory.entries(records)
        XCTAssertEqual(entries.count, 1)
        XCTAssertEqual(entries[0].completedRevert?.result, .reverted)
    }
}

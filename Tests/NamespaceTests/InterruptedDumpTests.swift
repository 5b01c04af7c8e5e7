import Foundation
import HostState
import Netlink
import TestSupport
import XCTest

/// The kernel flags a dump interrupted (NLM_F_DUMP_INTR) when what it dumps changes meanwhile, as
/// while 1,000 links just brought up get their IPv6 addresses: the read retries, pausing longer
/// each time, and keeps only a whole, uninterrupted dump (the interrupted one's messages counted
/// twice before).
final class InterruptedDumpTests: NamespaceTestCase {
    func testAReadDuringAddressChurnSucceedsWithEveryAddressOnce() throws {
        let count = 6000
        try ns.batch(["link add churn0 type bridge", "link set churn0 up"]
                     + (0..<count).map { "addr add 10.60.\($0 / 250).\($0 % 250 + 1)/32 dev churn0" })
        // Another process adds and removes addresses on the same link for about 1.5 s.
        let churn = (0..<400).flatMap { ["addr add 10.70.\($0 / 250).\($0 % 250 + 1)/32 dev churn0", "addr del 10.70.\($0 / 250).\($0 % 250 + 1)/32 dev churn0"] }
        let file = NSTemporaryDirectory() + "churn-\(ns.name).batch"
        try (churn.joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let loop = Process()
        loop.executableURL = URL(fileURLWithPath: "/bin/sh")
        loop.arguments = ["-c", "end=$(($(date +%s%N) + 1500000000)); n=0; while [ $(date +%s%N) -lt $end ]; do ip -n \(ns.name) -batch \(file) || exit 1; n=$((n+1)); done; echo $n"]
        let out = Pipe()
        loop.standardOutput = out
        try loop.run()
        Thread.sleep(forTimeInterval: 0.2)
        let started = Date()
        let retriesBefore = RouteSocket.dumpsInterrupted.load(ordering: .relaxed)
        let state = try engine.read()
        let took = Date().timeIntervalSince(started)
        let interrupted = RouteSocket.dumpsInterrupted.load(ordering: .relaxed) - retriesBefore
        loop.waitUntilExit()
        XCTAssertEqual(loop.terminationStatus, 0)
        let rounds = Int(String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        XCTAssertGreaterThan(rounds, 0, "the churn ran")
        XCTAssertGreaterThan(interrupted, 0, "the kernel interrupted at least one dump (else this test proves nothing)")

        let fixed = state.addresses.filter { $0.link == "churn0" && $0.prefix.description.hasPrefix("10.60.") }
        XCTAssertEqual(fixed.count, count, "every address once (read in \(took) s, \(interrupted) dumps interrupted, during \(rounds) rounds of churn)")
        XCTAssertEqual(Set(fixed.map(\.prefix)).count, count)
        XCTAssertEqual(state.links.filter { $0.name == "churn0" }.count, 1, "the link once")
        XCTAssertEqual(Set(state.links.map(\.name)).count, state.links.count, "no link twice")
    }
}

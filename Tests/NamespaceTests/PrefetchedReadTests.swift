import Engine
import HostState
import Netlink
import TestSupport
import Topology
import XCTest

/// The prefetch dumps the classes the parsed file suggests (remote VTEPs, default routes, bridge
/// VLANs) while the caller resolves its host; the read then dumps again only what the guess got
/// wrong. Right or wrong, the state read equals a read of its own.
final class PrefetchedReadTests: NamespaceTestCase {
    func yaml(vxlanHosts: String) -> String {
        var text = "pool: lab\nhosts:\n  hv01: { index: 1 }\n  hv02: { index: 2 }\n  hv03: { index: 3 }\n"
            + "storage_nics:\n  - { name: u0, addresses: [\"192.0.2.${index}/24\"] }\nvxlans:\n"
        for i in 0..<3 { text += "  - { name: vx\(i), vni: \(100 + i), local: \"192.0.2.${index}\", device: u0\(vxlanHosts) }\n" }
        return text
    }

    func requests(_ body: () throws -> Void) rethrows -> Int {
        let before = RouteSocket.requestsSent.load(ordering: .relaxed)
        try body()
        return RouteSocket.requestsSent.load(ordering: .relaxed) - before
    }

    func testTheGuessedClassesAreNotDumpedAgainAndTheStateIsTheSame() throws {
        try ns.addNIC("u0")
        let text = yaml(vxlanHosts: "")
        let desired = try desired(text)
        try engine.apply(desired)
        let own = try engine.plan(desired).current.normalized()
        XCTAssertEqual(own.linksByName()["vx1"]?.vxlan?.remotes, ["192.0.2.2", "192.0.2.3"])
        let guess = ReadClasses(parsed: try Topology.parse(yaml: text, file: "test.yaml"))
        XCTAssertEqual(guess, ReadClasses(desired))

        let right = try engine.readBase { guess }
        XCTAssertEqual(right.holds, guess)
        let none = try engine.readBase { nil }
        XCTAssertNil(none.holds)
        var fromRight: CurrentState?, fromNone: CurrentState?
        let rightCost = try requests { fromRight = try engine.plan(desired, base: right).current }
        let noneCost = try requests { fromNone = try engine.plan(desired, base: none).current }
        XCTAssertEqual(fromRight?.normalized(), own)
        XCTAssertEqual(fromNone?.normalized(), own)
        XCTAssertEqual(noneCost - rightCost, 2, "the FDB and default-route dumps, done by the prefetch")
    }

    /// VXLANs only on other hosts: the parsed file suggests their remotes, this host needs none;
    /// the read takes the classes this host's state needs, not the guess.
    func testAWrongGuessIsReadAsTheStateNeeds() throws {
        try ns.addNIC("u0")
        let text = yaml(vxlanHosts: ", hosts: [hv02, hv03]")
        let desired = try desired(text)
        XCTAssertTrue(desired.vxlans.isEmpty)
        try engine.apply(desired)
        let guess = ReadClasses(parsed: try Topology.parse(yaml: text, file: "test.yaml"))
        XCTAssertTrue(guess.vxlanRemotes)
        XCTAssertNotEqual(guess, ReadClasses(desired))
        let prefetched = try engine.readBase { guess }
        XCTAssertEqual(try engine.plan(desired, base: prefetched).current.normalized(), try engine.plan(desired).current.normalized())
    }
}

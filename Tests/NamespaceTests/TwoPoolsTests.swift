import Engine
import Foundation
import HostState
import Planner
import Storage
import TestSupport
import XCTest

/// Two pool files on one host (say a storage pool and a guest-network pool): neither apply nor
/// prune of one changes anything the other's apply created. Each case runs with the kernel's
/// IFA_PROTO marks and again with the record alone (as on kernels before 6.1).
final class TwoPoolsTests: NamespaceTestCase {
    static let alpha = """
    pool: alpha
    hosts: [hv01]
    storage_nics:
      - name: san0
        addresses: ["192.0.2.11/24"]
    bridges:
      - name: alphabr
        ports: [guest0]
        addresses: ["203.0.113.1/28"]
    """
    static let beta = """
    pool: beta
    hosts: [hv01]
    storage_nics:
      - name: san0
        addresses: ["192.0.2.12/24"]
    bridges:
      - name: betabr
        addresses: ["198.51.100.1/24"]
    """
    static let betaEmpty = "pool: beta\nhosts: [hv01]\n"

    /// The record's key of a pool's addresses in this test's namespace.
    func key(_ pool: String) -> String { OwnershipRecord.addressKey(pool: pool, netns: ns.name) }

    func addresses() throws -> [String: Set<String>] {
        try ns.addresses().mapValues { Set($0.filter { !$0.hasPrefix("fe80") }) }
    }

    func twoPools(forceRecord: Bool) throws {
        engine.forceAddressRecord = forceRecord
        try addDemoNICs()
        XCTAssertEqual(try engine.plan(try desired(Self.alpha)).current.addressOwnership?.mode, forceRecord ? .record : .kernelMark)
        try engine.apply(try desired(Self.alpha))

        // Beta's plan touches nothing of alpha's: only its own bridge and its own address on the shared NIC.
        let betaPlan = try engine.plan(try desired(Self.beta)).plan
        for change in betaPlan.changes {
            XCTAssertTrue(["betabr", "san0"].contains(change.action.link), "beta plans \(change.line)")
            XCTAssertFalse(change.line.contains("192.0.2.11") || change.line.contains("alphabr"), change.line)
        }
        try engine.apply(try desired(Self.beta))
        XCTAssertEqual(try addresses()["san0"], ["192.0.2.11/24", "192.0.2.12/24"])
        XCTAssertEqual(try addresses()["alphabr"], ["203.0.113.1/28"])
        XCTAssertEqual(try engine.plan(try desired(Self.alpha)).plan.changes, [], "beta's apply is no drift for alpha")

        // The record holds each pool's addresses under its own name.
        let record = try OwnershipRecord.load(engine.storageRoots.ownership)
        XCTAssertEqual(Set(record.pools[key("alpha")]?.addresses.map { "\($0.link) \($0.prefix)" } ?? []),
                       ["san0 192.0.2.11/24", "alphabr 203.0.113.1/28"])
        XCTAssertEqual(Set(record.pools[key("beta")]?.addresses.map { "\($0.link) \($0.prefix)" } ?? []),
                       ["san0 192.0.2.12/24", "betabr 198.51.100.1/24"])
        let attributes = try FileManager.default.attributesOfItem(atPath: engine.storageRoots.ownership)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)

        // Beta prunes everything: its bridge and its address go, alpha's stay.
        try engine.apply(try desired(Self.betaEmpty))
        XCTAssertNil(try ns.links()["betabr"])
        XCTAssertEqual(try addresses()["san0"], ["192.0.2.11/24"])
        XCTAssertEqual(try addresses()["alphabr"], ["203.0.113.1/28"])
        XCTAssertEqual(try ns.links()["alphabr"]?["ifalias"] as? String, "poolnet:alpha")
        XCTAssertEqual(try ns.links()["guest0"]?["master"] as? String, "alphabr")
        XCTAssertEqual(try engine.plan(try desired(Self.alpha)).plan.changes, [], "beta's prune is no drift for alpha")
        XCTAssertEqual(try OwnershipRecord.load(engine.storageRoots.ownership).pools[key("beta")]?.addresses, [])

        // And alpha's own prune still removes alpha's address.
        try engine.apply(try desired(Self.alpha.replacingOccurrences(of: "addresses: [\"192.0.2.11/24\"]", with: "mtu: 1500")))
        XCTAssertEqual(try addresses()["san0"] ?? [], [])
    }

    func testTwoPoolsNeverTouchEachOtherWithKernelMarks() throws { try twoPools(forceRecord: false) }
    func testTwoPoolsNeverTouchEachOtherWithTheRecordAlone() throws { try twoPools(forceRecord: true) }

    /// Beta declares alpha's address and asks to adopt it: refused, naming alpha (as its record
    /// names it, not the namespaced key), in both ownership modes; nothing changes.
    func testAdoptingAnotherPoolsAddressNamesThatPool() throws {
        try addDemoNICs()
        for forceRecord in [false, true] {
            engine.forceAddressRecord = forceRecord
            try engine.apply(try desired(Self.alpha))
            var adopting = engine!
            adopting.adopt = true
            let before = comparable(try snapshot())  // a new bridge's carrier is the kernel's to change
            let beta = "pool: beta\nhosts: [hv01]\nstorage_nics:\n  - name: san0\n    addresses: [\"192.0.2.11/24\"]\n"
            let refusal = "address 192.0.2.11/24 on san0: belongs to pool alpha on this host (its ownership record holds it); "
                + "--adopt never takes another pool's address: drop it from this file, or from pool alpha's first"
            XCTAssertEqual(try adopting.plan(try desired(beta)).plan.problems.map(\.description), [refusal], "record alone: \(forceRecord)")
            XCTAssertThrowsError(try adopting.apply(try desired(beta))) { error in
                XCTAssertEqual((error as? PlanBlocked)?.plan.problems.map(\.description), [refusal], "\(error)")
            }
            XCTAssertEqual(comparable(try snapshot()), before, "nothing changed")
            try engine.apply(try desired(Self.betaEmpty.replacingOccurrences(of: "beta", with: "alpha")))
            try? FileManager.default.removeItem(atPath: engine.storageRoots.ownership)
        }
    }

    /// With the record alone, an address on a link that was deleted and made again by someone
    /// else under the same name (new ifindex) is not the pool's any more.
    func testRecordAloneMatchesTheLinkByIndexAndName() throws {
        engine.forceAddressRecord = true
        try addDemoNICs()
        let file = "pool: alpha\nhosts: [hv01]\nstorage_nics:\n  - name: san0\n    addresses: [\"192.0.2.11/24\"]\n"
        try engine.apply(try desired(file))
        try ns.ip("link", "del", "san0")
        try ns.addNIC("san0")
        try ns.ip("addr", "add", "192.0.2.11/24", "dev", "san0")
        let drop = "pool: alpha\nhosts: [hv01]\nstorage_nics:\n  - name: san0\n    mtu: 1500\n"
        let plan = try engine.plan(try desired(drop)).plan
        XCTAssertFalse(plan.changes.contains { if case .removeAddress = $0.action { return true } else { return false } },
                       "the hand-added address on the new san0 is foreign:\n\(plan.renderPlan())")
    }

    /// A record from an earlier release (flat, no addresses): the pool's 0x70 addresses on links it
    /// created or declares count as its own on its first apply and are recorded.
    func testMigrationFromTheFlatRecord() throws {
        try addDemoNICs()
        try engine.apply(try desired(Self.alpha))
        try FileManager.default.removeItem(atPath: engine.storageRoots.ownership)
        try Data(#"{"iscsi_ifaces": ["san-a"], "fc_vports": []}"#.utf8).write(to: URL(fileURLWithPath: engine.storageRoots.ownership))
        XCTAssertEqual(try engine.apply(try desired(Self.alpha)).changes, [])
        let record = try OwnershipRecord.load(engine.storageRoots.ownership)
        XCTAssertEqual(Set(record.pools[key("alpha")]?.addresses.map { "\($0.link) \($0.prefix)" } ?? []),
                       ["san0 192.0.2.11/24", "alphabr 203.0.113.1/28"])
        // iSCSI ifaces live in the host's namespace: a --netns apply leaves them to the host's pool.
        XCTAssertEqual(record.unassigned?.iscsiIfaces, ["san-a"])
        XCTAssertEqual(record.owned(by: "alpha").iscsiIfaces, ["san-a"])
        // Recorded now: a drop is pruned.
        try engine.apply(try desired(Self.alpha.replacingOccurrences(of: "addresses: [\"203.0.113.1/28\"]", with: "mtu: 1500")))
        XCTAssertEqual(try addresses()["alphabr"] ?? [], [])
    }

    /// Both pools declare the same NIC, each with its own address; beta has no record yet, so its
    /// migration must not claim alpha's recorded address.
    func testMigrationNeverClaimsAnotherPoolsAddress() throws {
        try addDemoNICs()
        try engine.apply(try desired(Self.alpha))
        let plan = try engine.plan(try desired(Self.betaEmpty.replacingOccurrences(of: "hosts: [hv01]\n", with: "hosts: [hv01]\nstorage_nics:\n  - name: san0\n    mtu: 1500\n"))).plan
        XCTAssertEqual(plan.changes, [], plan.renderPlan())
    }
}

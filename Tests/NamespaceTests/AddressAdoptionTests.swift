import Engine
import Foundation
import HostState
import Netlink
import Planner
import Storage
import TestSupport
import XCTest

/// `apply --adopt` of addresses on the real kernel: a hand-made bridge whose addresses the file
/// declares. Where the kernel keeps IFA_PROTO they are re-marked (one RTM_NEWADDR each, everything
/// but the protocol as it was); with the record alone nothing is written to the kernel. Either way
/// a later removal from the file prunes them, and rollback gives them back exactly as they were.
final class AddressAdoptionTests: NamespaceTestCase {
    static let file = """
    pool: lab
    hosts: [hv01]
    bridges:
      - name: br0
        addresses: ["10.0.0.1/24", "10.0.1.1/24", "2001:db8:0:1::1/64"]
    """
    static let withoutFirst = """
    pool: lab
    hosts: [hv01]
    bridges:
      - name: br0
        addresses: ["10.0.1.1/24", "2001:db8:0:1::1/64"]
    """
    static let declared: Set<String> = ["10.0.0.1/24", "10.0.1.1/24", "2001:db8:0:1::1/64"]

    /// br0 by hand: an address with a label, a broadcast and a route metric; one with finite
    /// lifetimes; an IPv6 one with flags (nodad, noprefixroute); and 10.0.3.1/24, which the file
    /// does not declare.
    func buildBridge() throws {
        try ns.batch([
            "link add br0 type bridge", "link set br0 up",
            "addr add 10.0.0.1/24 brd + label br0:lab metric 50 dev br0",
            "addr add 10.0.1.1/24 valid_lft 3600 preferred_lft 1800 dev br0",
            "addr add 2001:db8:0:1::1/64 nodad noprefixroute dev br0",
            "addr add 10.0.3.1/24 dev br0",
        ])
    }

    /// The addresses of br0 as the engine reads them, by prefix (link-local ones left out).
    func read() throws -> [String: AddressState] {
        Dictionary(try engine.read().addresses.filter { $0.link == "br0" && !$0.prefix.description.hasPrefix("fe80") }
                       .map { ($0.prefix.description, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// br0's addresses as `ip -j addr show` prints them (a second, independent read), by prefix,
    /// without the protocol; a finite lifetime only as "finite" (it ticks between reads: its value
    /// is compared by `assertSameButProtocol`).
    func ipRead() throws -> [String: [String: String]] {
        let json = try ns.ip("-d", "-j", "addr", "show", "dev", "br0")
        let links = try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [[String: Any]]
        var result: [String: [String: String]] = [:]
        for info in links.first?["addr_info"] as? [[String: Any]] ?? [] {
            let prefix = "\(info["local"]!)/\(info["prefixlen"]!)"
            guard !prefix.hasPrefix("fe80") else { continue }
            var fields: [String: String] = [:]
            for (key, value) in info where key != "protocol" {
                if key.hasSuffix("life_time"), let seconds = value as? Int, seconds < 0xFFFF_FFFF {
                    fields[key] = "finite"
                } else {
                    fields[key] = "\(value)"
                }
            }
            result[prefix] = fields
        }
        return result
    }

    /// Everything about two reads of an address but the protocol; a finite lifetime to within a
    /// minute (it ticks; a replace without the lifetimes would make it "forever").
    func assertSameButProtocol(_ a: AddressState?, _ b: AddressState?, file: StaticString = #filePath, line: UInt = #line) {
        guard var x = a?.details, var y = b?.details else { return XCTFail("not read: \(String(describing: a)) \(String(describing: b))", file: file, line: line) }
        for (p, q) in [(x.validLifetime, y.validLifetime), (x.preferredLifetime, y.preferredLifetime)] where p != AddressDetails.forever {
            XCTAssertLessThanOrEqual(abs(Int(p) - Int(q)), 60, "a finite lifetime is kept, not reset: \(p) → \(q)", file: file, line: line)
        }
        x.validLifetime = 0; x.preferredLifetime = 0; y.validLifetime = 0; y.preferredLifetime = 0
        XCTAssertEqual(x, y, "\(a!.prefix)", file: file, line: line)
    }

    /// The pool's entries flagged as adopted without the kernel's mark.
    func recordAdopted() throws -> Set<String> {
        let key = OwnershipRecord.addressKey(pool: "lab", netns: ns.name)
        return Set((try OwnershipRecord.load(engine.storageRoots.ownership).pools[key]?.addresses ?? []).filter(\.adopted).map { "\($0.link) \($0.prefix)" })
    }

    func record() throws -> Set<String> {
        let key = OwnershipRecord.addressKey(pool: "lab", netns: ns.name)
        return Set((try OwnershipRecord.load(engine.storageRoots.ownership).pools[key]?.addresses ?? []).map { "\($0.link) \($0.prefix)" })
    }

    func adoptPruneAndRollBack(forceRecord: Bool) throws {
        engine.forceAddressRecord = forceRecord
        try buildBridge()
        let want = try desired(Self.file)
        let mode = try engine.plan(want).current.addressOwnership?.mode
        XCTAssertEqual(mode, forceRecord ? .record : .kernelMark)
        let kernelMarks = mode == .kernelMark
        try ns.waitQuiet()
        let before = try read(), ipBefore = try ipRead()
        XCTAssertEqual(before["10.0.0.1/24"]?.details?.label, "br0:lab")
        XCTAssertEqual(before["10.0.0.1/24"]?.details?.metric, 50)
        XCTAssertEqual(before["10.0.0.1/24"]?.details?.broadcast, "10.0.0.255")
        XCTAssertNotEqual(before["10.0.1.1/24"]?.details?.validLifetime, AddressDetails.forever)

        // Without --adopt: matched, not owned, and said so.
        let unowned = Planner.unowned(desired: want, current: try engine.read(for: want)).map(\.object)
        XCTAssertEqual(Set(unowned), ["bridge br0", "address 10.0.0.1/24 on br0", "address 10.0.1.1/24 on br0", "address 2001:db8:0:1::1/64 on br0"])
        XCTAssertEqual(try engine.plan(want).plan.changes, [], "without --adopt nothing is planned")

        var adopting = engine!
        adopting.adopt = true
        // Linux 6.1 keeps IFA_PROTO but ignores an IPv4 re-mark: the IPv4 addresses are adopted by
        // their flagged record entries and keep their protocol; IPv6 takes the mark everywhere.
        func marked(_ prefix: String) -> Bool { kernelMarks && (IPv4Remark.works || prefix.contains(":")) }

        // --adopt: the alias and one re-mark per declared address (none with the record alone).
        let monitor = try ns.monitor()
        let plan = try adopting.apply(want)
        let events = monitor.stop()
        XCTAssertEqual(plan.changes.map(\.action.summary).sorted(), [
            "br0: adopt address 10.0.0.1/24", "br0: adopt address 10.0.1.1/24", "br0: adopt address 2001:db8:0:1::1/64",
            "br0: alias none → \"poolnet:lab\"",
        ])
        // The link-local address's DAD may end meanwhile: the kernel's own event, not a write.
        let addressEvents = events.filter { $0.contains(" inet") && !$0.contains(" fe80::") }
        let seen = Set(addressEvents.compactMap { $0.split(separator: " ").first { $0.contains("/") }.map(String.init) })
        XCTAssertTrue(seen.isSubset(of: kernelMarks ? Self.declared : []), events.joined(separator: "\n"))
        XCTAssertTrue(Self.declared.filter(marked).isSubset(of: seen), events.joined(separator: "\n"))
        XCTAssertLessThanOrEqual(addressEvents.count, kernelMarks ? 3 : 0, events.joined(separator: "\n"))
        XCTAssertFalse(events.contains { $0.hasPrefix("Deleted") || $0.contains("10.0.3.1") }, events.joined(separator: "\n"))

        // Read after: the protocol is poolnet's (kernel marks) and nothing else changed.
        let after = try read(), ipAfter = try ipRead()
        for prefix in before.keys.sorted() {
            assertSameButProtocol(before[prefix], after[prefix])
            XCTAssertEqual(after[prefix]?.proto, Self.declared.contains(prefix) && marked(prefix) ? Ownership.addressProtocol : before[prefix]?.proto, prefix)
        }
        XCTAssertEqual(ipAfter, ipBefore, "ip addr shows the same addresses apart from the protocol")
        XCTAssertEqual(try record(), Set(Self.declared.map { "br0 \($0)" }))
        // Flagged exactly where the kernel kept the old protocol.
        XCTAssertEqual(try recordAdopted(), Set(Self.declared.filter { kernelMarks && !marked($0) }.map { "br0 \($0)" }))
        XCTAssertEqual(try engine.plan(want).plan.changes, [])
        XCTAssertEqual(Planner.unowned(desired: want, current: try engine.read(for: want)), [])

        // Rollback of the adopt apply: the addresses are as they were, unmarked and unrecorded.
        let undo = try engine.undo(plan.changes, pool: "lab")
        XCTAssertTrue(undo.isComplete, "\(undo.failed)")
        XCTAssertEqual(undo.undone.count, 4)
        let restored = try read()
        for prefix in before.keys.sorted() {
            assertSameButProtocol(before[prefix], restored[prefix])
            XCTAssertEqual(restored[prefix]?.proto, before[prefix]?.proto, prefix)
        }
        XCTAssertEqual(try ipRead(), ipBefore)
        XCTAssertEqual(try record(), [])
        XCTAssertEqual(Set(Planner.unowned(desired: want, current: try engine.read(for: want)).map(\.object)), Set(unowned))

        // Adopted again, then the file drops 10.0.0.1/24: it is pruned; the others and the foreign one stay.
        try adopting.apply(want)
        let prune = try engine.apply(try desired(Self.withoutFirst))
        XCTAssertEqual(prune.changes.map(\.line), ["- br0: address 10.0.0.1/24  [disruptive]"])
        XCTAssertEqual(Set(try read().keys), ["10.0.1.1/24", "2001:db8:0:1::1/64", "10.0.3.1/24"])
        XCTAssertEqual(try record(), ["br0 10.0.1.1/24", "br0 2001:db8:0:1::1/64"])
    }

    func testAdoptedAddressesAreRemarkedPrunedAndRolledBackWithKernelMarks() throws {
        try adoptPruneAndRollBack(forceRecord: false)
    }

    func testAdoptedAddressesAreRecordedPrunedAndRolledBackWithTheRecordAlone() throws {
        try adoptPruneAndRollBack(forceRecord: true)
    }

    /// A step failing after the re-marks: the apply's own rollback gives every address back its
    /// protocol and takes it out of the record, in both modes.
    func testAFailedAdoptApplyRollsTheMarksBack() throws {
        for forceRecord in [false, true] {
            engine.forceAddressRecord = forceRecord
            try buildBridge()
            let want = try desired(Self.file)
            var adopting = engine!
            adopting.adopt = true
            let steps = try adopting.plan(want).plan.changes
            XCTAssertEqual(steps.count, 4)
            let before = try read()
            adopting.failStep = steps.count - 1
            XCTAssertThrowsError(try adopting.apply(want)) { XCTAssertTrue("\($0)".contains("injected failure"), "\($0)") }
            let after = try read()
            for prefix in before.keys.sorted() {
                assertSameButProtocol(before[prefix], after[prefix])
                XCTAssertEqual(after[prefix]?.proto, before[prefix]?.proto, prefix)
            }
            XCTAssertEqual(try record(), [])
            XCTAssertEqual(Planner.unowned(desired: want, current: try engine.read(for: want)).count, 4)
            try ns.ip("link", "del", "br0")
            try? FileManager.default.removeItem(atPath: engine.storageRoots.ownership)
        }
    }

    /// A failed `apply --adopt`, rolled back, leaves the ownership record byte for byte as it was.
    /// Here a record of an earlier release (the flat format: a vport that belongs to no pool yet)
    /// and an apply in the host's own namespace (no --netns: the case where the pool's first write
    /// takes the unassigned entries), run from inside the test's namespace; in both modes.
    func testARolledBackAdoptionLeavesTheRecordByteForByte() throws {
        for forceRecord in [false, true] {
            try buildBridge()
            let dir = NSTemporaryDirectory() + "poolnet-flat-\(UUID().uuidString.prefix(8))"
            try FileManager.default.createDirectory(atPath: dir + "/empty", withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let path = dir + "/owned.json"
            let flat = Data(#"{"iscsi_ifaces": [], "fc_vports": ["2101001b32a9da4e"]}"#.utf8)
            try flat.write(to: URL(fileURLWithPath: path))
            // No sysfs, no other network managers: only the record and the namespace's links are read.
            var host = Engine(netns: nil, logger: engine.logger)
            host.storageRoots = StorageRoots(sys: dir + "/empty", etc: dir + "/empty", proc: dir + "/empty", ownership: path)
            host.foreignRoots = ForeignManagerRoots(run: dir + "/empty", etc: dir + "/empty", varLib: dir + "/empty", proc: dir + "/empty",
                                                    varTmp: dir + "/empty")
            host.forceAddressRecord = forceRecord
            host.adopt = true
            let want = try desired(Self.file)
            let steps = try NetworkNamespace.run(ns.name) { try host.plan(want).plan.changes }
            XCTAssertEqual(steps.filter { if case .markAddress = $0.action { return true } else { return false } }.count, 3, "\(steps.map(\.line))")
            let before = try read()
            host.failStep = steps.count - 1
            let adopting = host
            XCTAssertThrowsError(try NetworkNamespace.run(ns.name) { try adopting.apply(want) }) { error in
                XCTAssertTrue("\(error)".contains("injected failure"), "\(error)")
                XCTAssertEqual((error as? ApplyFailure)?.differences, [], "the host is back: \(error)")
            }
            XCTAssertEqual(try read(), before)
            XCTAssertEqual(String(decoding: try XCTUnwrap(FileManager.default.contents(atPath: path)), as: UTF8.self), String(decoding: flat, as: UTF8.self),
                           "record only: \(forceRecord)")
            try ns.ip("link", "del", "br0")
        }
    }

    /// What a kernel that ignores the IPv4 re-mark (Linux 6.1) leaves, made here by hand: the
    /// address keeps protocol 0 and the pool's record holds it flagged as adopted. It is the
    /// pool's (no adoption planned, pruned when the file drops it), but only on the link it was
    /// adopted on: the same name with another ifindex owns nothing, and another pool's flagged
    /// entry is that pool's.
    func testAnAdoptedEntryOwnsAnAddressWithoutTheMark() throws {
        try ns.batch(["link add br0 type bridge", "link set br0 up", "addr add 10.0.0.1/24 dev br0", "addr add 10.0.1.1/24 dev br0"])
        let bridge = "pool: lab\nhosts: [hv01]\nbridges:\n  - name: br0\n"
        let want = try desired(bridge + "    addresses: [\"10.0.0.1/24\", \"10.0.1.1/24\"]\n")
        XCTAssertEqual(try engine.plan(want).current.addressOwnership?.mode, .kernelMark)
        var adopting = engine!
        adopting.adopt = true
        try adopting.apply(try desired(bridge))  // adopts the bridge, not its addresses
        let index = try XCTUnwrap(engine.read().links.first { $0.name == "br0" }?.index)
        let key = OwnershipRecord.addressKey(pool: "lab", netns: ns.name)
        try OwnershipRecord.update(engine.storageRoots.ownership, pool: key) {
            $0.addresses = [RecordedAddress(ifindex: index, link: "br0", prefix: IPPrefix("10.0.0.1/24")!, adopted: true),
                            RecordedAddress(ifindex: index, link: "br0", prefix: IPPrefix("10.0.1.1/24")!, adopted: true)]
        }
        XCTAssertEqual(try adopting.plan(want).plan.changes, [], "owned by the flagged entries: nothing to adopt")
        XCTAssertEqual(try read()["10.0.0.1/24"]?.proto, 0)
        let prune = try engine.apply(try desired(bridge + "    addresses: [\"10.0.1.1/24\"]\n"))
        XCTAssertEqual(prune.changes.map(\.line), ["- br0: address 10.0.0.1/24  [disruptive]"])
        XCTAssertEqual(Set(try read().keys), ["10.0.1.1/24"])
        XCTAssertEqual(try recordAdopted(), ["br0 10.0.1.1/24"], "the flag survives the record's rewrite after an apply")

        // A flagged entry of another ifindex (br0 deleted and made again by hand) owns nothing.
        try ns.batch(["link del br0", "link add br0 type bridge", "link set br0 up", "addr add 10.0.1.1/24 dev br0"])
        let unowned = Planner.unowned(desired: want, current: try engine.read(for: want)).map(\.object)
        XCTAssertTrue(unowned.contains("address 10.0.1.1/24 on br0"), "\(unowned)")
    }

    /// An address another pool added is refused with the reason, and nothing changes.
    func testAnotherPoolsAddressIsNeverAdopted() throws {
        for forceRecord in [false, true] {
            engine.forceAddressRecord = forceRecord
            try ns.batch(["link add br0 type bridge", "link set br0 up"])
            try engine.apply(try desired("pool: beta\nhosts: [hv01]\nbridges:\n  - name: br0\n    addresses: [\"10.0.0.1/24\"]\n"))
            try ns.ip("addr", "add", "10.0.1.1/24", "dev", "br0")
            let snapshot = try self.snapshot()
            var adopting = engine!
            adopting.adopt = true
            XCTAssertThrowsError(try adopting.apply(try desired(Self.file.replacingOccurrences(of: ", \"2001:db8:0:1::1/64\"", with: "")))) { error in
                let plan = (error as? PlanBlocked)?.plan
                XCTAssertEqual(plan?.problems.map(\.description), [
                    "address 10.0.0.1/24 on br0: belongs to pool beta on this host (its ownership record holds it); --adopt never takes another pool's address: drop it from this file, or from pool beta's first",
                ], "\(error)")
            }
            XCTAssertEqual(try self.snapshot(), snapshot, "nothing changed")
            try ns.ip("link", "del", "br0")
            try? FileManager.default.removeItem(atPath: engine.storageRoots.ownership)
        }
    }
}

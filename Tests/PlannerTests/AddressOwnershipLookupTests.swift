import HostState
import XCTest

/// `AddressOwnership` answers from an index by link and prefix (a scan of the record per address
/// made a no-op plan quadratic). The answers must be the scan's: here the scan is written out
/// again as the reference and both are asked about random records, where the same link and
/// prefix recur with other ifindexes and adoption flags, in both modes, and after the record
/// is changed in place (as the simulator does).
final class AddressOwnershipLookupTests: XCTestCase {
    /// The rules as they read before the index, one scan per question.
    func referenceIsPools(_ o: AddressOwnership, _ a: AddressState, _ link: LinkState, poolLink: Bool) -> Bool {
        switch o.mode {
        case .kernelMark:
            guard a.proto == Ownership.addressProtocol else {
                return o.recorded?.contains { $0.adopted && $0.ifindex == link.index && $0.link == a.link && $0.prefix == a.prefix } ?? false
            }
            if let recorded = o.recorded { return recorded.contains { $0.link == a.link && $0.prefix == a.prefix } }
            return poolLink && !o.otherPools.contains { $0.link == a.link && $0.prefix == a.prefix }
        case .record:
            return o.recorded?.contains { $0.ifindex == link.index && $0.link == a.link && $0.prefix == a.prefix } ?? false
        }
    }

    func referenceIsOtherPools(_ o: AddressOwnership, _ a: AddressState, _ link: LinkState) -> Bool {
        switch o.mode {
        case .kernelMark:
            if a.proto != Ownership.addressProtocol {
                return o.otherPools.contains { $0.adopted && $0.ifindex == link.index && $0.link == a.link && $0.prefix == a.prefix }
            }
            return o.otherPools.contains { $0.link == a.link && $0.prefix == a.prefix }
        case .record:
            return o.otherPools.contains { $0.ifindex == link.index && $0.link == a.link && $0.prefix == a.prefix }
        }
    }

    func testTheIndexAnswersAsTheScanDoes() {
        var rng = SystemRandomNumberGenerator()
        let links = ["br0", "br1", "eth0"]
        let prefixes = ["192.0.2.1/24", "192.0.2.2/24", "198.51.100.1/24"].map { IPPrefix($0)! }
        func entry() -> RecordedAddress {
            RecordedAddress(ifindex: Int32.random(in: 1...3, using: &rng), link: links.randomElement(using: &rng)!,
                            prefix: prefixes.randomElement(using: &rng)!, adopted: Bool.random(using: &rng))
        }
        var answered = (pools: 0, others: 0)
        for round in 0..<400 {
            let recorded: [RecordedAddress]? = round % 5 == 0 ? nil : (0..<Int.random(in: 0...6, using: &rng)).map { _ in entry() }
            var o = AddressOwnership(mode: round % 2 == 0 ? .kernelMark : .record, recorded: recorded,
                                     otherPools: (0..<Int.random(in: 0...4, using: &rng)).map { _ in entry() })
            if round % 3 == 0 {
                // Changed in place, as the simulator and the adoption marks do.
                o.recorded = (o.recorded ?? []) + [entry()]
                o.otherPools.removeAll { $0.link == "br1" }
            }
            for name in links {
                for index in Int32(1)...3 {
                    let link = LinkState(index: index, name: name, kind: .bridge, mtu: 1500, up: true)
                    for prefix in prefixes {
                        for proto in [UInt8(0), Ownership.addressProtocol] {
                            let a = AddressState(link: name, prefix: prefix, proto: proto)
                            for poolLink in [false, true] {
                                let expected = referenceIsPools(o, a, link, poolLink: poolLink)
                                XCTAssertEqual(o.isPools(a, on: link, poolLink: poolLink), expected, "\(o) \(a) on \(name)#\(index)")
                                if expected { answered.pools += 1 }
                            }
                            let expected = referenceIsOtherPools(o, a, link)
                            XCTAssertEqual(o.isOtherPools(a, on: link), expected, "\(o) \(a) on \(name)#\(index)")
                            if expected { answered.others += 1 }
                        }
                    }
                }
            }
        }
        // Both answers occurred, so the comparison was not of two constant falses.
        XCTAssertGreaterThan(answered.pools, 0)
        XCTAssertGreaterThan(answered.others, 0)
    }

    /// The index is not part of what is written or compared: a decoded copy equals the original.
    func testTheIndexSurvivesCodableAndEquality() throws {
        let a = RecordedAddress(ifindex: 4, link: "br0", prefix: IPPrefix("192.0.2.1/24")!)
        let o = AddressOwnership(mode: .record, recorded: [a], otherPools: [])
        let copy = try JSONDecoder().decode(AddressOwnership.self, from: JSONEncoder().encode(o))
        XCTAssertEqual(copy, o)
        let link = LinkState(index: 4, name: "br0", kind: .bridge, mtu: 1500, up: true)
        XCTAssertTrue(copy.isPools(AddressState(link: "br0", prefix: a.prefix), on: link, poolLink: false))
        let json = String(decoding: try JSONEncoder().encode(o), as: UTF8.self)
        XCTAssertFalse(json.contains("ByAddress"), json)
    }
}

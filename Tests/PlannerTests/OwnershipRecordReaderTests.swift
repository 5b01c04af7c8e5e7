import Foundation
import HostState
@testable import Storage
import TestSupport
import XCTest

/// `OwnershipRecordReader` (the fast read of `owned.json`) gives exactly JSONDecoder's record
/// whenever it gives one, and leaves everything it does not take to JSONDecoder. (Here beside
/// `AddressOwnershipLookupTests`, for the seeded generator of TestSupport.)
final class OwnershipRecordReaderTests: XCTestCase {
    var rng = SeededRNG(seed: 17)

    func decoded(_ bytes: [UInt8]) -> OwnershipRecord? { try? JSONDecoder().decode(OwnershipRecord.self, from: Data(bytes)) }

    func randomName() -> String {
        let pieces = ["br", "s", "eth1.30", "san-a", "é", "\"", "\\", "/", "\t", "x y", "\u{1F600}", "\u{7F}"]
        return (0..<Int.random(in: 1...3, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined()
            + String(Int.random(in: 0...999, using: &rng))
    }

    func randomRecord() -> OwnershipRecord {
        func pool() -> PoolRecord {
            let addresses = (0..<Int.random(in: 0...20, using: &rng)).map { _ in
                let v6 = Bool.random(using: &rng)
                let prefix = v6 ? IPPrefix("2001:db8::\(String(Int.random(in: 1...0xffff, using: &rng), radix: 16))/\(Int.random(in: 0...128, using: &rng))")!
                    : IPPrefix("10.\(Int.random(in: 0...255, using: &rng)).\(Int.random(in: 0...255, using: &rng)).1/\(Int.random(in: 0...32, using: &rng))")!
                return RecordedAddress(ifindex: Int32.random(in: 1...Int32.max, using: &rng), link: randomName(), prefix: prefix,
                                       adopted: Int.random(in: 0..<5, using: &rng) == 0)
            }
            return PoolRecord(addresses: addresses, iscsiIfaces: Set((0..<Int.random(in: 0...2, using: &rng)).map { _ in randomName() }))
        }
        var pools: [String: PoolRecord] = [:]
        for _ in 0..<Int.random(in: 0...3, using: &rng) { pools[randomName() + (Bool.random(using: &rng) ? "@netns:lab" : "")] = pool() }
        return OwnershipRecord(pools: pools, unassigned: Bool.random(using: &rng) ? pool() : nil)
    }

    func encoded(_ record: OwnershipRecord, pretty: Bool) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted] : []
        return [UInt8](try encoder.encode(record))
    }

    func testWhatPoolnetWritesIsReadFastAndTheSame() throws {
        for _ in 0..<300 {
            let record = randomRecord()
            for pretty in [true, false] {
                let bytes = try encoded(record, pretty: pretty)
                let fast = OwnershipRecordReader.read(bytes)
                XCTAssertNotNil(fast, "the fast reader takes what poolnet writes: \(String(decoding: bytes, as: UTF8.self))")
                XCTAssertEqual(fast, decoded(bytes))
                XCTAssertEqual(fast?.pools.values.flatMap(\.addresses).count, record.pools.values.flatMap(\.addresses).count)
            }
        }
    }

    /// Every byte deleted, replaced or inserted somewhere: the fast reader either declines or
    /// agrees with JSONDecoder (which may fail, then the fast reader must decline).
    func testAMangledRecordIsNeverReadDifferently() throws {
        let tricky: [UInt8] = Array("\"\\/{}[],:0123456789-+.eEtfnu \n\tabc".utf8) + [0x00, 0x1F, 0x80, 0xC3, 0xFF]
        var declined = 0, agreed = 0
        for _ in 0..<80 {
            let bytes = try encoded(randomRecord(), pretty: Bool.random(using: &rng))
            for _ in 0..<60 {
                var mangled = bytes
                let at = Int.random(in: 0..<mangled.count, using: &rng)
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: mangled.remove(at: at)
                case 1: mangled[at] = tricky.randomElement(using: &rng)!
                default: mangled.insert(tricky.randomElement(using: &rng)!, at: at)
                }
                guard let fast = OwnershipRecordReader.read(mangled) else { declined += 1; continue }
                XCTAssertEqual(fast, decoded(mangled), "fast read differs on \(String(decoding: mangled, as: UTF8.self))")
                agreed += 1
            }
        }
        XCTAssertGreaterThan(declined, 0)
        XCTAssertGreaterThan(agreed, 0, "some mangled records are still valid (a changed digit, an inserted space)")
    }

    /// `OwnershipRecordWriter` writes JSONEncoder's bytes ([.sortedKeys, .prettyPrinted]): names
    /// with every kind of escape, vports, adopted entries, empty and missing parts.
    func testTheWriterWritesJSONEncodersBytes() throws {
        let odd = ["\u{0}", "\u{1}", "\u{8}", "\u{C}", "\n", "\r", "\t", "\u{1B}", "\u{1F}", "\u{7F}", "\"", "\\", "/", "é", "\u{1F600}", "Z", "a"]
        for round in 0..<400 {
            var record = round == 0 ? OwnershipRecord() : randomRecord()
            if round % 3 == 0, !record.pools.isEmpty {
                let key = record.pools.keys.sorted()[0]
                record.pools[key]?.fcVPorts = Set((0..<Int.random(in: 1...3, using: &rng)).map { _ in WWN(UInt64.random(in: 0...UInt64.max, using: &rng)) })
                record.pools[key]?.iscsiIfaces.insert(odd.shuffled(using: &rng).prefix(4).joined())
            }
            if round % 4 == 1 { record.pools[odd.shuffled(using: &rng).prefix(3).joined()] = PoolRecord() }
            // Duplicates, and an address recorded both adopted and not: each written once, in one order.
            if round % 5 == 2, let key = record.pools.keys.sorted().first, let some = record.pools[key]?.addresses, !some.isEmpty {
                var twin = some[0]
                twin.adopted.toggle()
                record.pools[key]?.addresses = (some + some.shuffled(using: &rng) + [twin]).shuffled(using: &rng)
                let written = record.pools[key]!.addressesInOrder
                XCTAssertEqual(Set(written).count, written.count)
                XCTAssertEqual(Set(written), Set(some + [twin]))
                XCTAssertEqual(written, written.sorted { ($0.link, $0.prefix, $0.ifindex, $0.adopted ? 1 : 0) < ($1.link, $1.prefix, $1.ifindex, $1.adopted ? 1 : 0) })
            }
            let expected = try encoded(record, pretty: true)
            XCTAssertEqual(OwnershipRecordWriter.bytes(record), expected, String(decoding: expected, as: UTF8.self))
        }
    }

    func testPrefixesReadAsIPPrefixReadsThem() {
        let alphabet = Array("0123456789./:a ".utf8)
        var texts = ["10.0.0.1/24", "10.0.0.1/0", "10.0.0.1/32", "10.0.0.1/33", "10.0.0.1/08", "10.0.0.1/", "10.0.0.1", "10.0.0.1/2/4",
                     "010.0.0.1/8", "10.0.0.1/+8", "2001:db8::1/64", "/24", "1.2.3.4/100"]
        for _ in 0..<20_000 {
            texts.append(String(decoding: (0..<Int.random(in: 0...16, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }, as: UTF8.self))
        }
        for text in texts { XCTAssertEqual(OwnershipRecordReader.prefix(text), IPPrefix(text), text) }
    }

    func testWhatItDoesNotTakeGoesToJSONDecoder() throws {
        let cases = [
            #"{"iscsi_ifaces": ["san-a"], "fc_vports": ["2101001b32a9da4e"]}"#,   // version 1, the flat format
            #"{"version": 2, "pools": {"a": {"fcVPorts": ["2101001b32a9da4e"]}}}"#,   // a WWN
            #"{"version": 2, "pools": {}, "future": 1}"#,                             // an unknown key
            #"{"version": 2, "version": 2}"#,                                          // a duplicate key
            #"{"version": 2.0}"#, #"{"version": -0}"#, #"{"version": 3}"#, "",
            #"{"version": 2, "pools": {"a": {"addresses": [{"ifindex": 1, "link": "\ud83d\ude00", "prefix": "10.0.0.1/8"}]}}}"#,
            #"{"version": 2, "pools": {"a": {"addresses": [{"ifindex": 4294967296, "link": "x", "prefix": "10.0.0.1/8"}]}}}"#,
            #"{"version": 2, "pools": {"a": {"addresses": [{"ifindex": 1, "link": "x", "prefix": "10.0.0.1/08"}]}}}"#,
            #"{"version": 2, "pools": {"a": {"addresses": [{"ifindex": 1, "link": "\u+123", "prefix": "10.0.0.1/8"}]}}}"#,
        ]
        for text in cases { XCTAssertNil(OwnershipRecordReader.read(Array(text.utf8)), text) }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("owned-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(cases[1].utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertEqual(try OwnershipRecord.load(path).pools["a"]?.fcVPorts.map(\.hex), ["2101001b32a9da4e"], "JSONDecoder reads the WWN")
        try Data(cases[6].utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try OwnershipRecord.load(path), "version 3 is still refused, by JSONDecoder")
        try Data(#"{"version": 2, "pools": {"a": {"addresses": [{"ifindex": 1, "link": "x", "prefix": "bogus"}]}}}"#.utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try OwnershipRecord.load(path)) { XCTAssertTrue("\($0)".contains("bad prefix bogus"), "\($0)") }
    }

    /// Numbers longer than Int holds are JSONDecoder's to refuse, with the file named: reading
    /// them digit by digit overflowed, and an overflow stops the process.
    func testLongNumbersAreAnErrorNotACrash() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("owned-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        for text in [#"{"version": 99999999999999999999}"#, #"{"version": 2, "pools": {"a": {"addresses": [{"ifindex": 12345678901234567890, "link": "x", "prefix": "10.0.0.1/8"}]}}}"#,
                     #"{"version": -99999999999999999999999}"#, #"{"version": 1000000000000000000}"#] {
            XCTAssertNil(OwnershipRecordReader.read(Array(text.utf8)), text)
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            XCTAssertThrowsError(try OwnershipRecord.load(path), text) { XCTAssertTrue("\($0)".contains(path), "\($0)") }
        }
    }
}

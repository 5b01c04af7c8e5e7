import Foundation
import HostState
import Topology
import XCTest

/// The resolved-state cache stores a host's `DesiredState` in `CompactCoding`'s binary form: what
/// it reads back must be exactly what resolving the file gives, for every kind the shipped and
/// golden files declare; bytes cut or changed must be an error or a value, never a crash.
final class ResolvedStateCodingTests: XCTestCase {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardized

    func poolFiles() throws -> [String] {
        let fm = FileManager.default
        let shipped = try fm.contentsOfDirectory(atPath: Self.repo.appendingPathComponent("topologies").path)
            .filter { $0.hasSuffix(".yaml") }.map { Self.repo.appendingPathComponent("topologies/\($0)").path }
        let fixtures = Self.repo.appendingPathComponent("Tests/PlannerTests/Fixtures")
        let golden = try fm.contentsOfDirectory(atPath: fixtures.path).map { fixtures.appendingPathComponent("\($0)/topology.yaml").path }
            .filter { fm.fileExists(atPath: $0) }
        return (shipped + golden).sorted()
    }

    func testEveryHostOfEveryShippedAndGoldenFileReadsBackEqual() throws {
        var hosts = 0
        var kinds = Set<String>()
        for path in try poolFiles() {
            let topology = try Topology.load(path: path)
            for host in topology.hosts {
                let state = try topology.resolve(host: host.name)
                let bytes = try CompactCoding.encode(state)
                let back = try CompactCoding.decode(DesiredState.self, from: bytes)
                XCTAssertEqual(back, state, "\(path) host \(host.name)")
                let json = try JSONDecoder().decode(DesiredState.self, from: try JSONEncoder().encode(state))
                XCTAssertEqual(json, state, "\(path) host \(host.name) (JSON)")
                // Equality is not vacuous: a changed link compares unequal.
                if var changed = Optional(back), let first = changed.bridges.first {
                    changed.bridges[0].mtu = (first.mtu ?? 1500) + 1
                    XCTAssertNotEqual(changed, state, "\(path) host \(host.name)")
                }
                for link in state.links.all { kinds.insert(type(of: link).fileKind) }
                if state.iscsi != nil { kinds.insert("iscsi") }
                if !state.vports.isEmpty { kinds.insert("vport") }
                if !state.nics.isEmpty { kinds.insert("storage_nic") }
                hosts += 1
            }
        }
        XCTAssertGreaterThan(hosts, 40)
        XCTAssertEqual(kinds, ["bridge", "vlan", "bond", "vxlan", "iscsi", "vport", "storage_nic"], "every kind went through the round trip")
    }

    struct Primitives: Codable, Equatable {
        enum Mode: String, Codable { case a, b }
        var i8: Int8, i16: Int16, i32: Int32, i64: Int64, int: Int
        var u8: UInt8, u16: UInt16, u32: UInt32, u64: UInt64, uint: UInt
        var double: Double, float: Float, yes: Bool, no: Bool
        var text: String, empty: String, unicode: String
        var missing: Int?, present: Int?, nils: [Int?]
        var nested: [[String: [UInt32]]], byKey: [SysctlKey: Int], mode: Mode
        var mark: SourceMark, prefixes: [IPPrefix]
    }

    static let primitives = Primitives(
        i8: .min, i16: .max, i32: -1, i64: .min, int: .max, u8: .max, u16: 0, u32: .max, u64: .max, uint: 1 << 40,
        double: -1.5e300, float: 3.25, yes: true, no: false, text: "eth1.30", empty: "", unicode: "brü-∆-🙂",
        missing: nil, present: 0, nils: [1, nil, 3], nested: [["a": [1, 2]], [:], ["": []]],
        byKey: [SysctlKey(.ipv4, "s0", "rp_filter"): 2, SysctlKey(.ipv6, "all", "accept_ra"): -1], mode: .b,
        mark: SourceMark(file: "pool.yaml", line: 12, column: 7),
        prefixes: [IPPrefix("192.0.2.1/24")!, IPPrefix("2001:db8::1/64")!, IPPrefix("0.0.0.0/0")!])

    func testEveryPrimitiveAndLeafReadsBackEqual() throws {
        let bytes = try CompactCoding.encode(Self.primitives)
        XCTAssertEqual(try CompactCoding.decode(Primitives.self, from: bytes), Self.primitives)
        // A value out of the field's range is an error, not a wrapped number.
        struct Small: Codable { var u8: UInt8 }
        struct Large: Codable { var u8: Int }
        XCTAssertThrowsError(try CompactCoding.decode(Small.self, from: try CompactCoding.encode(Large(u8: 256))))
        XCTAssertThrowsError(try CompactCoding.decode(Small.self, from: try CompactCoding.encode(Large(u8: -1))))
    }

    /// Every cut of an encoded state and thousands of changed bytes: an error or a value, never a
    /// trap (a cut entry is a full parse for the cache).
    func testCutAndChangedBytesAreErrorsNotCrashes() throws {
        let topology = try Topology.load(path: try poolFiles().first { $0.hasSuffix("topologies/pool-2host-san.yaml") } ?? poolFiles()[0])
        let state = try topology.resolve(host: topology.hosts[0].name)
        let bytes = try CompactCoding.encode(state)
        for cut in 0..<bytes.count {
            XCTAssertThrowsError(try CompactCoding.decode(DesiredState.self, from: Array(bytes[..<cut])), "cut at \(cut)")
        }
        XCTAssertThrowsError(try CompactCoding.decode(DesiredState.self, from: bytes + [0]), "a trailing byte")
        var generator = SystemRandomNumberGenerator()
        var decoded = 0
        for _ in 0..<5000 {
            var changed = bytes
            for _ in 0..<Int.random(in: 1...3, using: &generator) {
                changed[Int.random(in: 0..<changed.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
            }
            if (try? CompactCoding.decode(DesiredState.self, from: changed)) != nil { decoded += 1 }
        }
        XCTAssertLessThan(decoded, 5000, "changed bytes are noticed at least sometimes")
    }

    /// Numbers past 64 bits or past the field's range are errors (a `.uint` tag, then LEB128).
    func testNumbersPastTheirRangeAreErrors() throws {
        let tagUInt = try CompactCoding.encode(UInt64(1))[0]
        XCTAssertEqual(try CompactCoding.decode(UInt64.self, from: [tagUInt] + Array(repeating: 0xFF, count: 9) + [0x01]), .max)
        XCTAssertThrowsError(try CompactCoding.decode(UInt64.self, from: [tagUInt] + Array(repeating: 0xFF, count: 9) + [0x02]), "65 bits")
        XCTAssertThrowsError(try CompactCoding.decode(UInt64.self, from: [tagUInt] + Array(repeating: 0xFF, count: 11) + [0x01]), "11 bytes")
        XCTAssertThrowsError(try CompactCoding.decode(UInt64.self, from: [tagUInt, 0x80]), "cut inside a number")
    }

    /// The parts of Codable the synthesized conformances do not use, as JSONEncoder/JSONDecoder
    /// handle them: explicit nils, super encoders, a value that opens no container, containers
    /// nested in arrays and objects; a value written through two container kinds is an error.
    func testTheRestOfCodableReadsBackAsJSONWould() throws {
        struct Empty: Codable, Equatable {
            init() {}
            init(from decoder: Decoder) throws {}
            func encode(to encoder: Encoder) throws {}
        }
        struct Handmade: Codable, Equatable {
            var explicitNil: Int?
            var empty: Empty?
            var parent: String
            var rows: [[String: Int]]
            var pairs: [Int]
            enum Keys: String, CodingKey { case explicitNil, empty, rows, pairs }
            init(explicitNil: Int?, empty: Empty?, parent: String, rows: [[String: Int]], pairs: [Int]) {
                (self.explicitNil, self.empty, self.parent, self.rows, self.pairs) = (explicitNil, empty, parent, rows, pairs)
            }
            init(from decoder: Decoder) throws {
                let c = try decoder.container(keyedBy: Keys.self)
                XCTAssertTrue(try c.decodeNil(forKey: .explicitNil))
                explicitNil = try c.decodeIfPresent(Int.self, forKey: .explicitNil)
                empty = try c.decodeIfPresent(Empty.self, forKey: .empty)
                parent = try c.superDecoder().singleValueContainer().decode(String.self)
                var rowList = try c.nestedUnkeyedContainer(forKey: .rows)
                rows = []
                while !rowList.isAtEnd {
                    let row = try rowList.nestedContainer(keyedBy: Keys.self)
                    rows.append(Dictionary(uniqueKeysWithValues: try row.allKeys.map { ($0.rawValue, try row.decode(Int.self, forKey: $0)) }))
                }
                var list = try c.nestedUnkeyedContainer(forKey: .pairs)
                pairs = []
                while !list.isAtEnd {
                    if try list.decodeNil() { pairs.append(-1) } else { pairs.append(try list.decode(Int.self)) }
                }
            }
            func encode(to encoder: Encoder) throws {
                var c = encoder.container(keyedBy: Keys.self)
                try c.encodeNil(forKey: .explicitNil)
                try c.encode(empty, forKey: .empty)
                var sup = c.superEncoder().singleValueContainer()
                try sup.encode(parent)
                var rowList = c.nestedUnkeyedContainer(forKey: .rows)
                for row in rows {
                    var r = rowList.nestedContainer(keyedBy: Keys.self)
                    for (k, v) in row.sorted(by: { $0.key < $1.key }) { try r.encode(v, forKey: Keys(rawValue: k)!) }
                }
                var list = c.nestedUnkeyedContainer(forKey: .pairs)
                for p in pairs { if p == -1 { try list.encodeNil() } else { try list.encode(p) } }
            }
        }
        let value = Handmade(explicitNil: nil, empty: Empty(), parent: "base", rows: [["rows": 1, "pairs": 2], [:]], pairs: [1, -1, 3])
        XCTAssertEqual(try CompactCoding.decode(Handmade.self, from: try CompactCoding.encode(value)), value)
        let json = try JSONDecoder().decode(Handmade.self, from: try JSONEncoder().encode(value))
        XCTAssertEqual(json, value, "the same value through JSON")
        XCTAssertEqual(try CompactCoding.decode([Empty?].self, from: try CompactCoding.encode([Empty(), nil] as [Empty?])), [Empty(), nil])

        struct TwoKinds: Encodable {
            func encode(to encoder: Encoder) throws {
                var keyed = encoder.container(keyedBy: Handmade.Keys.self)
                try keyed.encode(1, forKey: .pairs)
                var list = encoder.unkeyedContainer()
                try list.encode(2)
            }
        }
        XCTAssertThrowsError(try CompactCoding.encode(TwoKinds()))
        XCTAssertThrowsError(try CompactCoding.encode([TwoKinds()]), "also nested")

        // The encoder writes as it goes: a keyed container asked for twice is one object (as in
        // JSONEncoder), a super encoder nothing is written through is an empty object, and a
        // container is closed by its parent's next member, not only by the end of its value.
        struct KeyedTwice: Encodable {
            func encode(to encoder: Encoder) throws {
                var first = encoder.container(keyedBy: Handmade.Keys.self)
                try first.encode(1, forKey: .pairs)
                _ = first.superEncoder()
                var rows = first.nestedUnkeyedContainer(forKey: .rows)
                try rows.encode("r")
                var again = encoder.container(keyedBy: Handmade.Keys.self)
                try again.encode(2, forKey: .explicitNil)
            }
        }
        struct Read: Decodable, Equatable {
            var pairs: Int, explicitNil: Int, rows: [String]
            var empty: Bool
            enum Keys: String, CodingKey { case pairs, explicitNil, rows, `super` }
            init(pairs: Int, explicitNil: Int, rows: [String], empty: Bool) { (self.pairs, self.explicitNil, self.rows, self.empty) = (pairs, explicitNil, rows, empty) }
            init(from decoder: Decoder) throws {
                let c = try decoder.container(keyedBy: Keys.self)
                (pairs, explicitNil, rows) = (try c.decode(Int.self, forKey: .pairs), try c.decode(Int.self, forKey: .explicitNil), try c.decode([String].self, forKey: .rows))
                empty = try c.nestedContainer(keyedBy: Keys.self, forKey: .super).allKeys.isEmpty
            }
        }
        XCTAssertEqual(try CompactCoding.decode(Read.self, from: try CompactCoding.encode(KeyedTwice())), Read(pairs: 1, explicitNil: 2, rows: ["r"], empty: true))
        XCTAssertEqual(try JSONDecoder().decode(Read.self, from: try JSONEncoder().encode(KeyedTwice())), Read(pairs: 1, explicitNil: 2, rows: ["r"], empty: true), "as JSON reads it")
    }
}

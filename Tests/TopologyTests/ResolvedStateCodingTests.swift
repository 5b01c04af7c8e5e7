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
        let overlong: [UInt8] = [7] + Array(repeating: 0xFF, count: 11) + [1]
        XCTAssertThrowsError(try CompactCoding.decode(DesiredState.self, from: overlong), "a number past 64 bits")
    }
}

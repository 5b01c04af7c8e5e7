import Foundation
import Topology
import XCTest

/// The resolved-state cache stores a host's `DesiredState` as JSON: what it reads back must be
/// exactly what resolving the file gives, for every kind the shipped and golden files declare.
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
                let bytes = try JSONEncoder().encode(state)
                let back = try JSONDecoder().decode(DesiredState.self, from: bytes)
                XCTAssertEqual(back, state, "\(path) host \(host.name)")
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
}

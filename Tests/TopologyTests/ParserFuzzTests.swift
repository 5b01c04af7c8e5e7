import Foundation
import TestSupport
import Topology
import XCTest

/// Property test for the parser, run in CI with a bounded count and time: random YAML in the
/// file's own vocabulary and random mutations of the shipped topologies must never crash, and
/// every rejection must be a clean, located error. Reproduce a failure with POOLNET_FUZZ_SEED.
final class ParserFuzzTests: XCTestCase {
    typealias RNG = SeededRNG

    static let keys = ["pool", "hosts", "storage", "layout", "storage_nics", "bridges", "vlans", "bonds", "vxlans", "name",
                       "mtu", "subnet", "addresses", "ports", "stp", "vlan_filtering", "vlans", "pvid", "untagged", "link",
                       "id", "mode", "members", "miimon", "lacp_rate", "xmit_hash_policy", "primary", "vni", "local",
                       "device", "port", "ipv6", "sysctls", "per_host", "default", "index", "vars", "gateway", "rp_filter"]
    static let scalars = ["eth0", "bond0.20", "9000", "0", "-1", "70000", "true", "no", "~", "null", "192.0.2.1/24",
                          "10.0.0.${index + 1}", "${", "${nope}", "${index:02x}", "fd00::${index}", "100-110,200", "4095-1",
                          "802.3ad", "fast", "layer3+4", "\"quoted\"", "'x'", "[a, b]", "{a: 1}", "*anchor", "&a x", "!!str 5",
                          "é", "\u{0}", "\t", ":", "- -", "hv01", "shared-subnet", "off", String(repeating: "x", count: 300),
                          // Arithmetic at the 64-bit edges, names the kernel would rewrite, alias keys (issue 15).
                          "\"${index * 9223372036854775807 * 2}\"", "\"${(0 - 9223372036854775807 - 1) % -1}\"", "\"${index / 0}\"",
                          "\"${" + String(repeating: "-", count: 200) + "index}\"", "\"eth%d\"", "-o", "*k : 1", "[*k]: 1", "? x",
                          "\"12\\n}\\nblacklist {\"", "9223372036854775808"]

    static func seed() -> UInt64 {
        ProcessInfo.processInfo.environment["POOLNET_FUZZ_SEED"].flatMap(UInt64.init) ?? 20261122
    }

    static func randomYAML(_ rng: inout RNG, depth: Int = 0) -> String {
        var out = ""
        let indent = String(repeating: "  ", count: depth)
        for _ in 0..<Int.random(in: 1...5, using: &rng) {
            let key = Self.keys.randomElement(using: &rng)!
            switch Int.random(in: 0..<4, using: &rng) {
            case 0 where depth < 4:
                out += "\(indent)\(key):\n" + randomYAML(&rng, depth: depth + 1)
            case 1 where depth < 4:
                out += "\(indent)\(key):\n"
                for _ in 0..<Int.random(in: 0...3, using: &rng) {
                    out += "\(indent)  - " + (Bool.random(using: &rng) ? Self.scalars.randomElement(using: &rng)! + "\n"
                                                                      : "name: \(Self.scalars.randomElement(using: &rng)!)\n")
                }
            default:
                out += "\(indent)\(key): \(Self.scalars.randomElement(using: &rng)!)\n"
            }
        }
        return out
    }

    static func mutate(_ text: String, _ rng: inout RNG) -> String {
        var chars = Array(text)
        for _ in 0..<Int.random(in: 1...6, using: &rng) where !chars.isEmpty {
            let i = Int.random(in: 0..<chars.count, using: &rng)
            switch Int.random(in: 0..<5, using: &rng) {
            case 0: chars.remove(at: i)
            case 1: chars.insert([":", "-", " ", "\n", "{", "[", "$", "9", "\"", "#"].randomElement(using: &rng)!, at: i)
            case 2: chars[i] = ["x", "0", " ", ":", "\t", "}"].randomElement(using: &rng)!
            case 3:
                let j = Int.random(in: 0..<chars.count, using: &rng)
                chars.swapAt(i, j)
            default:
                let scalar = Self.scalars.randomElement(using: &rng)!
                chars.insert(contentsOf: scalar, at: i)
            }
        }
        return String(chars)
    }

    /// Parse, validate and resolve every host; everything thrown must be a located TopologyError.
    func exercise(_ yaml: String, name: String) -> Bool {
        do {
            let topology = try Topology.parse(yaml: yaml, file: name)
            let errors = topology.validate()
            errors.forEach { check($0, name) }
            if errors.isEmpty {
                for host in topology.hosts { _ = try topology.resolve(host: host.name) }
                return true
            }
        } catch {
            XCTAssertFalse(error.errors.isEmpty, "empty rejection for \(name)")
            error.errors.forEach { check($0, name) }
        }
        return false
    }

    func check(_ e: TopologyError, _ name: String) {
        XCTAssertEqual(e.mark.file, name)
        XCTAssertGreaterThanOrEqual(e.mark.line, 1)
        XCTAssertGreaterThanOrEqual(e.mark.column, 1)
        XCTAssertFalse(e.message.isEmpty)
    }

    /// The shipped topologies' texts, in name order: what the fuzz cases mutate.
    static func shippedTopologies() throws -> [String] {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../topologies").standardized
        return try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".yaml") }.sorted()
            .map { try String(contentsOf: dir.appendingPathComponent($0), encoding: .utf8) }
    }

    /// Case `n`: even cases mutate a shipped topology, odd ones are random files of the vocabulary.
    static func fuzzCase(_ n: Int, corpus: [String], _ rng: inout RNG) -> String {
        n % 2 == 0 ? mutate(corpus[n / 2 % corpus.count], &rng) : "pool: fz\nhosts: [hv01, hv02]\n" + randomYAML(&rng)
    }

    func testRandomAndMutatedFilesNeverCrashAndFailCleanly() throws {
        var rng = RNG(seed: Self.seed())
        let corpus = try Self.shippedTopologies()
        let deadline = Date().addingTimeInterval(30)
        var cases = 0, accepted = 0
        while cases < 4000 && Date() < deadline {
            let yaml = Self.fuzzCase(cases, corpus: corpus, &rng)
            if exercise(yaml, name: "case-\(cases).yaml") { accepted += 1 }
            cases += 1
        }
        print("parser fuzz: \(cases) cases, \(accepted) accepted, seed \(Self.seed())")
        XCTAssertGreaterThanOrEqual(cases, 1000, "too few cases ran in the time bound")
        XCTAssertGreaterThan(accepted, 0, "the generator never produced a valid file: it tests only rejections")
    }
}

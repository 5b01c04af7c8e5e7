import Foundation
import TestSupport
import Topology
import XCTest

/// The hostile side of the parser fuzz test (issue 15): arithmetic extremes, deep nesting, alias
/// bombs and large files, seeded (POOLNET_FUZZ_SEED). None may crash; each must be rejected with
/// a located error within a time bound, and the whole run must stay within a memory bound.
final class ParserBoundsFuzzTests: XCTestCase {
    var rng = SeededRNG(seed: 0)
    let head = "pool: fz\nhosts: [hv01, hv02]\n"

    func pick<T>(_ items: [T]) -> T { items.randomElement(using: &rng)! }
    func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &rng) }

    func arithmetic() -> String {
        let atoms = ["index", "9223372036854775807", "(0 - 9223372036854775807 - 1)", "big", "low", "0", "-1", "1", "2"]
        let ops = ["+", "-", "*", "/", "%"]
        var expr = pick(atoms)
        for _ in 0..<int(1...4) { expr = "\(expr) \(pick(ops)) \(pick(atoms))" }
        if Bool.random(using: &rng) { expr = String(repeating: "-", count: int(1...60)) + "(\(expr))" }
        let hosts = "hosts:\n  hv01: { index: \(pick(["1", "9223372036854775807", "-9223372036854775808"])), vars: { big: \"9223372036854775807\", low: \"-9223372036854775808\" } }\n"
        return "pool: fz\n\(hosts)bridges:\n  - name: \"b${\(expr)}\"\n    mtu: \"${\(expr)}\"\n"
    }

    func deepNesting() -> String {
        let depth = int(30...3000)
        switch int(0...3) {
        case 0: return head + "bridges: " + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "\n"
        case 1: return head + "bridges: " + String(repeating: "{a: ", count: depth) + "x" + String(repeating: "}", count: depth) + "\n"
        case 2: return head + "bridges:\n" + (1...min(depth, 900)).map { String(repeating: "  ", count: $0) + "-\n" }.joined()
        default:
            let parens = int(10...5000)
            return head + "bridges:\n  - name: \"b${" + String(repeating: "(", count: parens) + "index" + String(repeating: ")", count: parens) + "}\"\n"
        }
    }

    func aliasBomb() -> String {
        switch int(0...3) {
        case 0:  // billion laughs
            let fan = int(2...12), levels = int(3...12)
            var yaml = head + "x0: &a0 [" + Array(repeating: "{name: b}", count: fan).joined(separator: ", ") + "]\n"
            for l in 1..<levels { yaml += "x\(l): &a\(l) [" + Array(repeating: "*a\(l - 1)", count: fan).joined(separator: ", ") + "]\n" }
            return yaml + "bridges: *a\(levels - 1)\n"
        case 1:  // one list reused by many bridges
            let n = int(100...2500)
            return head + "bridges:\n  - { name: b0, ports: &p [" + (0..<n).map { "e\($0)" }.joined(separator: ", ") + "] }\n"
                + (1..<n).map { "  - { name: b\($0), ports: *p }\n" }.joined()
        case 2:  // a bomb as a key
            return head + "x0: &a0 [l, l, l, l, l, l, l, l, l, l]\n" + (1..<8).map { "x\($0): &a\($0) [" + Array(repeating: "*a\($0 - 1)", count: 10).joined(separator: ", ") + "]\n" }.joined()
                + pick(["k: { *a7 : 1 }\n", "*a7 : 1\n", "? *a7\n: 1\n", "[*a7, *a6]: 1\n"])
        default:  // a long chain of aliases
            let n = int(100...20_000)
            return head + "c0: &c0 [x]\n" + (1..<n).map { "c\($0): &c\($0) [*c\($0 - 1)]\n" }.joined()
        }
    }

    func largeFile() -> String {
        switch int(0...2) {
        case 0: return head + "bridges:\n" + String(repeating: "  - { name: br0, mtu: 70000 }\n", count: (InputLimits.maxFileBytes / 30) + 10)
        case 1: return head + "x: [" + String(repeating: "a,", count: int(100_000...600_000)) + "a]\n"
        default: return head + "bridges:\n" + (0..<int(2000...20_000)).map { "  - { name: b\($0), mtu: \(pick(["9000", "70000", "x"])) }\n" }.joined()
        }
    }

    /// CPU seconds of this thread: wall time on a shared machine measures the other jobs too.
    func cpuSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    /// Parses and validates; returns the CPU seconds it took. Every error must be located.
    func reject(_ yaml: String, _ name: String) -> Double {
        let start = cpuSeconds()
        do {
            let topology = try Topology.parse(yaml: yaml, file: name)
            for error in topology.validate() { XCTAssertEqual(error.mark.file, name); XCTAssertGreaterThanOrEqual(error.mark.line, 1) }
        } catch {
            XCTAssertFalse(error.errors.isEmpty, name)
            for e in error.errors {
                XCTAssertEqual(e.mark.file, name)
                XCTAssertGreaterThanOrEqual(e.mark.line, 1)
                XCTAssertFalse(e.message.isEmpty)
            }
            XCTAssertLessThanOrEqual(error.description.split(separator: "\n").count, InputLimits.shownErrors + 1, "uncapped error list for \(name)")
        }
        return cpuSeconds() - start
    }

    /// The process's peak resident set (VmHWM), in MiB.
    func peakMiB() -> Int {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
        return (Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) / 1024
    }

    func testHostileFilesNeverCrashAndAreRejectedWithinBounds() {
        let seed = ProcessInfo.processInfo.environment["POOLNET_FUZZ_SEED"].flatMap(UInt64.init) ?? 20261201
        rng = SeededRNG(seed: seed)
        // Debug builds are ~10-30 times slower than release, where the bound is ~2 s.
        let bound = 10.0
        var slowest = (seconds: 0.0, name: "")
        let deadline = Date().addingTimeInterval(60)
        var cases = 0
        while cases < 40 && Date() < deadline {
            let (kind, yaml): (String, String) = switch cases % 4 {
            case 0: ("arithmetic", arithmetic())
            case 1: ("nesting", deepNesting())
            case 2: ("aliases", aliasBomb())
            default: ("large", largeFile())
            }
            let name = "\(kind)-\(cases).yaml"
            let seconds = reject(yaml, name)
            XCTAssertLessThan(seconds, bound, "\(name) (\(yaml.utf8.count) bytes, seed \(seed)) took \(seconds) s of CPU")
            if seconds > slowest.seconds { slowest = (seconds, name) }
            cases += 1
        }
        print("parser bounds fuzz: \(cases) cases, slowest \(slowest.name) \(String(format: "%.2f", slowest.seconds)) s, peak \(peakMiB()) MiB, seed \(seed)")
        XCTAssertGreaterThanOrEqual(cases, 20, "too few cases ran in the time bound")
        XCTAssertLessThan(peakMiB(), 300, "peak memory")
    }

    func testUnreadableFilesSayWhy() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("poolnet-bounds-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        func message(_ path: String) -> String {
            do { _ = try Topology.load(path: path); return "accepted" } catch { return error.description }
        }
        XCTAssertEqual(message(dir.path + "/missing.yaml"), "\(dir.path)/missing.yaml:1:1: error: cannot read the file: No such file or directory")
        XCTAssertEqual(message(dir.path), "\(dir.path):1:1: error: cannot read the file: Is a directory")
        let big = dir.appendingPathComponent("big.yaml")
        XCTAssertTrue(FileManager.default.createFile(atPath: big.path, contents: nil))
        let handle = try FileHandle(forWritingTo: big)
        try handle.truncate(atOffset: UInt64(InputLimits.maxFileBytes + 1))
        try handle.close()
        XCTAssertEqual(message(big.path), "\(big.path):1:1: error: the file is 16777217 bytes; a pool file may be at most 16 MiB (16777216 bytes)")
        // Not a regular file: the bound holds while reading.
        XCTAssertEqual(message("/dev/zero"), "/dev/zero:1:1: error: the file is larger than 16777216 bytes; a pool file may be at most 16 MiB (16777216 bytes)")
    }
}

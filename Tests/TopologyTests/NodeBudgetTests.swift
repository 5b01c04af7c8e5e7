@testable import Topology
import XCTest

/// The depth bound holds on both of NodeBudget's paths: the full measure for a file with aliases
/// (where the depth can come from what aliases bring in) and the depth-only walk for a file
/// without a `*` (yaml-deep.yaml in the fixtures covers nesting written out).
final class NodeBudgetTests: XCTestCase {
    func errors(_ yaml: String) -> [String] {
        do {
            _ = try Topology.parse(yaml: yaml, file: "t.yaml")
            return []
        } catch { return error.errors.map(\.description) }
    }

    func testDepthBroughtInByAliasesIsCaught() {
        // Each list holds the previous one by alias: 70 levels, none written out.
        var yaml = "pool: t\nhosts: [h1]\nx0: &a0 [1]\n"
        for k in 1..<70 { yaml += "x\(k): &a\(k) [*a\(k - 1)]\n" }
        let found = errors(yaml)
        XCTAssertEqual(found.count, 1, "\(found)")
        XCTAssertTrue(found.first?.contains("nest deeper than \(InputLimits.maxDepth) levels") ?? false, "\(found)")
    }

    func testTheSameDepthWrittenOutIsCaughtAndAShallowerOneIsNot() {
        func nested(_ levels: Int) -> String {
            "pool: t\nhosts: [h1]\nx: " + String(repeating: "[", count: levels) + String(repeating: "]", count: levels) + "\n"
        }
        let deep = errors(nested(70))
        XCTAssertEqual(deep.count, 1, "\(deep)")
        XCTAssertTrue(deep.first?.contains("t.yaml:3:") ?? false, "the deepest list's place: \(deep)")
        XCTAssertTrue(deep.first?.contains("nest deeper than") ?? false, "\(deep)")
        // 63 levels under the root mapping: within the bound, so only the unknown key is reported.
        let shallow = errors(nested(InputLimits.maxDepth - 1))
        XCTAssertFalse(shallow.contains { $0.contains("nest deeper") }, "\(shallow)")
    }

    /// Two anchored lists on one line, reused alike, tie for the largest expansion: the error
    /// names the first of them, the same in every run (a dictionary's order once decided it).
    func testATieForTheLargestExpansionNamesTheFirstListEveryRun() {
        let l = (0..<100).map { "p\($0)" }.joined(separator: ", "), m = (0..<100).map { "q\($0)" }.joined(separator: ", ")
        let yaml = "pool: t\nhosts: [h1]\nx: [&l [\(l)], &m [\(m)]]\ny: [" + Array(repeating: "*l, *m", count: 1001).joined(separator: ", ") + "]\n"
        var seen = Set<String>()
        for _ in 0..<8 {
            let found = errors(yaml)
            XCTAssertEqual(found.count, 1, "\(found)")
            seen.formUnion(found)
        }
        XCTAssertEqual(seen.count, 1, "\(seen)")
        XCTAssertTrue(seen.first?.hasPrefix("t.yaml:3:5: error: aliases would expand the file by") ?? false, "\(seen)")
    }

    /// Aliases of aliases multiply: twenty levels of ten, 1 KB of text, name 10^20 values, past
    /// what a 64-bit count holds. The file is refused with the limit's message, never a trap.
    func testAliasesThatMultiplyPastA64BitCountAreAnErrorNotACrash() {
        var yaml = "pool: t\nhosts: [h1]\nx:\n  l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1...20 { yaml += "  l\(level): &l\(level) [" + Array(repeating: "*l\(level - 1)", count: 10).joined(separator: ", ") + "]\n" }
        XCTAssertLessThan(yaml.utf8.count, 4096)
        let found = errors(yaml)
        XCTAssertEqual(found.count, 1, "\(found)")
        XCTAssertTrue(found.first?.contains("aliases would expand the file by more than \(NodeBudget.ceiling) values; at most \(InputLimits.maxAliasExpansion) are allowed") ?? false, "\(found)")
    }
}

import Foundation
import TestSupport
@testable import Topology
import XCTest
import Yams

/// The parser's own composer (`YAMLComposer`, over libyaml's events) against Yams' composer, the
/// reference it replaced: for every shipped topology, every fixture of the bad-file corpus, and
/// the parser fuzz test's random and mutated files, both see the same document — the same kinds,
/// scalar text, plain or quoted, at the same line and column — or both refuse it.
final class YAMLComposerTests: XCTestCase {
    /// Compares the two trees node by node (aliases written out, as the reader sees them).
    func assertSame(_ mine: YNode, _ theirs: Node, _ name: String, path: String = "", budget: inout Int) {
        budget -= 1
        guard budget > 0 else { return }
        XCTAssertEqual(mine.mark.line, theirs.mark?.line, "\(name) \(path): line")
        XCTAssertEqual(mine.mark.column, theirs.mark?.column, "\(name) \(path): column")
        switch theirs {
        case .scalar(let s):
            XCTAssertEqual(mine.kind, .scalar, "\(name) \(path)")
            XCTAssertEqual(mine.text, s.string, "\(name) \(path)")
            XCTAssertEqual(mine.scalar?.style == .plain || mine.isNull, s.style == .plain, "\(name) \(path): style")
        case .sequence(let items):
            XCTAssertEqual(mine.kind, .sequence, "\(name) \(path)")
            let children = mine.children
            XCTAssertEqual(children.count, items.count, "\(name) \(path)")
            for (i, (a, b)) in zip(children, items).enumerated() { assertSame(a, b, name, path: "\(path)[\(i)]", budget: &budget) }
        case .mapping(let pairs):
            XCTAssertEqual(mine.kind, .mapping, "\(name) \(path)")
            let mineP = mine.pairs
            XCTAssertEqual(mineP.count, pairs.count, "\(name) \(path)")
            for (i, (a, b)) in zip(mineP, pairs).enumerated() {
                assertSame(a.key, b.key, name, path: "\(path).key\(i)", budget: &budget)
                assertSame(a.value, b.value, name, path: "\(path).\(b.key.string ?? "?")", budget: &budget)
            }
        case .alias:
            XCTFail("\(name) \(path): Yams left an alias unresolved")
        }
    }

    /// Returns whether the document was accepted (so a test can require both kinds of case).
    @discardableResult
    func compare(_ yaml: String, _ name: String) -> Bool {
        let outcome = YAMLComposer.compose(yaml, file: name, expectedNodes: 16)
        let reference: Result<Node?, Error> = Result { try Yams.compose(yaml: yaml, .basic) }
        var budget = 20_000
        switch (outcome, reference) {
        case (.tree(let tree), .success(let node?)):
            assertSame(tree.root!, node, name, budget: &budget)
            return true
        case (.empty, .success(nil)):
            return false
        case (.askYams(nil), .failure):
            return false
        case (.askYams(let tree?), .failure(let error)):
            // A key written twice: Yams reports it.
            guard case YamlError.duplicatedKeysInMapping = error else { XCTFail("\(name): \(error)"); return false }
            _ = tree
            return false
        case (.askYams(let tree?), .success(let node?)):
            // Only a key written twice that Yams tells apart by an explicit tag: the trees still agree.
            XCTAssertTrue(yaml.contains("!"), "\(name): handed to Yams without a tag")
            assertSame(tree.root!, node, name, budget: &budget)
            return true
        default:
            XCTFail("\(name): the composer gave \(outcome), Yams \(reference)\n\(yaml.prefix(400))")
            return false
        }
    }

    func testTheShippedTopologiesAndTheBadFileCorpusComposeAsYamsComposesThem() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        var files: [URL] = []
        for dir in [root.appendingPathComponent("../../topologies").standardized, ValidationCorpusTests.fixtures.appendingPathComponent("bad")] {
            files += try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".yaml") }.sorted()
                .map { dir.appendingPathComponent($0) }
        }
        XCTAssertGreaterThan(files.count, 60)
        var accepted = 0
        for file in files {
            let yaml = try String(contentsOf: file, encoding: .utf8)
            if compare(yaml, file.lastPathComponent) { accepted += 1 }
        }
        XCTAssertGreaterThan(accepted, 40, "most of these files are valid YAML")
        XCTAssertLessThan(accepted, files.count, "the corpus holds YAML syntax errors too")
    }

    func testAnchorsAliasesStylesTagsAndEdgeCases() {
        let cases = [
            "", "---\n", "# only a comment\n", "a: 1\n---\nb: 2\n", "a: *nope\n", "a: &x [1, 2]\nb: *x\nc: &x {k: v}\nd: *x\n",
            "a: &x [*x]\n", "a: 1\na: 2\n", "a: 1\n\"a\": 2\n", "!!str a: 1\na: 2\n", "!!int 1: x\n1: y\n", "? [a, b]\n: 1\n",
            "a: 'single'\nb: \"double\\u00e9\\0z\"\nc: |\n  lit\nd: >\n  fold\ne: ~\nf: null\ng: \"\"\n",
            "a: [1, [2, [3, [4]]]]\n", "- a\n- b: c\n  d: e\n", "a: b: c\n", "a:\n  - x\n - y\n", "\u{FEFF}a: 1\n",
            "a: \"é\"\nb: 日本\n", "a: !custom x\nb: !!binary aGk=\n", "%YAML 1.1\n---\na: 1\n", "a: 1\n...\n",
            String(repeating: "[", count: 1100) + String(repeating: "]", count: 1100) + "\n",
            "k: " + String(repeating: "x", count: 70_000) + "\n",
        ]
        for (i, yaml) in cases.enumerated() { compare(yaml, "case-\(i).yaml") }
    }

    func testTheFuzzTestsRandomAndMutatedFilesComposeAsYamsComposesThem() throws {
        var rng = SeededRNG(seed: ParserFuzzTests.seed())
        let corpus = try ParserFuzzTests.shippedTopologies()
        var accepted = 0, refused = 0
        for n in 0..<1500 {
            let yaml = ParserFuzzTests.fuzzCase(n, corpus: corpus, &rng)
            if compare(yaml, "fuzz-\(n).yaml") { accepted += 1 } else { refused += 1 }
        }
        XCTAssertGreaterThan(accepted, 100)
        XCTAssertGreaterThan(refused, 100)
    }
}

import Foundation
import Topology
import XCTest

/// Every file in Fixtures/bad must be rejected with exactly the messages in its .expected file.
final class ValidationCorpusTests: XCTestCase {
    static let fixtures = Bundle.module.resourceURL!.appendingPathComponent("Fixtures")

    func testEveryBadFileGivesItsExpectedMessages() throws {
        let bad = Self.fixtures.appendingPathComponent("bad")
        let files = try FileManager.default.contentsOfDirectory(atPath: bad.path).filter { $0.hasSuffix(".yaml") }.sorted()
        XCTAssertGreaterThanOrEqual(files.count, 25, "the corpus lost files")
        for name in files {
            let yaml = try String(contentsOf: bad.appendingPathComponent(name), encoding: .utf8)
            let expectedFile = bad.appendingPathComponent(name.replacingOccurrences(of: ".yaml", with: ".expected"))
            let expected = try String(contentsOf: expectedFile, encoding: .utf8).trimmingCharacters(in: .newlines)
            let errors: [TopologyError]
            do {
                errors = try Topology.parse(yaml: yaml, file: "bad/\(name)").validate()
            } catch {
                errors = error.errors
            }
            XCTAssertFalse(errors.isEmpty, "\(name) was accepted")
            let actual = TopologyErrors(errors).description
            // POOLNET_UPDATE_CORPUS=1 rewrites the .expected files in the source tree, for review with git diff.
            if ProcessInfo.processInfo.environment["POOLNET_UPDATE_CORPUS"] == "1", actual != expected {
                let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/bad")
                try (actual + "\n").write(to: source.appendingPathComponent(expectedFile.lastPathComponent), atomically: true, encoding: .utf8)
            }
            XCTAssertEqual(actual, expected, "messages for \(name)")
        }
    }

    func testShippedTopologiesAreValid() throws {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../topologies").standardized
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".yaml") }
        XCTAssertGreaterThanOrEqual(files.count, 4)
        for name in files {
            let topology = try Topology.load(path: dir.appendingPathComponent(name).path)
            XCTAssertEqual(topology.validate().map(\.description), [], name)
        }
    }
}

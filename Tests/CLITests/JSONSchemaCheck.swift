import Foundation
import TestSupport
import XCTest

/// Validates JSON outputs against docs/json-schema/<name>.json with the real jsonschema package
/// (scripts/py-setup installs it in its venv).
enum JSONSchemaCheck {
    static let python = (ProcessInfo.processInfo.environment["POOLNET_PY_CACHE"] ?? "/var/lib/poolnet-py") + "/venv/bin/python"

    static var unavailableReason: String? {
        FileManager.default.isExecutableFile(atPath: python) ? nil : "jsonschema is missing: run scripts/py-setup (scripts/test does)"
    }

    /// Fails the test unless every output matches its schema.
    static func validate(_ outputs: [(schema: String, json: String)], file: StaticString = #filePath, line: UInt = #line) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pn-schema-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var args: [String] = []
        for (i, output) in outputs.enumerated() {
            XCTAssertFalse(output.json.isEmpty, "output \(i) (\(output.schema)) is empty", file: file, line: line)
            let path = dir.appendingPathComponent("out-\(i).json").path
            try output.json.write(toFile: path, atomically: true, encoding: .utf8)
            args += [CLITests.repo.appendingPathComponent("docs/json-schema/\(output.schema).json").path, path]
        }
        let script = """
        import json, sys, jsonschema
        args = sys.argv[1:]
        for schema, instance in zip(args[::2], args[1::2]):
            jsonschema.validate(json.load(open(instance)), json.load(open(schema)),
                                format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
            print("ok", instance)
        """
        let result = try runProcess([python, "-c", script] + args)
        XCTAssertEqual(result.status, 0, result.stderr, file: file, line: line)
        XCTAssertEqual(result.stdout.split(separator: "\n").count, outputs.count, result.stdout, file: file, line: line)
    }
}

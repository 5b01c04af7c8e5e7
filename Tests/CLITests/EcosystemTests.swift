import Foundation
import TestSupport
import XCTest

/// poolnet as config management and cron use it, with the real tools: ansible-playbook running
/// the module in examples/ansible, prometheus_client parsing `check --textfile`, jsonschema
/// validating every --json output against docs/json-schema. scripts/py-setup installs them.
final class EcosystemTests: XCTestCase {
    var ns: TestNamespace!
    var dir: URL!

    static let venv = (ProcessInfo.processInfo.environment["POOLNET_PY_CACHE"] ?? "/var/lib/poolnet-py") + "/venv/bin"
    static let demo = CLITests.repo.appendingPathComponent("topologies/demo.yaml").path

    override func setUpWithError() throws {
        if let reason = TestNamespace.unavailableReason { throw XCTSkip(reason) }
        guard FileManager.default.isExecutableFile(atPath: "\(Self.venv)/ansible-playbook") else {
            XCTFail("the Python tools are missing: run scripts/py-setup (scripts/test does)")
            return
        }
        ns = try TestNamespace("eco")
        for nic in ["san0", "san1", "guest0"] { try ns.addNIC(nic) }
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("pn-eco-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDown() {
        ns = nil
        if let dir { try? FileManager.default.removeItem(at: dir) }
    }

    func poolnet(_ args: String...) throws -> ProcessResult {
        try runProcess([CLITests.binary] + args + ["--state-dir", dir.appendingPathComponent("state").path])
    }

    func python(_ script: String, _ args: String...) throws -> ProcessResult {
        try runProcess(["\(Self.venv)/python", "-c", script] + args)
    }

    // MARK: Prometheus textfile

    func metrics(_ path: String) throws -> [String: Double] {
        let parse = """
        import json, sys
        from prometheus_client.parser import text_string_to_metric_families
        out = {}
        for family in text_string_to_metric_families(open(sys.argv[1]).read()):
            for s in family.samples:
                out[s.name + ("{kind=%s}" % s.labels["kind"] if "kind" in s.labels else "")] = s.value
        print(json.dumps(out))
        """
        let result = try python(parse, path)
        XCTAssertEqual(result.status, 0, result.stderr)
        return try JSONDecoder().decode([String: Double].self, from: Data(result.stdout.utf8))
    }

    func testCheckTextfileIsValidPrometheusTextAndTracksDrift() throws {
        let file = dir.appendingPathComponent("poolnet.prom").path
        let before = try poolnet("check", Self.demo, "--host", "hv01", "--netns", ns.name, "--textfile", file)
        XCTAssertEqual(before.status, 2, before.stderr)
        var m = try metrics(file)
        XCTAssertEqual(m["poolnet_check_success"], 0)
        XCTAssertGreaterThan(m["poolnet_drift{kind=link}"] ?? 0, 0)
        XCTAssertGreaterThan(m["poolnet_drift{kind=address}"] ?? 0, 0)
        XCTAssertEqual(m["poolnet_drift{kind=iscsi}"], 0, "every kind is there, 0 when clean")
        XCTAssertEqual(m["poolnet_check_timestamp_seconds"] ?? 0, Date().timeIntervalSince1970, accuracy: 60)

        XCTAssertEqual(try poolnet("apply", Self.demo, "--host", "hv01", "--netns", ns.name).status, 2)
        XCTAssertEqual(try poolnet("check", Self.demo, "--host", "hv01", "--netns", ns.name, "--textfile", file).status, 0)
        m = try metrics(file)
        XCTAssertEqual(m["poolnet_check_success"], 1)
        XCTAssertEqual(m.filter { $0.key.hasPrefix("poolnet_drift") }.values.reduce(0, +), 0)
        XCTAssertFalse(try FileManager.default.contentsOfDirectory(atPath: dir.path).contains { $0.hasSuffix(".tmp") }, "written through a rename")
    }

    // MARK: JSON schemas

    func testEveryJSONOutputMatchesItsSchema() throws {
        var cases: [(schema: String, output: String)] = []
        func record(_ schema: String, _ result: ProcessResult) { cases.append((schema, result.stdout)) }
        record("validate", try runProcess([CLITests.binary, "validate", "--json", Self.demo]))
        record("validate", try runProcess([CLITests.binary, "validate", "--json", CLITests.repo.appendingPathComponent("Tests/TopologyTests/Fixtures/bad/fc-naa6.yaml").path]))
        record("plan", try poolnet("plan", Self.demo, "--host", "hv01", "--netns", ns.name, "--json"))
        record("plan", try poolnet("check", Self.demo, "--host", "hv01", "--netns", ns.name, "--json"))
        record("plan", try poolnet("apply", Self.demo, "--host", "hv01", "--netns", ns.name, "--json"))
        record("plan", try poolnet("apply", Self.demo, "--host", "hv01", "--netns", ns.name, "--json"))
        record("show", try poolnet("show", "--host", "hv01", "--netns", ns.name, "--json"))
        record("show", try poolnet("show", Self.demo, "--host", "hv01", "--netns", ns.name, "--json"))
        try JSONSchemaCheck.validate(cases.map { ($0.schema, $0.output) })
    }

    // MARK: Ansible

    func playbook(_ inventory: String, _ extra: String...) throws -> ProcessResult {
        let inv = dir.appendingPathComponent("inventory.ini").path
        try inventory.write(toFile: inv, atomically: true, encoding: .utf8)
        let book = CLITests.repo.appendingPathComponent("examples/ansible/rollout.yml").path
        return try runProcess(["\(Self.venv)/ansible-playbook", "-i", inv, book] + extra, environment: [
            "LC_ALL": "C.UTF-8", "ANSIBLE_NOCOLOR": "1", "ANSIBLE_FORCE_COLOR": "0", "ANSIBLE_RETRY_FILES_ENABLED": "0",
            "ANSIBLE_LOCAL_TEMP": dir.appendingPathComponent("ansible-local").path,
            "ANSIBLE_REMOTE_TEMP": dir.appendingPathComponent("ansible-remote").path,
            "ANSIBLE_HOME": dir.appendingPathComponent("ansible-home").path,
        ])
    }

    func inventory(hosts: [(String, String)]) -> String {
        var text = "[pool]\n"
        for (host, netns) in hosts {
            text += "\(host) ansible_connection=local ansible_python_interpreter=\(Self.venv)/python poolnet_netns=\(netns)\n"
        }
        text += "[pool:vars]\npoolnet_file=\(Self.demo)\npoolnet_binary=\(CLITests.binary)\npoolnet_state_dir=\(dir.appendingPathComponent("state").path)\n"
        return text
    }

    func recap(_ result: ProcessResult) -> [String] {
        result.stdout.split(separator: "\n").map(String.init).filter { $0.contains(" : ok=") }
            .map { $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") }
    }

    func testPlaybookCheckModeThenApplyThenIdempotent() throws {
        let inv = inventory(hosts: [("hv01", ns.name)])
        let dry = try playbook(inv, "--check", "--diff")
        XCTAssertEqual(dry.status, 0, dry.stdout + dry.stderr)
        XCTAssertEqual(recap(dry), ["hv01 : ok=1 changed=1 unreachable=0 failed=0 skipped=1 rescued=0 ignored=0"], dry.stdout)
        XCTAssertTrue(dry.stdout.contains("+ bridge xenbr-priv0"), "the diff shows the plan: \(dry.stdout)")
        XCTAssertNil(try ns.links()["xenbr-priv0"], "check mode applies nothing")

        let real = try playbook(inv)
        XCTAssertEqual(recap(real), ["hv01 : ok=1 changed=1 unreachable=0 failed=0 skipped=1 rescued=0 ignored=0"], real.stdout + real.stderr)
        XCTAssertNotNil(try ns.links()["xenbr-priv0"])

        let again = try playbook(inv)
        XCTAssertEqual(recap(again), ["hv01 : ok=1 changed=0 unreachable=0 failed=0 skipped=1 rescued=0 ignored=0"], again.stdout + again.stderr)
        for line in recap(dry) + recap(real) + recap(again) { FileHandle.standardError.write(Data("[ansible recap] \(line)\n".utf8)) }
    }

    func testRolloutStopsAtTheFirstFailedHost() throws {
        // hv01 points at a namespace that does not exist: its apply fails, and hv02 is never touched.
        let result = try playbook(inventory(hosts: [("hv01", "pn-no-such-ns"), ("hv02", ns.name)]))
        XCTAssertNotEqual(result.status, 0)
        let lines = recap(result)
        XCTAssertTrue(lines.contains { $0.hasPrefix("hv01 : ok=0 changed=0 unreachable=0 failed=1") }, result.stdout)
        XCTAssertFalse(lines.contains { $0.hasPrefix("hv02 : ok=1") }, "serial 1 and any_errors_fatal stop the rollout: \(result.stdout)")
        XCTAssertNil(try ns.links()["xenbr-priv0"], "hv02 unchanged")
        XCTAssertTrue(result.stdout.contains("pn-no-such-ns"), "the failure says why: \(result.stdout)")
    }
}

/// `show --format dot`: real output rendered by Graphviz; drift drawn red.
final class DiagramTests: XCTestCase {
    func testDotRendersForEveryTopologyAndMarksDrift() throws {
        let topologies = CLITests.repo.appendingPathComponent("topologies")
        for name in try FileManager.default.contentsOfDirectory(atPath: topologies.path).sorted() where name.hasSuffix(".yaml") {
            let dot = try runProcess([CLITests.binary, "show", "--format", "dot", "--pool", topologies.appendingPathComponent(name).path])
            XCTAssertEqual(dot.status, 0, "\(name): \(dot.stderr)")
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("pn-\(name).dot").path
            try dot.stdout.write(toFile: file, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(atPath: file) }
            let svg = try runProcess(["dot", "-Tsvg", file])
            XCTAssertEqual(svg.status, 0, "\(name): dot refused it: \(svg.stderr)")
            XCTAssertTrue(svg.stdout.contains("<svg"), name)
        }
        // One host against a live namespace: before apply everything is drift (red), after none.
        guard TestNamespace.unavailableReason == nil else { return }
        let ns = try TestNamespace("dot")
        for nic in ["san0", "san1", "guest0"] { try ns.addNIC(nic) }
        let demo = topologies.appendingPathComponent("demo.yaml").path
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("pn-dot-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: state) }
        let before = try runProcess([CLITests.binary, "show", demo, "--format", "dot", "--host", "hv01", "--netns", ns.name])
        XCTAssertTrue(before.stdout.contains("\"xenbr-priv0\" [label=\"xenbr-priv0 (bridge)\\nmtu 9000\\n203.0.113.1/28\", shape=box3d, color=red"), before.stdout)
        _ = try runProcess([CLITests.binary, "apply", demo, "--host", "hv01", "--netns", ns.name, "--state-dir", state])
        let after = try runProcess([CLITests.binary, "show", demo, "--format", "dot", "--host", "hv01", "--netns", ns.name])
        XCTAssertFalse(after.stdout.contains("color=red"), after.stdout)
        let svg = try runProcess([CLITests.binary, "show", demo, "--format", "svg", "--host", "hv01", "--netns", ns.name])
        XCTAssertEqual(svg.status, 0, svg.stderr)
        XCTAssertTrue(svg.stdout.hasPrefix("<?xml"), svg.stdout)
    }
}

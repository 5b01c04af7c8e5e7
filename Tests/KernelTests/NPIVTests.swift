import Engine
import Foundation
import HostState
import Logging
import Planner
import TestSupport
import Topology
import XCTest

/// NPIV for real: software FCoE (VN2VN mode) on a veth gives an fc_host with vport_create, without
/// any FC hardware. No fabric answers, so vports settle in the state the kernel gives them
/// ("No Fabric Support" or "Linkdown"); the test asserts that state and that check reports it.
final class NPIVTests: XCTestCase, PoolFileTesting {
    var poolHost: String { "vmhost" }
    var engine: Engine!
    var state: URL!
    var parent: WWN!
    var hostName: String!
    let nic = "pnfc0"

    static func sys(_ path: String) -> String? {
        (try? String(contentsOfFile: "/sys/\(path)", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    struct SysfsWriteFailed: Error, CustomStringConvertible {
        var text: String, path: String, error: Error
        var description: String { "writing \"\(text)\" to /sys/\(path): \(error.localizedDescription)" }
    }

    /// One write(2) of the value, whose errno is the kernel's answer (sh's echo reports every
    /// failed write as "I/O error", hiding an EINVAL or EBUSY).
    static func write(_ text: String, to path: String) throws {
        do {
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: "/sys/\(path)"))
            defer { try? handle.close() }
            try handle.write(contentsOf: Data((text + "\n").utf8))
        } catch {
            throw SysfsWriteFailed(text: text, path: path, error: error)
        }
    }

    override func setUpWithError() throws {
        guard KernelFeature.inVM else { throw XCTSkip("software FCoE needs the VM tier's kernel (scripts/vm-test)") }
        guard FileManager.default.fileExists(atPath: "/sys/bus/fcoe/ctlr_create") else {
            XCTFail("the VM lacks the fcoe module (Tests/vm/inside.sh loads it)")
            throw XCTSkip("failed: fcoe missing")
        }
        let before = Set((try? FileManager.default.contentsOfDirectory(atPath: "/sys/class/fc_host")) ?? [])
        try must("ip", "link", "add", nic, "type", "veth", "peer", "name", "\(nic)p")
        try must("ip", "link", "set", nic, "up")
        try must("ip", "link", "set", "\(nic)p", "up")
        try Self.write(nic, to: "bus/fcoe/ctlr_create")
        let controllers = try FileManager.default.contentsOfDirectory(atPath: "/sys/bus/fcoe/devices").filter { $0.hasPrefix("ctlr_") }
        let controller = try XCTUnwrap(controllers.first { Self.sys("bus/fcoe/devices/\($0)/enabled") == "0" } ?? controllers.last)
        // The kernel's own spelling, as `mode` reads it back: 6.12 matches the mode names
        // case-sensitively (sysfs_match_string; "vn2vn" is EINVAL there), 6.1 did not.
        try Self.write("VN2VN", to: "bus/fcoe/devices/\(controller)/mode")
        XCTAssertEqual(Self.sys("bus/fcoe/devices/\(controller)/mode"), "VN2VN")
        try Self.write("1", to: "bus/fcoe/devices/\(controller)/enabled")
        var added: [String] = []
        _ = ISCSILab.eventually(10) {
            added = ((try? FileManager.default.contentsOfDirectory(atPath: "/sys/class/fc_host")) ?? []).filter { !before.contains($0) }
            return !added.isEmpty
        }
        hostName = try XCTUnwrap(added.first, "enabling FCoE on \(nic) gave no fc_host")
        parent = try XCTUnwrap(Self.sys("class/fc_host/\(hostName!)/port_name").flatMap(WWN.init(sysfs:)))
        state = FileManager.default.temporaryDirectory.appendingPathComponent("pn-fc-\(UUID().uuidString.prefix(8))")
        var logger = Logger(label: "npiv-test")
        logger.logLevel = .critical
        engine = Engine(netns: nil, logger: logger)
        engine.storageRoots.ownership = state.appendingPathComponent("owned.json").path
    }

    override func tearDown() {
        if let hostName {
            for vport in (try? FileManager.default.contentsOfDirectory(atPath: "/sys/class/fc_vports")) ?? [] where vport.hasPrefix("vport-\(hostName.dropFirst(4)):") {
                if let p = Self.sys("class/fc_vports/\(vport)/port_name").flatMap(WWN.init(sysfs:)),
                   let n = Self.sys("class/fc_vports/\(vport)/node_name").flatMap(WWN.init(sysfs:)) {
                    try? Self.write("\(p.hex):\(n.hex)", to: "class/fc_host/\(hostName)/vport_delete")
                }
            }
        }
        try? Self.write(nic, to: "bus/fcoe/ctlr_destroy")
        _ = try? runProcess(["ip", "link", "delete", nic])
        if let state { try? FileManager.default.removeItem(at: state) }
    }

    func pool(_ names: [String]) -> String {
        var text = """
        pool: lab
        hosts:
          vmhost: { index: 1, vars: { hba: "\(parent!)" } }
        fc:
          vports:

        """
        if names.contains("fab-a") {
            text += "    - { name: fab-a, parent: \"${vars.hba}\", wwpn: \"21:01:00:1b:32:a9:da:0${index}\", wwnn: \"0x2001001b32a9da0${index}\", symbolic_name: \"poolnet ${name} A\" }\n"
        }
        if names.contains("fab-b") {
            text += "    - { name: fab-b, parent: \"${vars.hba}\", wwpn: \"2101001b32a9db0${index}\", wwnn: \"2001001b32a9db0${index}\" }\n"
        }
        return text
    }

    func vports() -> [WWN: (name: String, state: String)] {
        var result: [WWN: (String, String)] = [:]
        for name in (try? FileManager.default.contentsOfDirectory(atPath: "/sys/class/fc_vports")) ?? [] {
            if let p = Self.sys("class/fc_vports/\(name)/port_name").flatMap(WWN.init(sysfs:)) { result[p] = (name, Self.sys("class/fc_vports/\(name)/vport_state") ?? "?") }
        }
        return result
    }

    func testCreateIdempotentReportPruneAndLeaveForeignAlone() throws {
        // A vport someone made by hand: never poolnet's to delete.
        let foreign = try WWN.parse("2101001b32a9dc01").get()
        try Self.write("\(foreign.hex):2001001b32a9dc01", to: "class/fc_host/\(hostName!)/vport_create")

        let a = try WWN.parse("2101001b32a9da01").get(), b = try WWN.parse("2101001b32a9db01").get()
        let applied = try engine.apply(try desired(pool(["fab-a", "fab-b"])))
        XCTAssertEqual(applied.changes.map(\.line).filter { $0.hasPrefix("+ fc vport") }.count, 2, applied.renderPlan())
        var live = vports()
        XCTAssertNotNil(live[a])
        XCTAssertNotNil(live[b])
        XCTAssertEqual(Self.sys("class/fc_vports/\(live[a]!.name)/symbolic_name"), "poolnet vmhost A")
        XCTAssertEqual(Self.sys("class/fc_host/\(hostName!)/npiv_vports_inuse"), "3")

        // What the kernel says without a fabric is what check says, word for word.
        let observed = live[a]!.state
        FileHandle.standardError.write(Data("[npiv] vport state without a fabric (VN2VN): \(observed)\n".utf8))
        XCTAssertTrue(["No Fabric Support", "Linkdown", "Initializing", "Active"].contains(observed), observed)
        // Both the parent's port state and the vport's own can move while the emulated link
        // settles (Offline then Online, Linkdown then No Fabric Support, both seen in CI): the
        // finding must name states read just before or just after the plan, word for word.
        let vportBefore = Self.sys("class/fc_vports/\(live[a]!.name)/vport_state") ?? "?"
        let parentBefore = Self.sys("class/fc_host/\(hostName!)/port_state") ?? "?"
        let health = try engine.plan(try desired(pool(["fab-a", "fab-b"])), health: true).plan
        let vportAfter = Self.sys("class/fc_vports/\(live[a]!.name)/vport_state") ?? "?"
        let parentAfter = Self.sys("class/fc_host/\(hostName!)/port_state") ?? "?"
        XCTAssertEqual(health.changes, [], "a second plan is empty")
        if vportBefore != "Active" || vportAfter != "Active" {
            var expected = Set<String>()
            for state in [vportBefore, vportAfter] where state != "Active" {
                for parentState in [parentBefore, parentAfter] {
                    expected.insert("vport fab-a: E_FC_VPORT_STATE: \(live[a]!.name) (wwpn \(a)) is \"\(state)\", expected Active; parent \(hostName!) is \(parentState)")
                }
            }
            let finding = health.health.first { $0.description.hasPrefix("vport fab-a: ") }
            if let finding { XCTAssertTrue(expected.contains(finding.description), "\(expected.sorted())\n" + health.renderDrift()) }
            // No finding is right only when the vport became Active in between.
            else { XCTAssertEqual(vportAfter, "Active", health.renderDrift()) }
        }
        XCTAssertEqual(try engine.apply(try desired(pool(["fab-a", "fab-b"]))).changes, [], "a second apply does nothing")

        // Dropping fab-b deletes it; the foreign vport stays.
        let pruned = try engine.apply(try desired(pool(["fab-a"])))
        XCTAssertEqual(pruned.changes.map(\.line), ["- fc vport \(live[b]!.name) (wwpn \(b), wwnn 2001001b32a9db01 on port \(parent!)) (no longer in the file)  [disruptive]"])
        live = vports()
        XCTAssertNil(live[b])
        XCTAssertNotNil(live[a])
        XCTAssertNotNil(live[foreign], "a vport poolnet did not create is left alone")

        // A foreign vport holding a declared WWPN blocks the plan instead of being taken over.
        let clash = try desired(pool(["fab-a"]).replacingOccurrences(of: "21:01:00:1b:32:a9:da:0${index}", with: "2101001b32a9dc01")
            .replacingOccurrences(of: "0x2001001b32a9da0${index}", with: "0x2001001b32a9dd01"))
        let blocked = try engine.plan(clash).plan
        XCTAssertTrue(blocked.problems.contains { $0.message.contains("E_WWN_DUPLICATE: wwpn \(foreign) is used by \(live[foreign]!.name)") }, blocked.renderPlan())
    }

    /// `poolnet import` of vports made by hand (vport_create, a symbolic name written to sysfs): the
    /// fc: section names them by WWPN with the parent's WWPN, and plans nothing; the port made over
    /// as a second host, the two imports merge with the WWPNs as a hex expression over the index.
    func testHandMadeVPortsImportPlansNothingAndMergeAcrossTwoHosts() throws {
        func makeByHand(_ host: Int) throws -> [(WWN, WWN)] {
            let names = try [0x0a, 0x1a].map { base in
                (try WWN.parse(String(format: "2101001b32a9%02x%02x", base, 9 + host)).get(), try WWN.parse(String(format: "2001001b32a9%02x%02x", base, 9 + host)).get())
            }
            for (port, node) in names { try Self.write("\(port.hex):\(node.hex)", to: "class/fc_host/\(hostName!)/vport_create") }
            let first = try XCTUnwrap(vports()[names[0].0], "the vport made by hand is under fc_vports")
            try Self.write("by hand hv0\(host)", to: "class/fc_vports/\(first.name)/symbolic_name")
            return names
        }
        func importHost(_ host: Int) throws -> String {
            let result = try runProcess([ISCSITests.poolnetBinary, "import", "--host", "hv0\(host)", "--index", "\(host)", "--pool", "lab"])
            XCTAssertEqual(result.status, 0, result.stderr)
            return result.stdout
        }
        func assertPlansNothing(_ text: String, host: String) throws {
            let topology = try Topology.parse(yaml: text, file: "\(host).yaml")
            XCTAssertEqual(topology.validate().filter { !$0.isWarning }.map(\.description), [], text)
            let plan = try engine.plan(try topology.resolve(host: host)).plan
            XCTAssertEqual(plan.changes.map(\.line), [], "\(plan.renderPlan())\n\(text)")
            XCTAssertEqual(plan.problems.map(\.message), [], text)
        }

        let first = try makeByHand(1)
        let hv01 = try importHost(1)
        for expected in ["fc:", "parent: \(parent!.hex)", "wwpn: 2101001b32a90a0a", "wwnn: 2001001b32a90a0a", "symbolic_name: \"by hand hv01\"",
                         "wwpn: 2101001b32a91a0a"] {
            XCTAssertTrue(hv01.contains(expected), "\(expected) in:\n\(hv01)")
        }
        XCTAssertFalse(hv01.contains("NPIV"), "no vport is left as a note:\n\(hv01)")
        try assertPlansNothing(hv01, host: "hv01")

        for (port, node) in first { try Self.write("\(port.hex):\(node.hex)", to: "class/fc_host/\(hostName!)/vport_delete") }
        _ = ISCSILab.eventually(10) { vports()[first[0].0] == nil && vports()[first[1].0] == nil }
        _ = try makeByHand(2)
        let hv02 = try importHost(2)
        try assertPlansNothing(hv02, host: "hv02")

        let files = try [hv01, hv02].enumerated().map { i, text in
            let path = state.appendingPathComponent("hv0\(i + 1).yaml").path
            try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        let merge = try runProcess([ISCSITests.poolnetBinary, "import", "--merge"] + files)
        XCTAssertEqual(merge.status, 0, merge.stderr)
        for expected in ["wwpn: \"2101001b32a90a${index + 9:02x}\"", "wwnn: \"2001001b32a91a${index + 9:02x}\"",
                         "symbolic_name: \"by hand hv${index:02d}\"", "parent: \(parent!.hex)"] {
            XCTAssertTrue(merge.stdout.contains(expected), "\(expected) in:\n\(merge.stdout)")
        }
        try assertPlansNothing(merge.stdout, host: "hv02")
        try adoptThenPrune(merge.stdout)
    }

    /// The vports made by hand (hv02's): matched but not poolnet's, so `plan` names them;
    /// `apply --adopt` enters their WWPNs in the ownership record and writes nothing to sysfs (the
    /// vports read the same before and after); then a vport the file drops is deleted.
    func adoptThenPrune(_ merged: String) throws {
        let desired = try Topology.parse(yaml: merged, file: "merged.yaml").resolve(host: "hv02")
        XCTAssertEqual(desired.vports.count, 2)
        let (plain, read) = try engine.plan(desired)
        XCTAssertEqual(plain.changes.map(\.line), [])
        XCTAssertEqual(Planner.unowned(desired: desired, current: read).map(\.object),
                       desired.vports.map { "fc vport \($0.name) (wwpn \($0.wwpn) on \(hostName!))" })
        XCTAssertEqual(try ownedVPorts(), [], "nothing is recorded without --adopt")

        engine.adopt = true
        let why = " (entered in poolnet's ownership record, nothing else changes; pruned when the file drops it)"
        let expected = desired.vports.map { "~ fc \(hostName!): adopt vport \($0.wwpn) (\($0.name))" + why }
        let adoption = try engine.plan(desired).plan
        XCTAssertEqual(adoption.changes.map(\.line), expected, adoption.renderPlan())
        let before = sysfsVPorts()
        // The second step failing: the first one's record entry is rolled back (its inverse).
        var failing = engine!
        failing.failStep = 1
        XCTAssertThrowsError(try failing.apply(desired)) { XCTAssertTrue("\($0)".contains("the host is as it was before"), "\($0)") }
        XCTAssertEqual(try ownedVPorts(), [], "rolled back")
        XCTAssertEqual(sysfsVPorts(), before)
        let applied = try engine.apply(desired)
        XCTAssertEqual(applied.changes.map(\.line), expected)
        XCTAssertEqual(sysfsVPorts(), before, "adoption writes nothing to sysfs")
        XCTAssertEqual(try ownedVPorts(), Set(desired.vports.map(\.wwpn.hex)))
        let again = try engine.plan(desired)
        XCTAssertEqual(again.plan.changes.map(\.line), [], "nothing left to adopt")
        XCTAssertEqual(Planner.unowned(desired: desired, current: again.current).map(\.object), [])
        engine.adopt = false

        // The second vport dropped from the file: deleted now that it is poolnet's.
        let gone = desired.vports[1], kept = desired.vports[0]
        let dropped = Self.dropping(listEntryNamed: gone.name, from: merged)
        let without = try Topology.parse(yaml: dropped, file: "dropped.yaml").resolve(host: "hv02")
        XCTAssertEqual(without.vports.map(\.name), [kept.name], dropped)
        let pruned = try engine.apply(without)
        XCTAssertEqual(pruned.changes.count, 1, pruned.renderPlan())
        XCTAssertTrue(pruned.changes.first?.line.hasPrefix("- fc vport ") == true && pruned.changes[0].line.contains("wwpn \(gone.wwpn)"), pruned.renderPlan())
        XCTAssertNil(vports()[gone.wwpn], "deleted (read back from /sys/class/fc_vports)")
        XCTAssertNotNil(vports()[kept.wwpn])
        XCTAssertEqual(try ownedVPorts(), [kept.wwpn.hex])
    }

    /// Every vport's identity and settings as sysfs shows them (state aside: it moves on its own).
    func sysfsVPorts() -> [String: [String?]] {
        var result: [String: [String?]] = [:]
        for name in (try? FileManager.default.contentsOfDirectory(atPath: "/sys/class/fc_vports")) ?? [] {
            result[name] = ["port_name", "node_name", "symbolic_name", "roles", "vport_type"].map { Self.sys("class/fc_vports/\(name)/\($0)") }
        }
        result["inuse"] = [Self.sys("class/fc_host/\(hostName!)/npiv_vports_inuse")]
        return result
    }

    /// The pool's vports in the ownership record, read from the file itself.
    func ownedVPorts() throws -> Set<String> {
        guard let data = FileManager.default.contents(atPath: engine.storageRoots.ownership) else { return [] }
        let record = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let pool = (record["pools"] as? [String: Any])?["lab"] as? [String: Any]
        return Set(pool?["fcVPorts"] as? [String] ?? [])
    }

    /// A YAML file without the list entry `- name: NAME` or `- { name: NAME, … }` (the lines below
    /// it that are indented deeper than its dash go with it).
    static func dropping(listEntryNamed name: String, from text: String) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let heads = ["- name: \(name)", "- name: \"\(name)\"", "- { name: \(name),", "- { name: \"\(name)\","]
        guard let start = lines.firstIndex(where: { line in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            return heads.contains { trimmed == $0 || (trimmed.hasPrefix($0) && $0.hasSuffix(",")) }
        }) else { return text }
        let indent = lines[start].prefix { $0 == " " }.count
        var end = start + 1
        while end < lines.count, lines[end].prefix(while: { $0 == " " }).count > indent, !lines[end].trimmingCharacters(in: .whitespaces).isEmpty { end += 1 }
        lines.removeSubrange(start..<end)
        return lines.joined(separator: "\n")
    }
}

import Engine
import HostState
import Planner
import TestSupport
import Topology
import XCTest

/// Issue 16's "done": a 4-host pool built by hand with `ip`, imported host by host, merged into
/// one file, adopted (links, ports and addresses), then changed through the file alone.
final class ImportTests: NamespaceTestCase {
    var hosts: [TestNamespace] = []

    override func tearDown() {
        hosts = []
        super.tearDown()
    }

    /// Host i: storage NIC san0 (MTU 9000, 10.10.1.(20+i)/24, shared-subnet ARP sysctls), a VXLAN
    /// to the three other hosts over it, a private bridge over the VXLAN with 172.16.50.i/24 and a
    /// guest vif, and a bridge named after the host (br-hI) over a NIC.
    func buildHost(_ host: TestNamespace, index i: Int) throws {
        try host.addNIC("san0")
        try host.addNIC("eth3")
        try host.ip("link", "add", "vif1.0", "type", "veth", "peer", "name", "p-vif")
        try host.batch([
            "link set san0 mtu 9000", "addr add 10.10.1.\(20 + i)/24 dev san0", "link set san0 up",
            "link add vx0 type vxlan id 4100 local 10.10.1.\(20 + i) dev san0 dstport 4789",
            "link set vx0 mtu 8950",
            "link add br-priv type bridge", "link set br-priv mtu 8950", "link set vx0 master br-priv",
            "link set vif1.0 master br-priv", "addr add 172.16.50.\(i)/24 dev br-priv",
            "link add br-h\(i) type bridge", "link set eth3 master br-h\(i)",
            "link set vx0 up", "link set br-priv up", "link set vif1.0 up", "link set br-h\(i) up", "link set eth3 up",
        ])
        for other in 1...4 where other != i {
            try must("bridge", "-n", host.name, "fdb", "append", "00:00:00:00:00:00", "dev", "vx0", "dst", "10.10.1.\(20 + other)")
        }
        for (key, value) in [("arp_ignore", 1), ("arp_announce", 2), ("rp_filter", 2)] {
            try must("ip", "netns", "exec", host.name, "sysctl", "-qw", "net.ipv4.conf.san0.\(key)=\(value)")
        }
    }

    /// Where the kernel cannot re-mark an IPv4 address (Linux 6.1), the record alone decides.
    func engine(_ host: TestNamespace) -> Engine {
        var engine = Engine(netns: host.name, logger: self.engine.logger)
        engine.storageRoots.ownership = self.engine.storageRoots.ownership
        engine.forceAddressRecord = !IPv4Remark.works
        return engine
    }

    func resolve(_ text: String, _ host: String) throws -> [String] {
        PoolFileMerge.canonical(try Topology.parse(yaml: text, file: "t.yaml").resolve(host: host))
    }

    func testFourHandMadeHostsAreImportedMergedAdoptedAndChangedThroughTheFile() throws {
        hosts = [ns!] + (try (2...4).map { try TestNamespace("imp\($0)") })
        for (i, host) in hosts.enumerated() { try buildHost(host, index: i + 1) }

        // Import each host alone: its file validates and plans nothing on that host.
        var singles: [String] = []
        for (i, host) in hosts.enumerated() {
            let name = "hv0\(i + 1)"
            let imported = LiveImport.host(from: try engine(host).readForImport(), pool: "lab", host: name, index: i + 1)
            let text = try PoolFileMerge.write(pool: "lab", hosts: [imported])
            XCTAssertTrue(text.contains("vif1.0 (port of br-priv)"), "the guest vif is listed as left out:\n\(text)")
            XCTAssertFalse(text.contains("name: vif1.0"), text)
            let plan = try engine(host).plan(try desired(text, host: name)).plan
            XCTAssertEqual(plan.renderPlan(), "host \(name) (pool lab): no changes; the host matches the file.\n", text)
            singles.append(text)
        }

        // Merge: one file; per-host values as expressions; every host resolves to its own file's state.
        let merged = try PoolFileMerge.merge(files: singles.enumerated().map { ("hv0\($0.offset + 1).yaml", $0.element) })
        XCTAssertTrue(merged.contains("\"10.10.1.${index + 20}/24\""), merged)
        XCTAssertTrue(merged.contains("\"172.16.50.${index}/24\""), merged)
        XCTAssertTrue(merged.contains("\"br-h${index}\""), merged)
        XCTAssertFalse(merged.contains("remote_vtep"), "the merged hosts replace the pseudo VTEP hosts:\n\(merged)")
        XCTAssertEqual(merged.components(separatedBy: "name: vx0").count, 2, "one VXLAN object for the pool:\n\(merged)")
        for (i, single) in singles.enumerated() {
            XCTAssertEqual(try resolve(merged, "hv0\(i + 1)"), try resolve(single, "hv0\(i + 1)"))
        }

        // Adopt on each host: only ownership marks are written (link aliases, address protocols).
        for (i, host) in hosts.enumerated() {
            let want = try desired(merged, host: "hv0\(i + 1)")
            try host.waitQuiet()
            let before = try engine(host).read().normalized()
            XCTAssertEqual(Planner.unowned(desired: want, current: before).map(\.object).sorted(),
                           ["address 10.10.1.\(21 + i)/24 on san0", "address 172.16.50.\(i + 1)/24 on br-priv",
                            "bridge br-h\(i + 1)", "bridge br-priv", "port eth3 of bridge br-h\(i + 1)", "vxlan vx0"])
            let kernelMarks = IPv4Remark.works
            var adopting = engine(host)
            adopting.adopt = true
            let monitor = try host.monitor()
            let plan = try adopting.apply(want)
            let events = monitor.stop()
            XCTAssertEqual(plan.changes.map(\.action.summary).sorted(), [
                "br-h\(i + 1): alias none → \"poolnet:lab\"", "br-priv: adopt address 172.16.50.\(i + 1)/24",
                "br-priv: alias none → \"poolnet:lab\"",
                "eth3: alias none → \"poolnet:lab:port\"", "san0: adopt address 10.10.1.\(21 + i)/24", "vx0: alias none → \"poolnet:lab\"",
            ])
            // One link message per link mark and one address message per address re-mark (none
            // where the record alone decides), nothing else: no other link or address touched.
            // (A link-local address whose DAD ends meanwhile is the kernel's own event.)
            let remarks = events.filter { $0.contains(" inet") && !$0.contains(" fe80::") }
            XCTAssertEqual(remarks.compactMap { $0.split(separator: " ").first { $0.contains("/") }.map(String.init) }.sorted(),
                           kernelMarks ? ["10.10.1.\(21 + i)/24", "172.16.50.\(i + 1)/24"] : [], events.joined(separator: "\n"))
            let headers = events.filter { $0.first?.isNumber == true && !$0.contains(" inet") }
            XCTAssertEqual(Set(headers.compactMap { $0.split(separator: ":").dropFirst().first?.trimmingCharacters(in: .whitespaces) }
                                      .map { $0.split(separator: "@").first.map(String.init) ?? $0 }),
                           ["br-h\(i + 1)", "br-priv", "eth3", "vx0"], events.joined(separator: "\n"))
            XCTAssertFalse(events.contains { $0.hasPrefix("Deleted") }, events.joined(separator: "\n"))
            var after = try engine(host).read().normalized()
            for j in after.links.indices { after.links[j].alias = before.links.first { $0.name == after.links[j].name }?.alias }
            for j in after.addresses.indices {
                let was = before.addresses.first { $0.link == after.addresses[j].link && $0.prefix == after.addresses[j].prefix }
                XCTAssertEqual(after.addresses[j].details, was?.details, "flags, lifetimes, label, broadcast of \(after.addresses[j].prefix)")
                after.addresses[j].proto = was?.proto ?? 0
            }
            XCTAssertEqual(after, before, "apart from the marks, the host is as it was")
            XCTAssertEqual(try engine(host).plan(want).plan.changes, [])
        }

        // Drop br-h${index} and br-priv's address from the file: both are pruned on every host, the
        // bridge's NIC released; the rest stays.
        let dropped = Self.removingAddress("172.16.50.${index}/24", from: Self.removingBridge("br-h", from: merged))
        XCTAssertFalse(dropped.contains("br-h") || dropped.contains("172.16.50"), dropped)
        for (i, host) in hosts.enumerated() {
            let plan = try engine(host).apply(try desired(dropped, host: "hv0\(i + 1)"))
            XCTAssertTrue(plan.changes.map(\.line).contains("- bridge br-h\(i + 1) (created by poolnet, no longer in the file)  [disruptive]"), plan.renderPlan())
            XCTAssertTrue(plan.changes.map(\.line).contains("- br-priv: address 172.16.50.\(i + 1)/24  [disruptive]"), plan.renderPlan())
            let links = try host.links()
            XCTAssertNil(links["br-h\(i + 1)"])
            XCTAssertNil(links["eth3"]?["master"])
            XCTAssertEqual(links["vif1.0"]?["master"] as? String, "br-priv", "the guest vif stays on its bridge")
            XCTAssertEqual(try host.addresses()["br-priv"]?.filter { !$0.hasPrefix("fe80:") }, [])
            XCTAssertEqual(try host.addresses()["san0"]?.filter { !$0.hasPrefix("fe80:") }, ["10.10.1.\(21 + i)/24"])
        }
    }

    /// The merged file without one address: its item (flow or block list) goes, and a list left
    /// empty goes with its key.
    static func removingAddress(_ address: String, from text: String) -> String {
        var out: [String] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            guard line.contains(address) else { out.append(line); continue }
            let item = line.trimmingCharacters(in: .whitespaces)
            if item == "- \"\(address)\"" || item == "- \(address)" {
                if let last = out.last, last.trimmingCharacters(in: .whitespaces) == "addresses:" { out.removeLast() }
                continue
            }
            var edited = line.replacingOccurrences(of: "\"\(address)\"", with: "").replacingOccurrences(of: address, with: "")
            edited = edited.replacingOccurrences(of: "[, ", with: "[").replacingOccurrences(of: ", ]", with: "]").replacingOccurrences(of: ", ,", with: ",")
            if edited.trimmingCharacters(in: .whitespaces).hasSuffix("addresses: []") { continue }
            out.append(edited.replacingOccurrences(of: ", addresses: []", with: ""))
        }
        return out.joined(separator: "\n")
    }

    /// The merged file without the bridges entry whose name contains `name`.
    static func removingBridge(_ name: String, from text: String) -> String {
        var out: [Substring] = []
        var inBridges = false, skipping = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if !line.hasPrefix(" ") && !line.isEmpty { inBridges = line == "bridges:"; skipping = false }
            // Items start with `  - name: …` (name is always the first key).
            if inBridges && line.hasPrefix("  - ") { skipping = line.contains(name) }
            if inBridges && skipping { continue }
            out.append(line)
        }
        return out.joined(separator: "\n")
    }
}

import Foundation
import HostState
@testable import Storage
import XCTest

/// SysctlStore's reads without Foundation give what `FileManager` + `trimmingCharacters` gave,
/// and the batch read (one directory per family, openat) what one read per key gives.
final class SysctlStoreTests: XCTestCase {
    /// The reading before this change, kept here as the reference.
    func foundationValue(_ bytes: [UInt8]) -> Int? {
        guard let text = String(data: Data(bytes), encoding: .utf8) else { return nil }
        return Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    func testValuesParseAsFoundationParsedThem() {
        let texts = ["1\n", "0", "  2 \n", "-1\n", "+3\n", "", "\n", " \t\r\n\u{0B}\u{0C}", "4096\t87380\t6291456\n", "1 2", "x",
                     "12a\n", "\u{A0}5\u{A0}", "5\u{2028}", "\u{85}7", "٣", "9223372036854775807\n", "9223372036854775808\n", "0x10", "\u{1C}1"]
        for text in texts { XCTAssertEqual(SysctlStore.value(Array(text.utf8)), foundationValue(Array(text.utf8)), text.debugDescription) }
        for bytes: [UInt8] in [[0xFF, 0x31], [0x31, 0xC3], [0x31, 0x00], [0x00]] {
            XCTAssertEqual(SysctlStore.value(bytes), foundationValue(bytes), "\(bytes)")
        }
        XCTAssertNil(SysctlStore.value(nil))
    }

    func testABatchReadsWhatOneReadPerKeyReads() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("sysctl-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let files = ["net/ipv4/conf/all/rp_filter": "0\n", "net/ipv4/conf/default/rp_filter": "1\n", "net/ipv4/conf/eth1.30/rp_filter": "2\n",
                     "net/ipv4/conf/eth1.30/arp_ignore": "garbage\n", "net/ipv4/conf/s0/arp_announce": " 2 \n",
                     "net/ipv4/conf/s0/arp_ignore": "1" + String(repeating: " ", count: 130) + "\n"]
        for (path, text) in files {
            try FileManager.default.createDirectory(atPath: root + "/" + (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: root + "/" + path, atomically: true, encoding: .utf8)
        }
        // A directory where a value should be: unreadable, as with FileManager.
        try FileManager.default.createDirectory(atPath: root + "/net/ipv4/conf/s0/rp_filter", withIntermediateDirectories: true)
        let store = SysctlStore(root: root)
        let keys = [SysctlKey(.ipv4, "all", "rp_filter"), SysctlKey(.ipv4, "default", "rp_filter"), SysctlKey(.ipv4, "eth1.30", "rp_filter"),
                    SysctlKey(.ipv4, "eth1.30", "arp_ignore"), SysctlKey(.ipv4, "s0", "arp_announce"), SysctlKey(.ipv4, "s0", "rp_filter"),
                    SysctlKey(.ipv4, "gone", "rp_filter"), SysctlKey(.ipv6, "s0", "disable_ipv6"), SysctlKey(.ipv4, "all", "rp_filter"),
                    SysctlKey(.ipv4, "s0", "arp_ignore")]
        let before = SysctlStore.filesRead.load(ordering: .relaxed)
        let batch = store.read(keys)
        XCTAssertEqual(SysctlStore.filesRead.load(ordering: .relaxed) - before, 9, "each distinct key once")
        XCTAssertEqual(batch, keys.enumerated().filter { $0.offset != 8 }.compactMap { _, key in store.read(key).map { SysctlValue(key, $0) } })
        XCTAssertEqual(batch.map(\.value), [0, 1, 2, 2, 1], "the values that exist, in the keys' order (s0's again after another link's), "
                       + "a value longer than one read; no IPv6 directory at all")
    }

    /// With the links of a dump: a link's own keys come from its dumped sysctls (the files here
    /// hold other values, to show where each value came from), in the keys' order; `all` and
    /// `default`, names the dump does not carry, a family without devconf and a link not read
    /// from a dump come from the files; a link not in the dump has no keys, file or not.
    func testTheDumpAnswersALinksOwnKeysAndTheFilesTheRest() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("sysctl-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let files = ["net/ipv4/conf/all/rp_filter": "1\n", "net/ipv6/conf/default/disable_ipv6": "0\n", "net/ipv4/conf/s0/rp_filter": "0\n",
                     "net/ipv4/conf/s0/forwarding": "1\n", "net/ipv6/conf/s1/disable_ipv6": "1\n", "net/ipv4/conf/gone/rp_filter": "1\n",
                     "net/ipv4/conf/json0/arp_ignore": "8\n"]
        for (path, text) in files {
            try FileManager.default.createDirectory(atPath: root + "/" + (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: root + "/" + path, atomically: true, encoding: .utf8)
        }
        func link(_ name: String, _ sysctls: DumpedSysctls?) -> LinkState {
            var link = LinkState(index: 1, name: name, kind: .device, mtu: 1500, up: true)
            link.dumpedSysctls = sysctls
            return link
        }
        let links = [link("s0", DumpedSysctls(ipv4: [2, 0, 1, 1, 2], ipv6: [0, 0, 0])), link("s1", DumpedSysctls(ipv4: [0, 0, 0, 0, 1])),
                     link("json0", nil)]
        let keys = [SysctlKey(.ipv4, "s0", "rp_filter"), SysctlKey(.ipv4, "all", "rp_filter"), SysctlKey(.ipv4, "s0", "forwarding"),
                    SysctlKey(.ipv6, "s1", "disable_ipv6"), SysctlKey(.ipv4, "gone", "rp_filter"), SysctlKey(.ipv4, "s0", "arp_ignore"),
                    SysctlKey(.ipv6, "default", "disable_ipv6"), SysctlKey(.ipv4, "json0", "arp_ignore"), SysctlKey(.ipv4, "s0", "rp_filter"),
                    SysctlKey(.ipv6, "s0", "autoconf"), SysctlKey(.ipv4, "s1", "rp_filter")]
        let before = SysctlStore.filesRead.load(ordering: .relaxed)
        let values = SysctlStore(root: root).read(keys, links: links)
        XCTAssertEqual(SysctlStore.filesRead.load(ordering: .relaxed) - before, 5, "all, forwarding, s1's IPv6, default, json0")
        XCTAssertEqual(values, [SysctlValue(keys[0], 2), SysctlValue(keys[1], 1), SysctlValue(keys[2], 1), SysctlValue(keys[3], 1),
                                SysctlValue(keys[5], 1), SysctlValue(keys[6], 0), SysctlValue(keys[7], 8), SysctlValue(keys[9], 0),
                                SysctlValue(keys[10], 1)])
    }

    /// The real /proc/sys: the batch and the single reads agree on this namespace's values.
    func testProcSysReadsTheSame() {
        let store = SysctlStore()
        let keys = ["rp_filter", "arp_ignore", "arp_announce", "promote_secondaries"].flatMap { name in
            ["all", "default", "lo", "nosuchlink"].map { SysctlKey(.ipv4, $0, name) }
        } + [SysctlKey(.ipv6, "lo", "disable_ipv6")]
        let batch = store.read(keys)
        XCTAssertEqual(batch, keys.compactMap { key in store.read(key).map { SysctlValue(key, $0) } })
        XCTAssertEqual(batch.count, keys.count - 4 - (store.read(SysctlKey(.ipv6, "lo", "disable_ipv6")) == nil ? 1 : 0))
    }
}

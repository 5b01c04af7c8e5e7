import HostState
@testable import Netlink
import XCTest

/// IFLA_AF_SPEC of a link message, as the kernel fills it (inet_fill_link_af,
/// inet6_fill_link_af): AF_INET → IFLA_INET_CONF, one u32 per IPV4_DEVCONF_* from index
/// IPV4_DEVCONF_* − 1; AF_INET6 → IFLA_INET6_FLAGS, IFLA_INET6_CACHEINFO, IFLA_INET6_CONF, one
/// s32 per DEVCONF_* from index 0. x86_64 host order.
final class DevconfDecodingTests: XCTestCase {
    /// One attribute: u16 length, u16 type, payload, padding to 4 bytes.
    func attribute(_ type: UInt16, _ payload: [UInt8]) -> [UInt8] {
        let length = UInt16(4 + payload.count)
        let bytes = [UInt8(length & 0xFF), UInt8(length >> 8), UInt8(type & 0xFF), UInt8(type >> 8)] + payload
        return bytes + Array(repeating: 0, count: (4 - bytes.count % 4) % 4)
    }

    func words(_ values: [Int32]) -> [UInt8] { values.flatMap { withUnsafeBytes(of: $0.littleEndian, Array.init) } }

    /// An RTM_NEWLINK of a dump for link 7 "s0" with `attributes` after its name.
    func linkMessage(_ attributes: [UInt8]) -> [UInt8] {
        let body: [UInt8] = [
            0x00, 0x00, 0x01, 0x00,  // ifi_family AF_UNSPEC, padding, ifi_type ARPHRD_ETHER
            0x07, 0x00, 0x00, 0x00,  // ifi_index 7
            0x02, 0x10, 0x00, 0x00,  // ifi_flags BROADCAST | MULTICAST
            0x00, 0x00, 0x00, 0x00,  // ifi_change
        ] + attribute(3, Array("s0".utf8) + [0]) + attributes  // IFLA_IFNAME
        let length = UInt32(16 + body.count)
        return words([Int32(bitPattern: length)]) + [
            0x10, 0x00, 0x02, 0x00,  // RTM_NEWLINK; NLM_F_MULTI
            0x01, 0x00, 0x00, 0x00,  // nlmsg_seq 1
            0x00, 0x00, 0x00, 0x00,  // nlmsg_pid
        ] + body
    }

    static let afSpec: UInt16 = 26, afInet: UInt16 = 2, afInet6: UInt16 = 10, afMPLS: UInt16 = 28
    static let inetConf: UInt16 = 1, inet6Flags: UInt16 = 1, inet6CacheInfo: UInt16 = 5, inet6Conf: UInt16 = 2

    /// IPv4 devconf of a 6.x kernel (IPV4_DEVCONF_MAX = 33): slot i holds 100 + i, arp_ignore
    /// (IPV4_DEVCONF_ARP_IGNORE = 19, slot 18) −1 to show the value is signed as /proc prints it.
    var ipv4Conf: [UInt8] {
        var values = (0..<33).map { Int32(100 + $0) }
        values[18] = -1
        return attribute(Self.afInet, attribute(Self.inetConf, words(values)))
    }

    /// IPv6 devconf (DEVCONF_MAX = 90 here): slot i holds 1000 + i.
    func ipv6Family(conf: Bool = true) -> [UInt8] {
        attribute(Self.afInet6, attribute(Self.inet6Flags, words([0x8000_0000 as UInt32].map { Int32(bitPattern: $0) }))
                  + attribute(Self.inet6CacheInfo, words([1500, 30_000, 7, 7]))
                  + (conf ? attribute(Self.inet6Conf, words((0..<90).map { Int32(1000 + $0) })) : []))
    }

    func sysctls(_ afSpec: [UInt8]) throws -> DumpedSysctls? {
        let link = try XCTUnwrap(decode(linkMessage(attribute(Self.afSpec, afSpec)), RawLink.init))
        XCTAssertEqual(link.name, "s0")
        return link.sysctls
    }

    func testTheKernelsIndexesOfTheMappedNames() {
        // arp_announce 18, arp_filter 13, arp_ignore 19, promote_secondaries 20, rp_filter 8 (linux/ip.h), less one.
        XCTAssertEqual(Devconf.ipv4Slots, [17, 12, 18, 19, 7])
        // accept_ra 3, autoconf 5, disable_ipv6 26 (linux/ipv6.h).
        XCTAssertEqual(Devconf.ipv6Slots, [3, 5, 26])
        XCTAssertNil(Devconf.ipv4Index("forwarding"), "a name not mapped is read from its file")
        XCTAssertLessThanOrEqual(DumpedSysctls.ipv4Names.count + DumpedSysctls.ipv6Names.count, 8, "the values are a SIMD8")
    }

    func testBothFamiliesAndAnotherOneSkipped() throws {
        let sysctls = try XCTUnwrap(sysctls(attribute(Self.afMPLS, attribute(1, words([1]))) + ipv4Conf + ipv6Family()))
        XCTAssertEqual(sysctls, DumpedSysctls(ipv4: [117, 112, -1, 119, 107], ipv6: [1003, 1005, 1026]))
        XCTAssertEqual(sysctls.answer(SysctlKey(.ipv4, "s0", "rp_filter")), .value(107))
        XCTAssertEqual(sysctls.answer(SysctlKey(.ipv4, "s0", "arp_ignore")), .value(-1))
        XCTAssertEqual(sysctls.answer(SysctlKey(.ipv6, "s0", "disable_ipv6")), .value(1026))
        XCTAssertEqual(sysctls.answer(SysctlKey(.ipv4, "s0", "forwarding")), .notInDump)
        XCTAssertEqual(sysctls.answer(SysctlKey(.ipv6, "s0", "rp_filter")), .notInDump, "an IPv4 name asked of IPv6")
    }

    func testNoIPv6State() throws {
        let sysctls = try XCTUnwrap(sysctls(ipv4Conf))
        XCTAssertNotNil(sysctls.ipv4)
        XCTAssertNil(sysctls.ipv6)
        XCTAssertEqual(sysctls.answer(SysctlKey(.ipv6, "s0", "disable_ipv6")), .notInDump)
        XCTAssertNil(try XCTUnwrap(self.sysctls(ipv4Conf + ipv6Family(conf: false))).ipv6, "IPv6 flags without its conf array")
    }

    func testAnArrayTooShortForASlotIsNoAnswer() throws {
        // An IPv4 array of 19 values ends before promote_secondaries (slot 19); IPv6 of 26 before disable_ipv6.
        let short = attribute(Self.afInet, attribute(Self.inetConf, words(Array(repeating: 1, count: 19))))
            + attribute(Self.afInet6, attribute(Self.inet6Conf, words(Array(repeating: 1, count: 26))))
        XCTAssertEqual(try sysctls(short), DumpedSysctls())
        // One byte short of a whole last value.
        let ragged = attribute(Self.afInet, attribute(Self.inetConf, Array(words(Array(repeating: 1, count: 20)).dropLast())))
        XCTAssertNil(try XCTUnwrap(sysctls(ragged)).ipv4)
    }

    func testNoAFSpecLeavesTheFilesToAnswer() throws {
        let link = try XCTUnwrap(decode(linkMessage(attribute(4, words([1500]))), RawLink.init))
        XCTAssertNil(link.sysctls)
        XCTAssertNil(LinkState(link, names: [:]).dumpedSysctls)
        let withSpec = try XCTUnwrap(decode(linkMessage(attribute(Self.afSpec, ipv4Conf)), RawLink.init))
        XCTAssertEqual(LinkState(withSpec, names: [:]).dumpedSysctls, withSpec.sysctls)
    }

    /// Two reads of one link are the same link whatever its devconf said (an apply's hand-over
    /// compares planned steps by value: a changed `accept_ra` must not make `deleteLink` a new
    /// step), and the values are still there to read.
    func testDumpedSysctlsAreNotPartOfALinksIdentity() {
        var a = LinkState(index: 7, name: "s0", options: .device, mtu: 9000, up: true)
        var b = a
        a.dumpedSysctls = DumpedSysctls(ipv4: [2, 0, 1, 0, 2], ipv6: [0, 0, 0])
        b.dumpedSysctls = DumpedSysctls(ipv4: [2, 0, 1, 0, 2], ipv6: [1, 1, 0])
        XCTAssertEqual(a, b)
        XCTAssertEqual(Set([a, b]).count, 1)
        XCTAssertEqual(a.dumpedSysctls?.answer(SysctlKey(.ipv6, "s0", "accept_ra")), .value(0))
        XCTAssertEqual(b.dumpedSysctls?.answer(SysctlKey(.ipv6, "s0", "accept_ra")), .value(1))
        b.mtu = 1500
        XCTAssertNotEqual(a, b, "the link's own fields still count")
    }
}

import HostState
@testable import Netlink
import XCTest

/// Every attribute the dumps parse, decoded from the bytes of a reply as the kernel sends it
/// (x86_64 host order; nests without NLA_F_NESTED, strings with their NUL, as rtnetlink fills them).
final class ReplyDecodingTests: XCTestCase {
    func testBridgeLink() throws {
        let bytes: [UInt8] = [
            0x7c, 0x00, 0x00, 0x00,  // nlmsg_len 124
            0x10, 0x00, 0x02, 0x00,  // RTM_NEWLINK; NLM_F_MULTI (part of a dump)
            0x09, 0x00, 0x00, 0x00,  // nlmsg_seq 9
            0xd2, 0x04, 0x00, 0x00,  // nlmsg_pid 1234
            0x00, 0x00, 0x01, 0x00,  // ifi_family AF_UNSPEC, padding, ifi_type ARPHRD_ETHER
            0x28, 0x00, 0x00, 0x00,  // ifi_index 40
            0x43, 0x10, 0x01, 0x00,  // ifi_flags UP | BROADCAST | RUNNING | MULTICAST | LOWER_UP
            0x00, 0x00, 0x00, 0x00,  // ifi_change
            0x08, 0x00, 0x03, 0x00,  // IFLA_IFNAME, length 8
            0x62, 0x72, 0x30, 0x00,  //   "br0\0"
            0x08, 0x00, 0x0d, 0x00,  // IFLA_TXQLEN (13): not parsed, skipped
            0xe8, 0x03, 0x00, 0x00,  //   1000
            0x08, 0x00, 0x04, 0x00,  // IFLA_MTU, length 8
            0x28, 0x23, 0x00, 0x00,  //   9000
            0x08, 0x00, 0x1b, 0x00,  // IFLA_GROUP, length 8
            0x00, 0x00, 0x00, 0x00,  //   0: the default group
            0x10, 0x00, 0x14, 0x00,  // IFLA_IFALIAS, length 16
            0x70, 0x6f, 0x6f, 0x6c,  //   "pool"
            0x6e, 0x65, 0x74, 0x3a,  //   "net:"
            0x6c, 0x61, 0x62, 0x00,  //   "lab\0"
            0x2c, 0x00, 0x12, 0x00,  // IFLA_LINKINFO, length 44
            0x0b, 0x00, 0x01, 0x00,  //   IFLA_INFO_KIND, length 11
            0x62, 0x72, 0x69, 0x64,  //     "brid"
            0x67, 0x65, 0x00, 0x00,  //     "ge\0", padding
            0x1c, 0x00, 0x02, 0x00,  //   IFLA_INFO_DATA, length 28
            0x08, 0x00, 0x05, 0x00,  //     IFLA_BR_STP_STATE, length 8
            0x01, 0x00, 0x00, 0x00,  //       u32 1
            0x05, 0x00, 0x07, 0x00,  //     IFLA_BR_VLAN_FILTERING, length 5
            0x01, 0x00, 0x00, 0x00,  //       u8 1, padding
            0x06, 0x00, 0x27, 0x00,  //     IFLA_BR_VLAN_DEFAULT_PVID (39), length 6
            0x01, 0x00, 0x00, 0x00,  //       u16 1, padding
        ]
        let link = try XCTUnwrap(decode(bytes, RawLink.init))
        XCTAssertEqual(link, RawLink(index: 40, name: "br0", mtu: 9000, flags: 0x11043, masterIndex: 0,
                                     alias: "poolnet:lab", linkIndex: 0, group: 0,
                                     dumped: DumpedOptions(options: .bridge(BridgeOptions(stp: true, vlanFiltering: true, defaultPVID: 1)))))
        let state = LinkState(link, names: [:])
        XCTAssertTrue(state.up, "IFF_UP")
        XCTAssertTrue(state.carrier, "IFF_LOWER_UP")
    }

    func testVLANPortWithMasterParentAndEmptyAlias() throws {
        let bytes: [UInt8] = [
            0x60, 0x00, 0x00, 0x00,  // nlmsg_len 96
            0x10, 0x00, 0x00, 0x00,  // RTM_NEWLINK; no flags (a get's answer)
            0x05, 0x00, 0x00, 0x00,  // nlmsg_seq 5
            0x00, 0x00, 0x00, 0x00,  // nlmsg_pid
            0x00, 0x00, 0x01, 0x00,  // ifi_family, padding, ifi_type ARPHRD_ETHER
            0x0c, 0x00, 0x00, 0x00,  // ifi_index 12
            0x03, 0x10, 0x00, 0x00,  // ifi_flags UP | BROADCAST | MULTICAST: no carrier
            0x00, 0x00, 0x00, 0x00,  // ifi_change
            0x0c, 0x00, 0x03, 0x00,  // IFLA_IFNAME, length 12
            0x65, 0x74, 0x68, 0x31,  //   "eth1"
            0x2e, 0x32, 0x30, 0x00,  //   ".20\0"
            0x08, 0x00, 0x0a, 0x00,  // IFLA_MASTER, length 8
            0x28, 0x00, 0x00, 0x00,  //   ifindex 40
            0x08, 0x00, 0x05, 0x00,  // IFLA_LINK, length 8
            0x03, 0x00, 0x00, 0x00,  //   ifindex 3: the VLAN's parent
            0x05, 0x00, 0x14, 0x00,  // IFLA_IFALIAS, length 5
            0x00, 0x00, 0x00, 0x00,  //   "\0": no alias, padding
            0x1c, 0x00, 0x12, 0x80,  // IFLA_LINKINFO with NLA_F_NESTED (masked when reading), length 28
            0x09, 0x00, 0x01, 0x00,  //   IFLA_INFO_KIND, length 9
            0x76, 0x6c, 0x61, 0x6e,  //     "vlan"
            0x00, 0x00, 0x00, 0x00,  //     "\0", padding
            0x0c, 0x00, 0x02, 0x80,  //   IFLA_INFO_DATA | NLA_F_NESTED, length 12
            0x06, 0x00, 0x01, 0x00,  //     IFLA_VLAN_ID, length 6
            0x14, 0x00, 0x00, 0x00,  //       u16 20, padding
        ]
        let link = try XCTUnwrap(decode(bytes, RawLink.init))
        XCTAssertEqual(link, RawLink(index: 12, name: "eth1.20", mtu: 0, flags: 0x1003, masterIndex: 40,
                                     alias: nil, linkIndex: 3, dumped: DumpedOptions(options: .vlan(id: 20))))
        let state = LinkState(link, names: [40: "br0", 3: "eth1"])
        XCTAssertEqual([state.master, state.link], ["br0", "eth1"])
        XCTAssertTrue(state.up)
        XCTAssertFalse(state.carrier)
    }

    func testBondOptions() throws {
        let bytes: [UInt8] = [
            0x68, 0x00, 0x00, 0x00,  // nlmsg_len 104
            0x10, 0x00, 0x02, 0x00,  // RTM_NEWLINK; NLM_F_MULTI
            0x09, 0x00, 0x00, 0x00,  // nlmsg_seq 9
            0x00, 0x00, 0x00, 0x00,  // nlmsg_pid
            0x00, 0x00, 0x01, 0x00,  // ifi_family, padding, ifi_type
            0x29, 0x00, 0x00, 0x00,  // ifi_index 41
            0x00, 0x00, 0x00, 0x00,  // ifi_flags: down
            0x00, 0x00, 0x00, 0x00,  // ifi_change
            0x0a, 0x00, 0x03, 0x00,  // IFLA_IFNAME, length 10
            0x62, 0x6f, 0x6e, 0x64,  //   "bond"
            0x30, 0x00, 0x00, 0x00,  //   "0\0", padding
            0x3c, 0x00, 0x12, 0x00,  // IFLA_LINKINFO, length 60
            0x09, 0x00, 0x01, 0x00,  //   IFLA_INFO_KIND, length 9
            0x62, 0x6f, 0x6e, 0x64,  //     "bond"
            0x00, 0x00, 0x00, 0x00,  //     "\0", padding
            0x2c, 0x00, 0x02, 0x00,  //   IFLA_INFO_DATA, length 44
            0x05, 0x00, 0x01, 0x00,  //     IFLA_BOND_MODE, length 5
            0x01, 0x00, 0x00, 0x00,  //       u8 1: active-backup
            0x08, 0x00, 0x03, 0x00,  //     IFLA_BOND_MIIMON, length 8
            0x64, 0x00, 0x00, 0x00,  //       100 ms
            0x08, 0x00, 0x0b, 0x00,  //     IFLA_BOND_PRIMARY, length 8
            0x05, 0x00, 0x00, 0x00,  //       ifindex 5
            0x05, 0x00, 0x0e, 0x00,  //     IFLA_BOND_XMIT_HASH_POLICY, length 5
            0x02, 0x00, 0x00, 0x00,  //       u8 2: layer2+3
            0x05, 0x00, 0x15, 0x00,  //     IFLA_BOND_AD_LACP_RATE, length 5
            0x00, 0x00, 0x00, 0x00,  //       u8 0: slow
        ]
        let link = try XCTUnwrap(decode(bytes, RawLink.init))
        XCTAssertEqual(link, RawLink(index: 41, name: "bond0", mtu: 0, flags: 0, masterIndex: 0, alias: nil, linkIndex: 0,
                                     dumped: DumpedOptions(options: .bond(BondOptions(mode: .activeBackup, miimon: 100, lacpFast: false, xmitHashPolicy: .layer23)),
                                                           deviceIndex: 5)))
        XCTAssertEqual(LinkState(link, names: [5: "eth0"]).bond?.primary, "eth0")
    }

    func testVXLANWithIPv4VTEP() throws {
        let bytes: [UInt8] = [
            0x68, 0x00, 0x00, 0x00,  // nlmsg_len 104
            0x10, 0x00, 0x02, 0x00,  // RTM_NEWLINK; NLM_F_MULTI
            0x09, 0x00, 0x00, 0x00,  // nlmsg_seq 9
            0x00, 0x00, 0x00, 0x00,  // nlmsg_pid
            0x00, 0x00, 0x01, 0x00,  // ifi_family, padding, ifi_type
            0x2a, 0x00, 0x00, 0x00,  // ifi_index 42
            0x00, 0x00, 0x00, 0x00,  // ifi_flags
            0x00, 0x00, 0x00, 0x00,  // ifi_change
            0x0a, 0x00, 0x03, 0x00,  // IFLA_IFNAME, length 10
            0x76, 0x78, 0x31, 0x30,  //   "vx10"
            0x30, 0x00, 0x00, 0x00,  //   "0\0", padding
            0x3c, 0x00, 0x12, 0x00,  // IFLA_LINKINFO, length 60
            0x0a, 0x00, 0x01, 0x00,  //   IFLA_INFO_KIND, length 10
            0x76, 0x78, 0x6c, 0x61,  //     "vxla"
            0x6e, 0x00, 0x00, 0x00,  //     "n\0", padding
            0x2c, 0x00, 0x02, 0x00,  //   IFLA_INFO_DATA, length 44
            0x08, 0x00, 0x01, 0x00,  //     IFLA_VXLAN_ID, length 8
            0x64, 0x00, 0x00, 0x00,  //       VNI 100
            0x08, 0x00, 0x03, 0x00,  //     IFLA_VXLAN_LINK, length 8
            0x03, 0x00, 0x00, 0x00,  //       underlay ifindex 3
            0x08, 0x00, 0x04, 0x00,  //     IFLA_VXLAN_LOCAL, length 8
            0xc0, 0x00, 0x02, 0x01,  //       192.0.2.1
            0x05, 0x00, 0x05, 0x00,  //     IFLA_VXLAN_TTL (5): not parsed, skipped
            0x00, 0x00, 0x00, 0x00,  //       u8 0, padding
            0x06, 0x00, 0x0f, 0x00,  //     IFLA_VXLAN_PORT, length 6
            0x12, 0xb5, 0x00, 0x00,  //       4789 in network order, padding
        ]
        let link = try XCTUnwrap(decode(bytes, RawLink.init))
        XCTAssertEqual(link, RawLink(index: 42, name: "vx100", mtu: 0, flags: 0, masterIndex: 0, alias: nil, linkIndex: 0,
                                     dumped: DumpedOptions(options: .vxlan(VXLANInfo(vni: 100, local: "192.0.2.1", port: 4789)), deviceIndex: 3)))
        XCTAssertEqual(LinkState(link, names: [3: "san0"]).vxlan?.device, "san0")
    }

    func testVXLANWithIPv6VTEPAndNoPortTakesTheIANAPort() throws {
        let bytes: [UInt8] = [
            0x58, 0x00, 0x00, 0x00,  // nlmsg_len 88
            0x10, 0x00, 0x02, 0x00,  // RTM_NEWLINK; NLM_F_MULTI
            0x09, 0x00, 0x00, 0x00,  // nlmsg_seq 9
            0x00, 0x00, 0x00, 0x00,  // nlmsg_pid
            0x00, 0x00, 0x01, 0x00,  // ifi_family, padding, ifi_type
            0x2b, 0x00, 0x00, 0x00,  // ifi_index 43
            0x00, 0x00, 0x00, 0x00,  // ifi_flags
            0x00, 0x00, 0x00, 0x00,  // ifi_change
            0x08, 0x00, 0x03, 0x00,  // IFLA_IFNAME, length 8
            0x76, 0x78, 0x36, 0x00,  //   "vx6\0"
            0x30, 0x00, 0x12, 0x00,  // IFLA_LINKINFO, length 48
            0x0a, 0x00, 0x01, 0x00,  //   IFLA_INFO_KIND, length 10
            0x76, 0x78, 0x6c, 0x61,  //     "vxla"
            0x6e, 0x00, 0x00, 0x00,  //     "n\0", padding
            0x20, 0x00, 0x02, 0x00,  //   IFLA_INFO_DATA, length 32
            0x08, 0x00, 0x01, 0x00,  //     IFLA_VXLAN_ID, length 8
            0x03, 0x02, 0x01, 0x00,  //       VNI 0x010203
            0x14, 0x00, 0x11, 0x00,  //     IFLA_VXLAN_LOCAL6, length 20
            0x20, 0x01, 0x0d, 0xb8,  //       2001:db8:
            0x00, 0x00, 0x00, 0x00,  //       :
            0x00, 0x00, 0x00, 0x00,  //
            0x00, 0x00, 0x00, 0x01,  //       :1
        ]
        let link = try XCTUnwrap(decode(bytes, RawLink.init))
        XCTAssertEqual(link.vxlan, VXLANInfo(vni: 0x010203, local: "2001:db8::1", port: 4789))
        XCTAssertEqual(link.vxlanDeviceIndex, 0)
    }

    /// A veth's IFLA_LINK names its peer, not a lower device: not kept.
    func testVethPeerIsNotALowerLink() throws {
        let bytes: [UInt8] = [
            0x44, 0x00, 0x00, 0x00,  // nlmsg_len 68
            0x10, 0x00, 0x02, 0x00,  // RTM_NEWLINK; NLM_F_MULTI
            0x09, 0x00, 0x00, 0x00,  // nlmsg_seq 9
            0x00, 0x00, 0x00, 0x00,  // nlmsg_pid
            0x00, 0x00, 0x01, 0x00,  // ifi_family, padding, ifi_type
            0x09, 0x00, 0x00, 0x00,  // ifi_index 9
            0x00, 0x00, 0x00, 0x00,  // ifi_flags
            0x00, 0x00, 0x00, 0x00,  // ifi_change
            0x0a, 0x00, 0x03, 0x00,  // IFLA_IFNAME, length 10
            0x76, 0x65, 0x74, 0x68,  //   "veth"
            0x30, 0x00, 0x00, 0x00,  //   "0\0", padding
            0x08, 0x00, 0x05, 0x00,  // IFLA_LINK, length 8
            0x0a, 0x00, 0x00, 0x00,  //   ifindex 10: the peer
            0x10, 0x00, 0x12, 0x00,  // IFLA_LINKINFO, length 16
            0x09, 0x00, 0x01, 0x00,  //   IFLA_INFO_KIND, length 9
            0x76, 0x65, 0x74, 0x68,  //     "veth"
            0x00, 0x00, 0x00, 0x00,  //     "\0", padding
        ]
        XCTAssertEqual(decode(bytes, RawLink.init),
                       RawLink(index: 9, name: "veth0", mtu: 0, flags: 0, masterIndex: 0, alias: nil, linkIndex: 0, dumped: DumpedOptions(options: .veth)))
    }

    func testLinksThatAreNotDecoded() {
        let noName: [UInt8] = [
            0x28, 0x00, 0x00, 0x00,  // nlmsg_len 40
            0x10, 0x00, 0x02, 0x00,  // RTM_NEWLINK
            0x09, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // seq, pid
            0x00, 0x00, 0x01, 0x00, 0x07, 0x00, 0x00, 0x00,  // ifinfomsg: index 7
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  //   flags, change
            0x08, 0x00, 0x04, 0x00, 0xdc, 0x05, 0x00, 0x00,  // IFLA_MTU 1500, but no IFLA_IFNAME
        ]
        XCTAssertNil(decode(noName, RawLink.init), "a link without a name")
        var otherType = noName
        otherType[4] = 0x14  // RTM_NEWADDR
        XCTAssertNil(decode(otherType, RawLink.init), "not an RTM_NEWLINK")
        let truncated: [UInt8] = [
            0x18, 0x00, 0x00, 0x00,  // nlmsg_len 24: only 8 of the 16 bytes of ifinfomsg
            0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x00, 0x00, 0x01, 0x00, 0x07, 0x00, 0x00, 0x00,
        ]
        XCTAssertNil(decode(truncated, RawLink.init), "a header cut short")
        XCTAssertNil(decode(Array(noName.prefix(30)), RawLink.init), "fewer bytes than nlmsg_len says")
    }

    // MARK: addresses

    func testIPv4AddressWithProtocol() {
        let bytes: [UInt8] = [
            0x3c, 0x00, 0x00, 0x00,  // nlmsg_len 60
            0x14, 0x00, 0x02, 0x00,  // RTM_NEWADDR; NLM_F_MULTI
            0x0b, 0x00, 0x00, 0x00,  // nlmsg_seq 11
            0x00, 0x00, 0x00, 0x00,  // nlmsg_pid
            0x02, 0x18, 0x80, 0x00,  // ifa_family AF_INET, prefixlen 24, flags IFA_F_PERMANENT, scope universe
            0x07, 0x00, 0x00, 0x00,  // ifa_index 7
            0x08, 0x00, 0x01, 0x00,  // IFA_ADDRESS, length 8
            0xc0, 0x00, 0x02, 0x0b,  //   192.0.2.11
            0x08, 0x00, 0x02, 0x00,  // IFA_LOCAL, length 8
            0xc0, 0x00, 0x02, 0x0b,  //   192.0.2.11
            0x09, 0x00, 0x03, 0x00,  // IFA_LABEL (3), length 9
            0x73, 0x61, 0x6e, 0x30,  //   "san0"
            0x00, 0x00, 0x00, 0x00,  //   "\0", padding
            0x05, 0x00, 0x0b, 0x00,  // IFA_PROTO, length 5
            0x70, 0x00, 0x00, 0x00,  //   0x70: poolnet's, padding
        ]
        var expected = RawAddress(index: 7, prefix: IPPrefix("192.0.2.11/24")!, proto: 0x70)
        expected.details = AddressDetails(flags: 0x80, scope: 0, label: "san0")  // no IFA_CACHEINFO: forever
        XCTAssertEqual(decode(bytes, RawAddress.init), expected)
    }

    /// No IFA_LOCAL (IPv6 sends only IFA_ADDRESS) and no IFA_PROTO (a kernel before 6.1, or unset): 0.
    func testIPv6AddressWithoutLocalOrProtocol() {
        let bytes: [UInt8] = [
            0x2c, 0x00, 0x00, 0x00,  // nlmsg_len 44
            0x14, 0x00, 0x02, 0x00,  // RTM_NEWADDR; NLM_F_MULTI
            0x0b, 0x00, 0x00, 0x00,  // nlmsg_seq 11
            0x00, 0x00, 0x00, 0x00,  // nlmsg_pid
            0x0a, 0x40, 0x80, 0xfd,  // ifa_family AF_INET6, prefixlen 64, IFA_F_PERMANENT, scope link (253)
            0x07, 0x00, 0x00, 0x00,  // ifa_index 7
            0x14, 0x00, 0x01, 0x00,  // IFA_ADDRESS, length 20
            0xfe, 0x80, 0x00, 0x00,  //   fe80:
            0x00, 0x00, 0x00, 0x00,  //   :
            0x00, 0x00, 0x00, 0x00,  //
            0x00, 0x00, 0x00, 0x01,  //   :1
        ]
        var expected = RawAddress(index: 7, prefix: IPPrefix("fe80::1/64")!, proto: 0)
        expected.details = AddressDetails(flags: 0x80, scope: 253)
        XCTAssertEqual(decode(bytes, RawAddress.init), expected)
    }

    func testAddressOfAnotherFamilyIsNotDecoded() {
        let bytes: [UInt8] = [
            0x24, 0x00, 0x00, 0x00,  // nlmsg_len 36
            0x14, 0x00, 0x02, 0x00,  // RTM_NEWADDR
            0x0b, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // seq, pid
            0x11, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00,  // ifaddrmsg: family 17, index 7
            0x0a, 0x00, 0x02, 0x00,  // IFA_LOCAL, length 10: six bytes, neither IPv4 nor IPv6
            0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 0x00, 0x00,
        ]
        XCTAssertNil(decode(bytes, RawAddress.init))
    }

    // MARK: bridge VLANs, FDB

    /// A port's entry in `bridge vlan show` with compressed ranges: a range arrives as two entries.
    func testBridgePortVLANRanges() {
        let bytes: [UInt8] = [
            0x58, 0x00, 0x00, 0x00,  // nlmsg_len 88
            0x10, 0x00, 0x02, 0x00,  // RTM_NEWLINK; NLM_F_MULTI
            0x0c, 0x00, 0x00, 0x00,  // nlmsg_seq 12
            0x00, 0x00, 0x00, 0x00,  // nlmsg_pid
            0x07, 0x00, 0x01, 0x00,  // ifi_family AF_BRIDGE, padding, ifi_type
            0x08, 0x00, 0x00, 0x00,  // ifi_index 8
            0x43, 0x10, 0x01, 0x00,  // ifi_flags
            0x00, 0x00, 0x00, 0x00,  // ifi_change
            0x09, 0x00, 0x03, 0x00,  // IFLA_IFNAME, length 9
            0x65, 0x74, 0x68, 0x32,  //   "eth2"
            0x00, 0x00, 0x00, 0x00,  //   "\0", padding
            0x08, 0x00, 0x0a, 0x00,  // IFLA_MASTER, length 8
            0x28, 0x00, 0x00, 0x00,  //   ifindex 40
            0x24, 0x00, 0x1a, 0x00,  // IFLA_AF_SPEC, length 36
            0x08, 0x00, 0x02, 0x00,  //   IFLA_BRIDGE_VLAN_INFO, length 8
            0x06, 0x00, 0x01, 0x00,  //     flags PVID | UNTAGGED, vid 1
            0x08, 0x00, 0x02, 0x00,  //   IFLA_BRIDGE_VLAN_INFO
            0x08, 0x00, 0x0a, 0x00,  //     flags RANGE_BEGIN, vid 10
            0x08, 0x00, 0x02, 0x00,  //   IFLA_BRIDGE_VLAN_INFO
            0x10, 0x00, 0x0c, 0x00,  //     flags RANGE_END, vid 12
            0x08, 0x00, 0x02, 0x00,  //   IFLA_BRIDGE_VLAN_INFO
            0x04, 0x00, 0x14, 0x00,  //     flags UNTAGGED, vid 20
        ]
        XCTAssertEqual(decode(bytes, BridgePortVLANs.init),
                       BridgePortVLANs(index: 8, vlans: [BridgeVLAN(vid: 1, pvid: true, untagged: true), BridgeVLAN(vid: 10),
                                                         BridgeVLAN(vid: 11), BridgeVLAN(vid: 12), BridgeVLAN(vid: 20, untagged: true)]))
        var withoutSpec = Array(bytes.prefix(0x34))  // up to IFLA_MASTER: a link that is no bridge or port
        withoutSpec[0] = 0x34
        XCTAssertNil(decode(withoutSpec, BridgePortVLANs.init))
    }

    func testAllZeroFDBEntryOfAVXLAN() {
        let bytes: [UInt8] = [
            0x38, 0x00, 0x00, 0x00,  // nlmsg_len 56
            0x1c, 0x00, 0x02, 0x00,  // RTM_NEWNEIGH; NLM_F_MULTI
            0x0d, 0x00, 0x00, 0x00,  // nlmsg_seq 13
            0x00, 0x00, 0x00, 0x00,  // nlmsg_pid
            0x07, 0x00, 0x00, 0x00,  // ndm_family AF_BRIDGE, padding
            0x2a, 0x00, 0x00, 0x00,  // ndm_ifindex 42
            0xc0, 0x00, 0x02, 0x00,  // ndm_state NOARP | PERMANENT, ndm_flags NTF_SELF, ndm_type
            0x0a, 0x00, 0x02, 0x00,  // NDA_LLADDR, length 10
            0x00, 0x00, 0x00, 0x00,  //   00:00:00:00:
            0x00, 0x00, 0x00, 0x00,  //   00:00, padding
            0x08, 0x00, 0x01, 0x00,  // NDA_DST, length 8
            0xc6, 0x33, 0x64, 0x02,  //   198.51.100.2
            0x08, 0x00, 0x07, 0x00,  // NDA_VNI (7): not parsed, skipped
            0x64, 0x00, 0x00, 0x00,  //   100
        ]
        XCTAssertEqual(decode(bytes, FDBEntry.init),
                       FDBEntry(index: 42, mac: [0, 0, 0, 0, 0, 0], destination: IPPrefix("198.51.100.2/32")!))
    }

    func testLearnedFDBEntryHasNoDestination() {
        let bytes: [UInt8] = [
            0x28, 0x00, 0x00, 0x00,  // nlmsg_len 40
            0x1c, 0x00, 0x02, 0x00,  // RTM_NEWNEIGH; NLM_F_MULTI
            0x0d, 0x00, 0x00, 0x00,  // nlmsg_seq 13
            0x00, 0x00, 0x00, 0x00,  // nlmsg_pid
            0x07, 0x00, 0x00, 0x00,  // ndm_family AF_BRIDGE, padding
            0x08, 0x00, 0x00, 0x00,  // ndm_ifindex 8
            0x02, 0x00, 0x00, 0x00,  // ndm_state NUD_REACHABLE, ndm_flags, ndm_type
            0x0a, 0x00, 0x02, 0x00,  // NDA_LLADDR, length 10
            0x52, 0x54, 0x00, 0x12,  //   52:54:00:12:
            0x34, 0x56, 0x00, 0x00,  //   34:56, padding
        ]
        XCTAssertEqual(decode(bytes, FDBEntry.init), FDBEntry(index: 8, mac: [0x52, 0x54, 0x00, 0x12, 0x34, 0x56], destination: nil))
    }

    // MARK: acknowledgements

    func testAckOfACappedRequest() {
        let bytes: [UInt8] = [
            0x24, 0x00, 0x00, 0x00,  // nlmsg_len 36
            0x02, 0x00,              // NLMSG_ERROR (2)
            0x00, 0x01,              // NLM_F_CAPPED: only the request's header is echoed
            0x07, 0x00, 0x00, 0x00,  // nlmsg_seq 7
            0xd2, 0x04, 0x00, 0x00,  // nlmsg_pid
            0x00, 0x00, 0x00, 0x00,  // error 0: success
            0x4c, 0x00, 0x00, 0x00,  // echoed nlmsg_len 76 (the request's, not what follows)
            0x10, 0x00, 0x05, 0x06,  // echoed RTM_NEWLINK and its flags
            0x07, 0x00, 0x00, 0x00,  // echoed nlmsg_seq
            0x00, 0x00, 0x00, 0x00,  // echoed nlmsg_pid
        ]
        XCTAssertEqual(decode(bytes, Acknowledgement.init), Acknowledgement(errno: 0))
    }

    func testErrorWithTheKernelsReason() {
        let bytes: [UInt8] = [
            0x3c, 0x00, 0x00, 0x00,  // nlmsg_len 60
            0x02, 0x00,              // NLMSG_ERROR
            0x00, 0x03,              // NLM_F_CAPPED | NLM_F_ACK_TLVS
            0x07, 0x00, 0x00, 0x00,  // nlmsg_seq 7
            0xd2, 0x04, 0x00, 0x00,  // nlmsg_pid
            0xea, 0xff, 0xff, 0xff,  // error -22: EINVAL
            0x4c, 0x00, 0x00, 0x00,  // echoed header: nlmsg_len 76
            0x10, 0x00, 0x05, 0x06,  //   RTM_NEWLINK, flags
            0x07, 0x00, 0x00, 0x00,  //   nlmsg_seq
            0x00, 0x00, 0x00, 0x00,  //   nlmsg_pid
            0x18, 0x00, 0x01, 0x00,  // NLMSGERR_ATTR_MSG (1), length 24
            0x55, 0x6e, 0x6b, 0x6e,  //   "Unkn"
            0x6f, 0x77, 0x6e, 0x20,  //   "own "
            0x64, 0x65, 0x76, 0x69,  //   "devi"
            0x63, 0x65, 0x20, 0x74,  //   "ce t"
            0x79, 0x70, 0x65, 0x00,  //   "ype\0"
        ]
        XCTAssertEqual(decode(bytes, Acknowledgement.init), Acknowledgement(errno: 22, message: "Unknown device type"))
    }

    /// Without NETLINK_CAP_ACK the whole request is echoed; the reason comes after it.
    func testErrorAfterAnUncappedEcho() {
        let bytes: [UInt8] = [
            0x44, 0x00, 0x00, 0x00,  // nlmsg_len 68
            0x02, 0x00, 0x00, 0x02,  // NLMSG_ERROR; NLM_F_ACK_TLVS
            0x0c, 0x00, 0x00, 0x00,  // nlmsg_seq 12
            0x00, 0x00, 0x00, 0x00,  // nlmsg_pid
            0xed, 0xff, 0xff, 0xff,  // error -19: ENODEV
            0x20, 0x00, 0x00, 0x00,  // echoed request: nlmsg_len 32
            0x11, 0x00, 0x05, 0x00,  //   RTM_DELLINK, flags
            0x0c, 0x00, 0x00, 0x00,  //   nlmsg_seq
            0x00, 0x00, 0x00, 0x00,  //   nlmsg_pid
            0x00, 0x00, 0x00, 0x00,  //   ifinfomsg: family, type
            0x07, 0x00, 0x00, 0x00,  //     index 7
            0x00, 0x00, 0x00, 0x00,  //     flags
            0x00, 0x00, 0x00, 0x00,  //     change
            0x0e, 0x00, 0x01, 0x00,  // NLMSGERR_ATTR_MSG, length 14
            0x6e, 0x6f, 0x20, 0x64,  //   "no d"
            0x65, 0x76, 0x69, 0x63,  //   "evic"
            0x65, 0x00, 0x00, 0x00,  //   "e\0", padding
        ]
        XCTAssertEqual(decode(bytes, Acknowledgement.init), Acknowledgement(errno: 19, message: "no device"))
    }

    func testDoneIsNoAcknowledgement() {
        let done: [UInt8] = [0x14, 0x00, 0x00, 0x00, 0x03, 0x00, 0x02, 0x00,  // nlmsg_len 20, NLMSG_DONE, NLM_F_MULTI
                             0x09, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // seq 9, pid
                             0x00, 0x00, 0x00, 0x00]                          // 0 more entries
        XCTAssertNil(decode(done, Acknowledgement.init))
        XCTAssertEqual(decode(done) { $0.type }, 3)
    }

    // MARK: framing and attributes

    /// A datagram holds several messages; a trailing one cut short is not read.
    func testMessagesOfOneDatagram() {
        let ack: [UInt8] = [0x24, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x01, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                            0x00, 0x00, 0x00, 0x00] + [UInt8](repeating: 0, count: 16)
        let done: [UInt8] = [0x14, 0x00, 0x00, 0x00, 0x03, 0x00, 0x02, 0x00, 0x09, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                             0x00, 0x00, 0x00, 0x00]
        let cut: [UInt8] = [0x40, 0x00, 0x00, 0x00, 0x10, 0x00, 0x02, 0x00, 0x09, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]
        var seen: [(UInt16, UInt32)] = []
        (ack + done + cut).withUnsafeBytes { raw in
            NetlinkMessage.forEach(in: raw) { seen.append(($0.type, $0.sequence)); return true }
        }
        XCTAssertEqual(seen.map(\.0), [2, 3])
        XCTAssertEqual(seen.map(\.1), [7, 9])
        var first: [UInt16] = []
        (ack + done).withUnsafeBytes { raw in NetlinkMessage.forEach(in: raw) { first.append($0.type); return false } }
        XCTAssertEqual(first, [2], "stops when asked")
    }

    /// An attribute whose length is below its own header, or runs past the buffer, ends the walk.
    func testMalformedAttributesEndTheWalk() {
        let bytes: [UInt8] = [
            0x08, 0x00, 0x04, 0x00, 0xdc, 0x05, 0x00, 0x00,  // IFLA_MTU 1500
            0x02, 0x00, 0x03, 0x00,                          // length 2: below the 4-byte header
            0x08, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00,  // never reached
        ]
        let types = bytes.withUnsafeBytes { Attributes(buffer: $0).map(\.type) }
        XCTAssertEqual(types, [4])
        let pastEnd: [UInt8] = [0x08, 0x00, 0x04, 0x00, 0xdc, 0x05, 0x00, 0x00, 0x10, 0x00, 0x03, 0x00, 0x61, 0x00, 0x00, 0x00]
        XCTAssertEqual(pastEnd.withUnsafeBytes { Attributes(buffer: $0).map(\.type) }, [4])
    }

    // MARK: round trips: what poolnet writes reads back as what it meant

    func testCreatedVXLANReadsBack() throws {
        let request = NetlinkRequest(.createLink(index: 42, name: "vx100", kind: "vxlan", link: nil,
                                                 data: .vxlan(vni: 100, local: IPPrefix("2001:db8::1/128")!, port: 8472, device: 3)), label: "")
        let link = try XCTUnwrap(decode(request.bytes(sequence: 1), RawLink.init))
        XCTAssertEqual(link.vxlan, VXLANInfo(vni: 100, local: "2001:db8::1", port: 8472))
        XCTAssertEqual([link.index, link.vxlanDeviceIndex], [42, 3])
    }

    func testAddedAddressAndRemoteReadBack() {
        let address = NetlinkRequest(.addAddress(index: 7, prefix: IPPrefix("2001:db8::11/64")!, proto: 0x70), label: "")
        var added = RawAddress(index: 7, prefix: IPPrefix("2001:db8::11/64")!, proto: 0x70)
        added.details = AddressDetails(flags: 0)  // an add request sets no flags
        XCTAssertEqual(decode(address.bytes(sequence: 1), RawAddress.init), added)
        let remote = NetlinkRequest(.addVXLANRemote(index: 42, remote: IPPrefix("198.51.100.2/32")!), label: "")
        XCTAssertEqual(decode(remote.bytes(sequence: 2), FDBEntry.init), FDBEntry(index: 42, mac: [0, 0, 0, 0, 0, 0], destination: IPPrefix("198.51.100.2/32")!))
    }
}

import HostState
@testable import Netlink
import XCTest

/// RTM_NEWLINK / RTM_DELLINK requests, byte by byte (x86_64: little-endian host order, except where
/// the kernel wants network order). Each array is written from the kernel's uapi headers, not
/// copied from the encoder's output.
final class LinkRequestBytesTests: XCTestCase {
    func testCreateBridgeWithSTPAndVLANFiltering() {
        let request = NetlinkRequest(.createLink(index: 40, name: "br0", kind: "bridge", link: nil,
                                                 data: .bridge(stp: false, vlanFiltering: true)), label: "create br0")
        XCTAssertBytes(request.bytes(sequence: 1), [
            0x4c, 0x00, 0x00, 0x00,  // nlmsg_len 76
            0x10, 0x00,              // nlmsg_type RTM_NEWLINK (16)
            0x05, 0x06,              // nlmsg_flags NLM_F_REQUEST | NLM_F_ACK | NLM_F_EXCL | NLM_F_CREATE
            0x01, 0x00, 0x00, 0x00,  // nlmsg_seq 1
            0x00, 0x00, 0x00, 0x00,  // nlmsg_pid 0: the kernel fills it in
            0x00, 0x00,              // ifi_family AF_UNSPEC, padding
            0x00, 0x00,              // ifi_type
            0x28, 0x00, 0x00, 0x00,  // ifi_index 40: chosen by poolnet
            0x00, 0x00, 0x00, 0x00,  // ifi_flags: created down
            0x00, 0x00, 0x00, 0x00,  // ifi_change
            0x08, 0x00, 0x03, 0x00,  // IFLA_IFNAME (3), length 8
            0x62, 0x72, 0x30, 0x00,  //   "br0\0"
            0x24, 0x00, 0x12, 0x80,  // IFLA_LINKINFO (18) | NLA_F_NESTED, length 36
            0x0a, 0x00, 0x01, 0x00,  //   IFLA_INFO_KIND (1), length 10
            0x62, 0x72, 0x69, 0x64,  //     "brid"
            0x67, 0x65, 0x00, 0x00,  //     "ge", padding
            0x14, 0x00, 0x02, 0x80,  //   IFLA_INFO_DATA (2) | NLA_F_NESTED, length 20
            0x08, 0x00, 0x05, 0x00,  //     IFLA_BR_STP_STATE (5), length 8
            0x00, 0x00, 0x00, 0x00,  //       u32 0: off
            0x05, 0x00, 0x07, 0x00,  //     IFLA_BR_VLAN_FILTERING (7), length 5
            0x01, 0x00, 0x00, 0x00,  //       u8 1, padding
        ])
    }

    func testCreateVLANOnItsParent() {
        let request = NetlinkRequest(.createLink(index: 12, name: "eth1.20", kind: "vlan", link: 3, data: .vlan(id: 20)), label: "")
        XCTAssertBytes(request.bytes(sequence: 7), [
            0x4c, 0x00, 0x00, 0x00,  // nlmsg_len 76
            0x10, 0x00, 0x05, 0x06,  // RTM_NEWLINK; NLM_F_REQUEST | NLM_F_ACK | NLM_F_EXCL | NLM_F_CREATE
            0x07, 0x00, 0x00, 0x00,  // nlmsg_seq 7
            0x00, 0x00, 0x00, 0x00,  // nlmsg_pid
            0x00, 0x00, 0x00, 0x00,  // ifi_family AF_UNSPEC, padding, ifi_type
            0x0c, 0x00, 0x00, 0x00,  // ifi_index 12
            0x00, 0x00, 0x00, 0x00,  // ifi_flags
            0x00, 0x00, 0x00, 0x00,  // ifi_change
            0x0c, 0x00, 0x03, 0x00,  // IFLA_IFNAME, length 12
            0x65, 0x74, 0x68, 0x31,  //   "eth1"
            0x2e, 0x32, 0x30, 0x00,  //   ".20\0"
            0x08, 0x00, 0x05, 0x00,  // IFLA_LINK (5), length 8
            0x03, 0x00, 0x00, 0x00,  //   parent ifindex 3
            0x18, 0x00, 0x12, 0x80,  // IFLA_LINKINFO | NLA_F_NESTED, length 24
            0x08, 0x00, 0x01, 0x00,  //   IFLA_INFO_KIND, length 8
            0x76, 0x6c, 0x61, 0x6e,  //     "vlan"
            0x0c, 0x00, 0x02, 0x80,  //   IFLA_INFO_DATA | NLA_F_NESTED, length 12
            0x06, 0x00, 0x01, 0x00,  //     IFLA_VLAN_ID (1), length 6
            0x14, 0x00, 0x00, 0x00,  //       u16 20, padding
        ])
    }

    func testCreateBondWithEveryOption() {
        let data = BondData(mode: .lacp, miimon: 100, lacpFast: true, xmitHashPolicy: .layer34, primaryIndex: 5)
        let request = NetlinkRequest(.createLink(index: 41, name: "bond0", kind: "bond", link: nil, data: .bond(data)), label: "")
        XCTAssertBytes(request.bytes(sequence: 2), [
            0x64, 0x00, 0x00, 0x00,  // nlmsg_len 100
            0x10, 0x00, 0x05, 0x06,  // RTM_NEWLINK; NLM_F_REQUEST | NLM_F_ACK | NLM_F_EXCL | NLM_F_CREATE
            0x02, 0x00, 0x00, 0x00,  // nlmsg_seq 2
            0x00, 0x00, 0x00, 0x00,  // nlmsg_pid
            0x00, 0x00, 0x00, 0x00,  // ifi_family, padding, ifi_type
            0x29, 0x00, 0x00, 0x00,  // ifi_index 41
            0x00, 0x00, 0x00, 0x00,  // ifi_flags
            0x00, 0x00, 0x00, 0x00,  // ifi_change
            0x0a, 0x00, 0x03, 0x00,  // IFLA_IFNAME, length 10
            0x62, 0x6f, 0x6e, 0x64,  //   "bond"
            0x30, 0x00, 0x00, 0x00,  //   "0\0", padding
            0x38, 0x00, 0x12, 0x80,  // IFLA_LINKINFO | NLA_F_NESTED, length 56
            0x08, 0x00, 0x01, 0x00,  //   IFLA_INFO_KIND, length 8
            0x62, 0x6f, 0x6e, 0x64,  //     "bond"
            0x2c, 0x00, 0x02, 0x80,  //   IFLA_INFO_DATA | NLA_F_NESTED, length 44
            0x05, 0x00, 0x01, 0x00,  //     IFLA_BOND_MODE (1), length 5
            0x04, 0x00, 0x00, 0x00,  //       u8 4: 802.3ad, padding
            0x08, 0x00, 0x03, 0x00,  //     IFLA_BOND_MIIMON (3), length 8
            0x64, 0x00, 0x00, 0x00,  //       u32 100 ms
            0x05, 0x00, 0x15, 0x00,  //     IFLA_BOND_AD_LACP_RATE (21), length 5
            0x01, 0x00, 0x00, 0x00,  //       u8 1: fast, padding
            0x05, 0x00, 0x0e, 0x00,  //     IFLA_BOND_XMIT_HASH_POLICY (14), length 5
            0x01, 0x00, 0x00, 0x00,  //       u8 1: layer3+4, padding
            0x08, 0x00, 0x0b, 0x00,  //     IFLA_BOND_PRIMARY (11), length 8
            0x05, 0x00, 0x00, 0x00,  //       ifindex 5
        ])
    }

    func testCreateVXLANWithIPv4VTEPAndUnderlay() {
        let request = NetlinkRequest(.createLink(index: 42, name: "vx100", kind: "vxlan", link: nil,
                                                 data: .vxlan(vni: 100, local: IPPrefix("192.0.2.1/32")!, port: 4789, device: 3)), label: "")
        XCTAssertBytes(request.bytes(sequence: 3), [
            0x60, 0x00, 0x00, 0x00,  // nlmsg_len 96
            0x10, 0x00, 0x05, 0x06,  // RTM_NEWLINK; NLM_F_REQUEST | NLM_F_ACK | NLM_F_EXCL | NLM_F_CREATE
            0x03, 0x00, 0x00, 0x00,  // nlmsg_seq 3
            0x00, 0x00, 0x00, 0x00,  // nlmsg_pid
            0x00, 0x00, 0x00, 0x00,  // ifi_family, padding, ifi_type
            0x2a, 0x00, 0x00, 0x00,  // ifi_index 42
            0x00, 0x00, 0x00, 0x00,  // ifi_flags
            0x00, 0x00, 0x00, 0x00,  // ifi_change
            0x0a, 0x00, 0x03, 0x00,  // IFLA_IFNAME, length 10
            0x76, 0x78, 0x31, 0x30,  //   "vx10"
            0x30, 0x00, 0x00, 0x00,  //   "0\0", padding
            0x34, 0x00, 0x12, 0x80,  // IFLA_LINKINFO | NLA_F_NESTED, length 52
            0x09, 0x00, 0x01, 0x00,  //   IFLA_INFO_KIND, length 9
            0x76, 0x78, 0x6c, 0x61,  //     "vxla"
            0x6e, 0x00, 0x00, 0x00,  //     "n", padding
            0x24, 0x00, 0x02, 0x80,  //   IFLA_INFO_DATA | NLA_F_NESTED, length 36
            0x08, 0x00, 0x01, 0x00,  //     IFLA_VXLAN_ID (1), length 8
            0x64, 0x00, 0x00, 0x00,  //       VNI 100
            0x08, 0x00, 0x03, 0x00,  //     IFLA_VXLAN_LINK (3), length 8
            0x03, 0x00, 0x00, 0x00,  //       underlay ifindex 3
            0x08, 0x00, 0x04, 0x00,  //     IFLA_VXLAN_LOCAL (4), length 8
            0xc0, 0x00, 0x02, 0x01,  //       192.0.2.1
            0x06, 0x00, 0x0f, 0x00,  //     IFLA_VXLAN_PORT (15), length 6
            0x12, 0xb5, 0x00, 0x00,  //       4789 in network order, padding
        ])
    }

    func testCreateVXLANWithIPv6VTEPAndNoUnderlay() {
        let request = NetlinkRequest(.createLink(index: 43, name: "vx6", kind: "vxlan", link: nil,
                                                 data: .vxlan(vni: 0x010203, local: IPPrefix("2001:db8::1/128")!, port: 8472, device: nil)), label: "")
        XCTAssertBytes(request.bytes(sequence: 4), [
            0x60, 0x00, 0x00, 0x00,  // nlmsg_len 96
            0x10, 0x00, 0x05, 0x06,  // RTM_NEWLINK; NLM_F_REQUEST | NLM_F_ACK | NLM_F_EXCL | NLM_F_CREATE
            0x04, 0x00, 0x00, 0x00,  // nlmsg_seq 4
            0x00, 0x00, 0x00, 0x00,  // nlmsg_pid
            0x00, 0x00, 0x00, 0x00,  // ifi_family, padding, ifi_type
            0x2b, 0x00, 0x00, 0x00,  // ifi_index 43
            0x00, 0x00, 0x00, 0x00,  // ifi_flags
            0x00, 0x00, 0x00, 0x00,  // ifi_change
            0x08, 0x00, 0x03, 0x00,  // IFLA_IFNAME, length 8
            0x76, 0x78, 0x36, 0x00,  //   "vx6\0"
            0x38, 0x00, 0x12, 0x80,  // IFLA_LINKINFO | NLA_F_NESTED, length 56
            0x09, 0x00, 0x01, 0x00,  //   IFLA_INFO_KIND, length 9
            0x76, 0x78, 0x6c, 0x61,  //     "vxla"
            0x6e, 0x00, 0x00, 0x00,  //     "n", padding
            0x28, 0x00, 0x02, 0x80,  //   IFLA_INFO_DATA | NLA_F_NESTED, length 40
            0x08, 0x00, 0x01, 0x00,  //     IFLA_VXLAN_ID, length 8
            0x03, 0x02, 0x01, 0x00,  //       VNI 0x010203
            0x14, 0x00, 0x11, 0x00,  //     IFLA_VXLAN_LOCAL6 (17), length 20
            0x20, 0x01, 0x0d, 0xb8,  //       2001:db8:
            0x00, 0x00, 0x00, 0x00,  //       :
            0x00, 0x00, 0x00, 0x00,  //
            0x00, 0x00, 0x00, 0x01,  //       :1
            0x06, 0x00, 0x0f, 0x00,  //     IFLA_VXLAN_PORT, length 6
            0x21, 0x18, 0x00, 0x00,  //       8472 in network order, padding
        ])
    }

    func testCreateWithoutKindDataCarriesOnlyTheKind() {
        let request = NetlinkRequest(.createLink(index: 44, name: "br1", kind: "bridge", link: nil, data: nil), label: "")
        XCTAssertBytes(request.bytes(sequence: 5), [
            0x38, 0x00, 0x00, 0x00,  // nlmsg_len 56
            0x10, 0x00, 0x05, 0x06,  // RTM_NEWLINK; NLM_F_REQUEST | NLM_F_ACK | NLM_F_EXCL | NLM_F_CREATE
            0x05, 0x00, 0x00, 0x00,  // nlmsg_seq 5
            0x00, 0x00, 0x00, 0x00,  // nlmsg_pid
            0x00, 0x00, 0x00, 0x00,  // ifi_family, padding, ifi_type
            0x2c, 0x00, 0x00, 0x00,  // ifi_index 44
            0x00, 0x00, 0x00, 0x00,  // ifi_flags
            0x00, 0x00, 0x00, 0x00,  // ifi_change
            0x08, 0x00, 0x03, 0x00,  // IFLA_IFNAME, length 8
            0x62, 0x72, 0x31, 0x00,  //   "br1\0"
            0x10, 0x00, 0x12, 0x80,  // IFLA_LINKINFO | NLA_F_NESTED, length 16
            0x0a, 0x00, 0x01, 0x00,  //   IFLA_INFO_KIND, length 10
            0x62, 0x72, 0x69, 0x64,  //     "brid"
            0x67, 0x65, 0x00, 0x00,  //     "ge", padding
        ])
    }

    /// The second request of a new link: MTU, master, alias, and no IPv6 link-local, and up.
    func testChangeLinkWithEverySetting() {
        let request = NetlinkRequest(.changeLink(index: 7, mtu: 9000, up: true, master: 9, alias: "poolnet:lab",
                                                 noIPv6LinkLocal: true), label: "")
        XCTAssertBytes(request.bytes(sequence: 8), [
            0x50, 0x00, 0x00, 0x00,  // nlmsg_len 80
            0x10, 0x00,              // nlmsg_type RTM_NEWLINK
            0x05, 0x00,              // nlmsg_flags NLM_F_REQUEST | NLM_F_ACK: no create
            0x08, 0x00, 0x00, 0x00,  // nlmsg_seq 8
            0x00, 0x00, 0x00, 0x00,  // nlmsg_pid
            0x00, 0x00, 0x00, 0x00,  // ifi_family, padding, ifi_type
            0x07, 0x00, 0x00, 0x00,  // ifi_index 7
            0x01, 0x00, 0x00, 0x00,  // ifi_flags IFF_UP
            0x01, 0x00, 0x00, 0x00,  // ifi_change IFF_UP: only that flag changes
            0x08, 0x00, 0x04, 0x00,  // IFLA_MTU (4), length 8
            0x28, 0x23, 0x00, 0x00,  //   9000
            0x08, 0x00, 0x0a, 0x00,  // IFLA_MASTER (10), length 8
            0x09, 0x00, 0x00, 0x00,  //   ifindex 9
            0x0f, 0x00, 0x14, 0x00,  // IFLA_IFALIAS (20), length 15: no NUL
            0x70, 0x6f, 0x6f, 0x6c,  //   "pool"
            0x6e, 0x65, 0x74, 0x3a,  //   "net:"
            0x6c, 0x61, 0x62, 0x00,  //   "lab", padding
            0x10, 0x00, 0x1a, 0x80,  // IFLA_AF_SPEC (26) | NLA_F_NESTED, length 16
            0x0c, 0x00, 0x0a, 0x80,  //   AF_INET6 (10) | NLA_F_NESTED, length 12
            0x05, 0x00, 0x08, 0x00,  //     IFLA_INET6_ADDR_GEN_MODE (8), length 5
            0x01, 0x00, 0x00, 0x00,  //       u8 1: IN6_ADDR_GEN_MODE_NONE, padding
        ])
    }

    func testChangeLinkDownIntoAGroup() {
        let request = NetlinkRequest(.changeLink(index: 7, up: false, group: 0x706e_0001), label: "")
        XCTAssertBytes(request.bytes(sequence: 9), [
            0x28, 0x00, 0x00, 0x00,  // nlmsg_len 40
            0x10, 0x00, 0x05, 0x00,  // RTM_NEWLINK; NLM_F_REQUEST | NLM_F_ACK
            0x09, 0x00, 0x00, 0x00,  // nlmsg_seq 9
            0x00, 0x00, 0x00, 0x00,  // nlmsg_pid
            0x00, 0x00, 0x00, 0x00,  // ifi_family, padding, ifi_type
            0x07, 0x00, 0x00, 0x00,  // ifi_index 7
            0x00, 0x00, 0x00, 0x00,  // ifi_flags: IFF_UP cleared
            0x01, 0x00, 0x00, 0x00,  // ifi_change IFF_UP
            0x08, 0x00, 0x1b, 0x00,  // IFLA_GROUP (27), length 8
            0x01, 0x00, 0x6e, 0x70,  //   0x706e0001: poolnet's scratch group
        ])
    }

    func testChangeBridgeSTPInPlace() {
        let request = NetlinkRequest(.changeLink(index: 40, kind: "bridge", data: .bridge(stp: true, vlanFiltering: nil)), label: "")
        XCTAssertBytes(request.bytes(sequence: 10), [
            0x3c, 0x00, 0x00, 0x00,  // nlmsg_len 60
            0x10, 0x00, 0x05, 0x00,  // RTM_NEWLINK; NLM_F_REQUEST | NLM_F_ACK
            0x0a, 0x00, 0x00, 0x00,  // nlmsg_seq 10
            0x00, 0x00, 0x00, 0x00,  // nlmsg_pid
            0x00, 0x00, 0x00, 0x00,  // ifi_family, padding, ifi_type
            0x28, 0x00, 0x00, 0x00,  // ifi_index 40
            0x00, 0x00, 0x00, 0x00,  // ifi_flags
            0x00, 0x00, 0x00, 0x00,  // ifi_change 0: up/down untouched
            0x1c, 0x00, 0x12, 0x80,  // IFLA_LINKINFO | NLA_F_NESTED, length 28
            0x0a, 0x00, 0x01, 0x00,  //   IFLA_INFO_KIND, length 10
            0x62, 0x72, 0x69, 0x64,  //     "brid"
            0x67, 0x65, 0x00, 0x00,  //     "ge", padding
            0x0c, 0x00, 0x02, 0x80,  //   IFLA_INFO_DATA | NLA_F_NESTED, length 12
            0x08, 0x00, 0x05, 0x00,  //     IFLA_BR_STP_STATE, length 8
            0x01, 0x00, 0x00, 0x00,  //       u32 1: on (vlan_filtering not sent: unchanged)
        ])
    }

    /// An enslave and the port's mark, merged: one RTM_NEWLINK with both attributes.
    func testMergedEnslaveAndMarkIsOneMessage() throws {
        let enslave = NetlinkRequest(.changeLink(index: 5, master: 9), label: "enslave")
        let mark = NetlinkRequest(.changeLink(index: 5, alias: "poolnet:lab:port"), label: "mark")
        let merged = try XCTUnwrap(enslave.merged(with: mark))
        XCTAssertBytes(merged.bytes(sequence: 11), [
            0x3c, 0x00, 0x00, 0x00,  // nlmsg_len 60
            0x10, 0x00, 0x05, 0x00,  // RTM_NEWLINK; NLM_F_REQUEST | NLM_F_ACK
            0x0b, 0x00, 0x00, 0x00,  // nlmsg_seq 11
            0x00, 0x00, 0x00, 0x00,  // nlmsg_pid
            0x00, 0x00, 0x00, 0x00,  // ifi_family, padding, ifi_type
            0x05, 0x00, 0x00, 0x00,  // ifi_index 5
            0x00, 0x00, 0x00, 0x00,  // ifi_flags
            0x00, 0x00, 0x00, 0x00,  // ifi_change
            0x08, 0x00, 0x0a, 0x00,  // IFLA_MASTER, length 8
            0x09, 0x00, 0x00, 0x00,  //   ifindex 9
            0x14, 0x00, 0x14, 0x00,  // IFLA_IFALIAS, length 20
            0x70, 0x6f, 0x6f, 0x6c,  //   "pool"
            0x6e, 0x65, 0x74, 0x3a,  //   "net:"
            0x6c, 0x61, 0x62, 0x3a,  //   "lab:"
            0x70, 0x6f, 0x72, 0x74,  //   "port"
        ])
    }

    func testDeleteLink() {
        XCTAssertBytes(NetlinkRequest(.deleteLink(index: 7), label: "").bytes(sequence: 12), [
            0x20, 0x00, 0x00, 0x00,  // nlmsg_len 32
            0x11, 0x00, 0x05, 0x00,  // RTM_DELLINK (17); NLM_F_REQUEST | NLM_F_ACK
            0x0c, 0x00, 0x00, 0x00,  // nlmsg_seq 12
            0x00, 0x00, 0x00, 0x00,  // nlmsg_pid
            0x00, 0x00, 0x00, 0x00,  // ifi_family, padding, ifi_type
            0x07, 0x00, 0x00, 0x00,  // ifi_index 7
            0x00, 0x00, 0x00, 0x00,  // ifi_flags
            0x00, 0x00, 0x00, 0x00,  // ifi_change
        ])
    }

    func testDeleteGroup() {
        XCTAssertBytes(NetlinkRequest(.deleteGroup(0x706e_0001), label: "").bytes(sequence: 13), [
            0x28, 0x00, 0x00, 0x00,  // nlmsg_len 40
            0x11, 0x00, 0x05, 0x00,  // RTM_DELLINK; NLM_F_REQUEST | NLM_F_ACK
            0x0d, 0x00, 0x00, 0x00,  // nlmsg_seq 13
            0x00, 0x00, 0x00, 0x00,  // nlmsg_pid
            0x00, 0x00, 0x00, 0x00,  // ifi_family, padding, ifi_type
            0x00, 0x00, 0x00, 0x00,  // ifi_index 0: the group names the links
            0x00, 0x00, 0x00, 0x00,  // ifi_flags
            0x00, 0x00, 0x00, 0x00,  // ifi_change
            0x08, 0x00, 0x1b, 0x00,  // IFLA_GROUP, length 8
            0x01, 0x00, 0x6e, 0x70,  //   0x706e0001
        ])
    }
}

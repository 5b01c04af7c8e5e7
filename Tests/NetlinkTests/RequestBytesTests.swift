import HostState
@testable import Netlink
import XCTest

/// Address, route, bridge VLAN and FDB writes, and every read request, byte by byte (x86_64 host
/// order), written from the kernel's uapi headers.
final class RequestBytesTests: XCTestCase {
    func testAddIPv4AddressWithPoolnetsProtocol() {
        let request = NetlinkRequest(.addAddress(index: 7, prefix: IPPrefix("192.0.2.11/24")!, proto: 0x70), label: "")
        XCTAssertBytes(request.bytes(sequence: 1), [
            0x30, 0x00, 0x00, 0x00,  // nlmsg_len 48
            0x14, 0x00,              // nlmsg_type RTM_NEWADDR (20)
            0x05, 0x06,              // NLM_F_REQUEST | NLM_F_ACK | NLM_F_EXCL | NLM_F_CREATE: never replaces
            0x01, 0x00, 0x00, 0x00,  // nlmsg_seq 1
            0x00, 0x00, 0x00, 0x00,  // nlmsg_pid
            0x02, 0x18, 0x00, 0x00,  // ifa_family AF_INET, ifa_prefixlen 24, ifa_flags, ifa_scope
            0x07, 0x00, 0x00, 0x00,  // ifa_index 7
            0x08, 0x00, 0x02, 0x00,  // IFA_LOCAL (2), length 8
            0xc0, 0x00, 0x02, 0x0b,  //   192.0.2.11
            0x08, 0x00, 0x01, 0x00,  // IFA_ADDRESS (1), length 8
            0xc0, 0x00, 0x02, 0x0b,  //   192.0.2.11
            0x05, 0x00, 0x0b, 0x00,  // IFA_PROTO (11), length 5
            0x70, 0x00, 0x00, 0x00,  //   0x70: poolnet's mark, padding
        ])
    }

    /// `apply --adopt`'s re-mark: a replace that sends the address back as the dump read it
    /// (flags, lifetimes, broadcast, label, metric) with only IFA_PROTO new.
    func testRemarkIPv4AddressSendsEverythingBack() {
        let details = AddressDetails(flags: 0x80, validLifetime: 300, preferredLifetime: 200, scope: 0,
                                     broadcast: "192.0.2.255", label: "br0", metric: 50)
        let request = NetlinkRequest(.remarkAddress(index: 7, prefix: IPPrefix("192.0.2.11/24")!, proto: 0x70, details: details), label: "")
        XCTAssertBytes(request.bytes(sequence: 3), [
            0x64, 0x00, 0x00, 0x00,  // nlmsg_len 100
            0x14, 0x00,              // nlmsg_type RTM_NEWADDR (20)
            0x05, 0x01,              // NLM_F_REQUEST | NLM_F_ACK | NLM_F_REPLACE (0x100): never creates
            0x03, 0x00, 0x00, 0x00,  // nlmsg_seq 3
            0x00, 0x00, 0x00, 0x00,  // nlmsg_pid
            0x02, 0x18, 0x80, 0x00,  // AF_INET, prefixlen 24, ifa_flags IFA_F_PERMANENT, scope universe
            0x07, 0x00, 0x00, 0x00,  // ifa_index 7
            0x08, 0x00, 0x02, 0x00,  // IFA_LOCAL (2), length 8
            0xc0, 0x00, 0x02, 0x0b,  //   192.0.2.11
            0x08, 0x00, 0x01, 0x00,  // IFA_ADDRESS (1), length 8: no peer, so the address itself
            0xc0, 0x00, 0x02, 0x0b,  //   192.0.2.11
            0x08, 0x00, 0x04, 0x00,  // IFA_BROADCAST (4), length 8
            0xc0, 0x00, 0x02, 0xff,  //   192.0.2.255
            0x08, 0x00, 0x03, 0x00,  // IFA_LABEL (3), length 8
            0x62, 0x72, 0x30, 0x00,  //   "br0\0"
            0x08, 0x00, 0x08, 0x00,  // IFA_FLAGS (8), length 8
            0x80, 0x00, 0x00, 0x00,  //   IFA_F_PERMANENT (32 bits)
            0x08, 0x00, 0x09, 0x00,  // IFA_RT_PRIORITY (9), length 8
            0x32, 0x00, 0x00, 0x00,  //   metric 50
            0x14, 0x00, 0x06, 0x00,  // IFA_CACHEINFO (6), length 20
            0xc8, 0x00, 0x00, 0x00,  //   ifa_prefered 200 s
            0x2c, 0x01, 0x00, 0x00,  //   ifa_valid 300 s
            0x00, 0x00, 0x00, 0x00,  //   cstamp (ignored by the kernel)
            0x00, 0x00, 0x00, 0x00,  //   tstamp (ignored by the kernel)
            0x05, 0x00, 0x0b, 0x00,  // IFA_PROTO (11), length 5
            0x70, 0x00, 0x00, 0x00,  //   0x70: poolnet's mark, padding
        ])
        var read = RawAddress(index: 7, prefix: IPPrefix("192.0.2.11/24")!, proto: 0x70)
        read.details = details
        XCTAssertEqual(decode(request.bytes(sequence: 3), RawAddress.init), read, "the re-mark reads back as the address it re-marks")
    }

    func testRemoveIPv6Address() {
        let request = NetlinkRequest(.removeAddress(index: 7, prefix: IPPrefix("2001:db8::11/64")!), label: "")
        XCTAssertBytes(request.bytes(sequence: 2), [
            0x40, 0x00, 0x00, 0x00,  // nlmsg_len 64
            0x15, 0x00, 0x05, 0x00,  // RTM_DELADDR (21); NLM_F_REQUEST | NLM_F_ACK
            0x02, 0x00, 0x00, 0x00,  // nlmsg_seq 2
            0x00, 0x00, 0x00, 0x00,  // nlmsg_pid
            0x0a, 0x40, 0x00, 0x00,  // ifa_family AF_INET6 (10), ifa_prefixlen 64, ifa_flags, ifa_scope
            0x07, 0x00, 0x00, 0x00,  // ifa_index 7
            0x14, 0x00, 0x02, 0x00,  // IFA_LOCAL, length 20
            0x20, 0x01, 0x0d, 0xb8,  //   2001:db8:
            0x00, 0x00, 0x00, 0x00,  //   :
            0x00, 0x00, 0x00, 0x00,  //
            0x00, 0x00, 0x00, 0x11,  //   :11
            0x14, 0x00, 0x01, 0x00,  // IFA_ADDRESS, length 20
            0x20, 0x01, 0x0d, 0xb8,  //   2001:db8:
            0x00, 0x00, 0x00, 0x00,  //   :
            0x00, 0x00, 0x00, 0x00,  //
            0x00, 0x00, 0x00, 0x11,  //   :11
        ])
    }

    /// A PVID alone, a run of three tagged VLANs as one range, an untagged VLAN alone.
    func testAddPortVLANsAsRanges() {
        let vlans = [BridgeVLAN(vid: 20, untagged: true), BridgeVLAN(vid: 10), BridgeVLAN(vid: 1, pvid: true, untagged: true),
                     BridgeVLAN(vid: 12), BridgeVLAN(vid: 11)]
        let request = NetlinkRequest(.addBridgeVLANs(index: 8, vlans: vlans, bridgeItself: false), label: "")
        XCTAssertBytes(request.bytes(sequence: 3), [
            0x44, 0x00, 0x00, 0x00,  // nlmsg_len 68
            0x13, 0x00, 0x05, 0x00,  // RTM_SETLINK (19); NLM_F_REQUEST | NLM_F_ACK
            0x03, 0x00, 0x00, 0x00,  // nlmsg_seq 3
            0x00, 0x00, 0x00, 0x00,  // nlmsg_pid
            0x07, 0x00, 0x00, 0x00,  // ifi_family AF_BRIDGE (7), padding, ifi_type
            0x08, 0x00, 0x00, 0x00,  // ifi_index 8: the port
            0x00, 0x00, 0x00, 0x00,  // ifi_flags
            0x00, 0x00, 0x00, 0x00,  // ifi_change
            0x24, 0x00, 0x1a, 0x80,  // IFLA_AF_SPEC | NLA_F_NESTED, length 36
            0x08, 0x00, 0x02, 0x00,  //   IFLA_BRIDGE_VLAN_INFO (2), length 8
            0x06, 0x00, 0x01, 0x00,  //     flags PVID | UNTAGGED, vid 1
            0x08, 0x00, 0x02, 0x00,  //   IFLA_BRIDGE_VLAN_INFO
            0x08, 0x00, 0x0a, 0x00,  //     flags RANGE_BEGIN, vid 10
            0x08, 0x00, 0x02, 0x00,  //   IFLA_BRIDGE_VLAN_INFO
            0x10, 0x00, 0x0c, 0x00,  //     flags RANGE_END, vid 12
            0x08, 0x00, 0x02, 0x00,  //   IFLA_BRIDGE_VLAN_INFO
            0x04, 0x00, 0x14, 0x00,  //     flags UNTAGGED, vid 20
        ])
    }

    func testRemoveTheBridgesOwnVLAN() {
        let request = NetlinkRequest(.removeBridgeVLANs(index: 40, vlans: [BridgeVLAN(vid: 5)], bridgeItself: true), label: "")
        XCTAssertBytes(request.bytes(sequence: 4), [
            0x34, 0x00, 0x00, 0x00,  // nlmsg_len 52
            0x11, 0x00, 0x05, 0x00,  // RTM_DELLINK (17); NLM_F_REQUEST | NLM_F_ACK
            0x04, 0x00, 0x00, 0x00,  // nlmsg_seq 4
            0x00, 0x00, 0x00, 0x00,  // nlmsg_pid
            0x07, 0x00, 0x00, 0x00,  // ifi_family AF_BRIDGE, padding, ifi_type
            0x28, 0x00, 0x00, 0x00,  // ifi_index 40: the bridge
            0x00, 0x00, 0x00, 0x00,  // ifi_flags
            0x00, 0x00, 0x00, 0x00,  // ifi_change
            0x14, 0x00, 0x1a, 0x80,  // IFLA_AF_SPEC | NLA_F_NESTED, length 20
            0x06, 0x00, 0x00, 0x00,  //   IFLA_BRIDGE_FLAGS (0), length 6
            0x02, 0x00, 0x00, 0x00,  //     BRIDGE_FLAGS_SELF, padding
            0x08, 0x00, 0x02, 0x00,  //   IFLA_BRIDGE_VLAN_INFO, length 8
            0x00, 0x00, 0x05, 0x00,  //     flags 0, vid 5
        ])
    }

    func testAppendVXLANRemote() {
        let request = NetlinkRequest(.addVXLANRemote(index: 42, remote: IPPrefix("198.51.100.2/32")!), label: "")
        XCTAssertBytes(request.bytes(sequence: 5), [
            0x30, 0x00, 0x00, 0x00,  // nlmsg_len 48
            0x1c, 0x00,              // nlmsg_type RTM_NEWNEIGH (28)
            0x05, 0x0c,              // NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_APPEND
            0x05, 0x00, 0x00, 0x00,  // nlmsg_seq 5
            0x00, 0x00, 0x00, 0x00,  // nlmsg_pid
            0x07, 0x00, 0x00, 0x00,  // ndm_family AF_BRIDGE, ndm_pad1, ndm_pad2
            0x2a, 0x00, 0x00, 0x00,  // ndm_ifindex 42
            0xc0, 0x00,              // ndm_state NUD_NOARP | NUD_PERMANENT
            0x02, 0x00,              // ndm_flags NTF_SELF, ndm_type
            0x0a, 0x00, 0x02, 0x00,  // NDA_LLADDR (2), length 10
            0x00, 0x00, 0x00, 0x00,  //   00:00:00:00:
            0x00, 0x00, 0x00, 0x00,  //   00:00, padding
            0x08, 0x00, 0x01, 0x00,  // NDA_DST (1), length 8
            0xc6, 0x33, 0x64, 0x02,  //   198.51.100.2
        ])
    }

    func testRemoveIPv6VXLANRemote() {
        let request = NetlinkRequest(.removeVXLANRemote(index: 42, remote: IPPrefix("2001:db8::2/128")!), label: "")
        XCTAssertBytes(request.bytes(sequence: 6), [
            0x3c, 0x00, 0x00, 0x00,  // nlmsg_len 60
            0x1d, 0x00, 0x05, 0x00,  // RTM_DELNEIGH (29); NLM_F_REQUEST | NLM_F_ACK
            0x06, 0x00, 0x00, 0x00,  // nlmsg_seq 6
            0x00, 0x00, 0x00, 0x00,  // nlmsg_pid
            0x07, 0x00, 0x00, 0x00,  // ndm_family AF_BRIDGE, padding
            0x2a, 0x00, 0x00, 0x00,  // ndm_ifindex 42
            0xc0, 0x00, 0x02, 0x00,  // ndm_state NOARP | PERMANENT, ndm_flags NTF_SELF, ndm_type
            0x0a, 0x00, 0x02, 0x00,  // NDA_LLADDR, length 10
            0x00, 0x00, 0x00, 0x00,  //   00:00:00:00:
            0x00, 0x00, 0x00, 0x00,  //   00:00, padding
            0x14, 0x00, 0x01, 0x00,  // NDA_DST, length 20
            0x20, 0x01, 0x0d, 0xb8,  //   2001:db8:
            0x00, 0x00, 0x00, 0x00,  //   :
            0x00, 0x00, 0x00, 0x00,  //
            0x00, 0x00, 0x00, 0x02,  //   :2
        ])
    }

    func testAddDefaultRouteViaGateway() {
        let route = RouteState(destination: IPPrefix("0.0.0.0/0")!, gateway: "192.0.2.254", link: "san0", metric: 100, proto: 4)
        XCTAssertBytes(NetlinkRequest(.addRoute(route, link: 5), label: "").bytes(sequence: 7), [
            0x34, 0x00, 0x00, 0x00,  // nlmsg_len 52
            0x18, 0x00, 0x05, 0x06,  // RTM_NEWROUTE (24); NLM_F_REQUEST | NLM_F_ACK | NLM_F_EXCL | NLM_F_CREATE
            0x07, 0x00, 0x00, 0x00,  // nlmsg_seq 7
            0x00, 0x00, 0x00, 0x00,  // nlmsg_pid
            0x02, 0x00, 0x00, 0x00,  // rtm_family AF_INET, rtm_dst_len 0, rtm_src_len, rtm_tos
            0xfe, 0x04, 0x00, 0x01,  // rtm_table main (254), rtm_protocol 4 (static), rtm_scope universe, rtm_type unicast
            0x00, 0x00, 0x00, 0x00,  // rtm_flags
            0x08, 0x00, 0x05, 0x00,  // RTA_GATEWAY (5), length 8 (no RTA_DST: a /0)
            0xc0, 0x00, 0x02, 0xfe,  //   192.0.2.254
            0x08, 0x00, 0x04, 0x00,  // RTA_OIF (4), length 8
            0x05, 0x00, 0x00, 0x00,  //   ifindex 5
            0x08, 0x00, 0x06, 0x00,  // RTA_PRIORITY (6), length 8
            0x64, 0x00, 0x00, 0x00,  //   metric 100
        ])
    }

    func testRemoveOnLinkRouteInALargeTable() {
        let route = RouteState(destination: IPPrefix("10.0.0.0/8")!, link: "san0", table: 1000, metric: 0, proto: 3)
        XCTAssertBytes(NetlinkRequest(.removeRoute(route, link: 5), label: "").bytes(sequence: 8), [
            0x34, 0x00, 0x00, 0x00,  // nlmsg_len 52
            0x19, 0x00, 0x05, 0x00,  // RTM_DELROUTE (25); NLM_F_REQUEST | NLM_F_ACK
            0x08, 0x00, 0x00, 0x00,  // nlmsg_seq 8
            0x00, 0x00, 0x00, 0x00,  // nlmsg_pid
            0x02, 0x08, 0x00, 0x00,  // rtm_family AF_INET, rtm_dst_len 8, rtm_src_len, rtm_tos
            0x00, 0x03, 0xfd, 0x01,  // rtm_table unspec (the table is ≥ 256), protocol 3, scope link (253), unicast
            0x00, 0x00, 0x00, 0x00,  // rtm_flags
            0x08, 0x00, 0x0f, 0x00,  // RTA_TABLE (15), length 8
            0xe8, 0x03, 0x00, 0x00,  //   1000
            0x08, 0x00, 0x01, 0x00,  // RTA_DST (1), length 8
            0x0a, 0x00, 0x00, 0x00,  //   10.0.0.0
            0x08, 0x00, 0x04, 0x00,  // RTA_OIF, length 8
            0x05, 0x00, 0x00, 0x00,  //   ifindex 5 (metric 0: no RTA_PRIORITY)
        ])
    }

    // MARK: reads

    func testLinkDumpSkipsCounters() {
        XCTAssertBytes(ReadRequest.links.bytes(sequence: 9), [
            0x28, 0x00, 0x00, 0x00,  // nlmsg_len 40
            0x12, 0x00,              // nlmsg_type RTM_GETLINK (18)
            0x01, 0x03,              // NLM_F_REQUEST | NLM_F_DUMP
            0x09, 0x00, 0x00, 0x00,  // nlmsg_seq 9
            0x00, 0x00, 0x00, 0x00,  // nlmsg_pid
            0x00, 0x00, 0x00, 0x00,  // ifi_family AF_UNSPEC, padding, ifi_type
            0x00, 0x00, 0x00, 0x00,  // ifi_index
            0x00, 0x00, 0x00, 0x00,  // ifi_flags
            0x00, 0x00, 0x00, 0x00,  // ifi_change
            0x08, 0x00, 0x1d, 0x00,  // IFLA_EXT_MASK (29), length 8
            0x08, 0x00, 0x00, 0x00,  //   RTEXT_FILTER_SKIP_STATS
        ])
    }

    func testGetOneLinkByName() {
        XCTAssertBytes(ReadRequest.link(name: "br0").bytes(sequence: 10), [
            0x30, 0x00, 0x00, 0x00,  // nlmsg_len 48
            0x12, 0x00, 0x01, 0x00,  // RTM_GETLINK; NLM_F_REQUEST: one link, no dump
            0x0a, 0x00, 0x00, 0x00,  // nlmsg_seq 10
            0x00, 0x00, 0x00, 0x00,  // nlmsg_pid
            0x00, 0x00, 0x00, 0x00,  // ifi_family, padding, ifi_type
            0x00, 0x00, 0x00, 0x00,  // ifi_index 0: by name
            0x00, 0x00, 0x00, 0x00,  // ifi_flags
            0x00, 0x00, 0x00, 0x00,  // ifi_change
            0x08, 0x00, 0x03, 0x00,  // IFLA_IFNAME, length 8
            0x62, 0x72, 0x30, 0x00,  //   "br0\0"
            0x08, 0x00, 0x1d, 0x00,  // IFLA_EXT_MASK, length 8
            0x08, 0x00, 0x00, 0x00,  //   RTEXT_FILTER_SKIP_STATS
        ])
    }

    func testAddressDump() {
        XCTAssertBytes(ReadRequest.addresses.bytes(sequence: 11), [
            0x18, 0x00, 0x00, 0x00,  // nlmsg_len 24
            0x16, 0x00, 0x01, 0x03,  // RTM_GETADDR (22); NLM_F_REQUEST | NLM_F_DUMP
            0x0b, 0x00, 0x00, 0x00,  // nlmsg_seq 11
            0x00, 0x00, 0x00, 0x00,  // nlmsg_pid
            0x00, 0x00, 0x00, 0x00,  // ifa_family AF_UNSPEC: IPv4 and IPv6, prefixlen, flags, scope
            0x00, 0x00, 0x00, 0x00,  // ifa_index
        ])
    }

    func testBridgeVLANDumpAsksForRanges() {
        XCTAssertBytes(ReadRequest.bridgeVLANs.bytes(sequence: 12), [
            0x28, 0x00, 0x00, 0x00,  // nlmsg_len 40
            0x12, 0x00, 0x01, 0x03,  // RTM_GETLINK; NLM_F_REQUEST | NLM_F_DUMP
            0x0c, 0x00, 0x00, 0x00,  // nlmsg_seq 12
            0x00, 0x00, 0x00, 0x00,  // nlmsg_pid
            0x07, 0x00, 0x00, 0x00,  // ifi_family AF_BRIDGE, padding, ifi_type
            0x00, 0x00, 0x00, 0x00,  // ifi_index
            0x00, 0x00, 0x00, 0x00,  // ifi_flags
            0x00, 0x00, 0x00, 0x00,  // ifi_change
            0x08, 0x00, 0x1d, 0x00,  // IFLA_EXT_MASK, length 8
            0x04, 0x00, 0x00, 0x00,  //   RTEXT_FILTER_BRVLAN_COMPRESSED
        ])
    }

    func testFDBDump() {
        XCTAssertBytes(ReadRequest.fdb.bytes(sequence: 13), [
            0x1c, 0x00, 0x00, 0x00,  // nlmsg_len 28
            0x1e, 0x00, 0x01, 0x03,  // RTM_GETNEIGH (30); NLM_F_REQUEST | NLM_F_DUMP
            0x0d, 0x00, 0x00, 0x00,  // nlmsg_seq 13
            0x00, 0x00, 0x00, 0x00,  // nlmsg_pid
            0x07, 0x00, 0x00, 0x00,  // ndm_family AF_BRIDGE, padding
            0x00, 0x00, 0x00, 0x00,  // ndm_ifindex 0: every device (one dump, not one per VXLAN)
            0x00, 0x00, 0x00, 0x00,  // ndm_state, ndm_flags, ndm_type
        ])
    }

    func testFDBDumpOfOneDevice() {
        XCTAssertBytes(ReadRequest.fdbOf(device: 7).bytes(sequence: 13), [
            0x20, 0x00, 0x00, 0x00,  // nlmsg_len 32
            0x1e, 0x00, 0x01, 0x03,  // RTM_GETNEIGH (30); NLM_F_REQUEST | NLM_F_DUMP
            0x0d, 0x00, 0x00, 0x00,  // nlmsg_seq 13
            0x00, 0x00, 0x00, 0x00,  // nlmsg_pid
            0x07, 0x00, 0x00, 0x00,  // ifi_family AF_BRIDGE, padding, ifi_type
            0x07, 0x00, 0x00, 0x00,  // ifi_index 7: the kernel's port filter (an ifinfomsg, not an ndmsg)
            0x00, 0x00, 0x00, 0x00,  // ifi_flags
            0x00, 0x00, 0x00, 0x00,  // ifi_change
        ])
    }

    func testAddressProtocolProbe() {
        XCTAssertBytes(ReadRequest.addressProtocolProbe.bytes(sequence: 14), [
            0x24, 0x00, 0x00, 0x00,  // nlmsg_len 36
            0x14, 0x00, 0x05, 0x06,  // RTM_NEWADDR; NLM_F_REQUEST | NLM_F_ACK | NLM_F_EXCL | NLM_F_CREATE
            0x0e, 0x00, 0x00, 0x00,  // nlmsg_seq 14
            0x00, 0x00, 0x00, 0x00,  // nlmsg_pid
            0x02, 0x20, 0x00, 0x00,  // ifa_family AF_INET, ifa_prefixlen 32, flags, scope
            0x00, 0x00, 0x00, 0x00,  // ifa_index 0: no such link, so nothing can be added
            0x08, 0x00, 0x02, 0x00,  // IFA_LOCAL, length 8
            0xc0, 0x00, 0x02, 0xff,  //   192.0.2.255
            0x04, 0x00, 0x0b, 0x00,  // IFA_PROTO, length 4: empty, refused by a kernel that knows it
        ])
    }
}

import CMnl
#if canImport(Glibc)
import Glibc
#endif

/// What poolnet asks the kernel without changing anything: one dump per object class, a link by
/// name, and the IFA_PROTO probe. Encoding only; `RouteSocket` sends them.
enum ReadRequest: Equatable {
    /// `ip link show`: every link, counters left out (RTEXT_FILTER_SKIP_STATS).
    case links
    /// `ip link show dev NAME`, counters left out.
    case link(name: String)
    /// `ip addr show`: IPv4 and IPv6.
    case addresses
    /// `bridge vlan show`: an AF_BRIDGE link dump with compressed VLAN ranges.
    case bridgeVLANs
    /// `bridge fdb show`: an AF_BRIDGE neighbour dump.
    case fdb
    /// `bridge fdb show dev NAME`: the same dump for one device. Its header is an ifinfomsg with
    /// the device's index, which every kernel since 4.12 takes as the port filter on a socket
    /// without strict checking (`valid_fdb_dump_legacy`); the kernel still walks every device.
    case fdbOf(device: Int32)
    /// An RTM_NEWADDR that cannot succeed (ifindex 0) with an empty IFA_PROTO: how the kernel
    /// refuses it tells whether it keeps the attribute (see `kernelKeepsAddressProtocol`).
    case addressProtocolProbe

    static let skipStats: UInt32 = 1 << 3  // RTEXT_FILTER_SKIP_STATS

    /// Writes the request into the message whose header libmnl just put (sequence already set).
    func encode(into nlh: UnsafeMutablePointer<nlmsghdr>) {
        switch self {
        case .links:
            nlh.pointee.nlmsg_type = UInt16(RTM_GETLINK)
            nlh.pointee.nlmsg_flags = UInt16(NLM_F_REQUEST | NLM_F_DUMP)
            putInterfaceHeader(nlh, family: AF_UNSPEC)
            mnl_attr_put_u32(nlh, UInt16(IFLA_EXT_MASK), Self.skipStats)
        case let .link(name):
            nlh.pointee.nlmsg_type = UInt16(RTM_GETLINK)
            nlh.pointee.nlmsg_flags = UInt16(NLM_F_REQUEST)
            putInterfaceHeader(nlh, family: AF_UNSPEC)
            mnl_attr_put_strz(nlh, UInt16(IFLA_IFNAME), name)
            mnl_attr_put_u32(nlh, UInt16(IFLA_EXT_MASK), Self.skipStats)
        case .addresses:
            nlh.pointee.nlmsg_type = UInt16(RTM_GETADDR)
            nlh.pointee.nlmsg_flags = UInt16(NLM_F_REQUEST | NLM_F_DUMP)
            let ifa = mnl_nlmsg_put_extra_header(nlh, MemoryLayout<ifaddrmsg>.size)!.assumingMemoryBound(to: ifaddrmsg.self)
            ifa.pointee.ifa_family = UInt8(AF_UNSPEC)
        case .bridgeVLANs:
            nlh.pointee.nlmsg_type = UInt16(RTM_GETLINK)
            nlh.pointee.nlmsg_flags = UInt16(NLM_F_REQUEST | NLM_F_DUMP)
            putInterfaceHeader(nlh, family: AF_BRIDGE)
            mnl_attr_put_u32(nlh, UInt16(IFLA_EXT_MASK), RTEXT_FILTER_BRVLAN_COMPRESSED)
        case .fdb:
            nlh.pointee.nlmsg_type = UInt16(RTM_GETNEIGH)
            nlh.pointee.nlmsg_flags = UInt16(NLM_F_REQUEST | NLM_F_DUMP)
            let ndm = mnl_nlmsg_put_extra_header(nlh, MemoryLayout<ndmsg>.size)!.assumingMemoryBound(to: ndmsg.self)
            ndm.pointee.ndm_family = UInt8(AF_BRIDGE)
        case let .fdbOf(device):
            nlh.pointee.nlmsg_type = UInt16(RTM_GETNEIGH)
            nlh.pointee.nlmsg_flags = UInt16(NLM_F_REQUEST | NLM_F_DUMP)
            putInterfaceHeader(nlh, family: AF_BRIDGE, index: device)
        case .addressProtocolProbe:
            nlh.pointee.nlmsg_type = UInt16(RTM_NEWADDR)
            nlh.pointee.nlmsg_flags = UInt16(NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL)
            let ifa = mnl_nlmsg_put_extra_header(nlh, MemoryLayout<ifaddrmsg>.size)!.assumingMemoryBound(to: ifaddrmsg.self)
            ifa.pointee.ifa_family = UInt8(AF_INET)
            ifa.pointee.ifa_prefixlen = 32
            ifa.pointee.ifa_index = 0
            let local: [UInt8] = [192, 0, 2, 255]
            local.withUnsafeBytes { mnl_attr_put(nlh, UInt16(IFA_LOCAL), $0.count, $0.baseAddress) }
            mnl_attr_put(nlh, UInt16(IFA_PROTO), 0, nil)
        }
    }

    /// The request as the bytes that go on the wire.
    func bytes(sequence: UInt32) -> [UInt8] {
        NetlinkMessage.encode(sequence: sequence, capacity: 4096) { encode(into: $0) }
    }

    private func putInterfaceHeader(_ nlh: UnsafeMutablePointer<nlmsghdr>, family: Int32, index: Int32 = 0) {
        let ifi = mnl_nlmsg_put_extra_header(nlh, MemoryLayout<ifinfomsg>.size)!.assumingMemoryBound(to: ifinfomsg.self)
        ifi.pointee.ifi_family = UInt8(family)
        ifi.pointee.ifi_index = index
    }
}

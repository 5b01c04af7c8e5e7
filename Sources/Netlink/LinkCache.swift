import CNetlink
import HostState
#if canImport(Glibc)
import Glibc
#endif

/// The generic link class, read with libnl-route's link cache (one RTM_GETLINK dump).
/// Kind-specific options libnl 3.7 does not parse (bridge IFLA_BR_*) come from `RouteSocket`.
enum LinkCache {
    struct RawLink {
        var index: Int32
        var name: String
        var kind: LinkKind
        var mtu: UInt32
        var flags: UInt32
        var masterIndex: Int32
        var alias: String?
        /// IFLA_LINK, kept for kinds where it names the lower device (a veth's is its peer).
        var linkIndex: Int32
        var vlanID: UInt16?
        var vxlan: VXLANInfo?
        var vxlanDeviceIndex: Int32 = 0
        var group: UInt32 = 0
    }

    static func read() throws -> [RawLink] {
        guard let socket = nl_socket_alloc() else { throw NetlinkError(operation: "nl_socket_alloc", errno: ENOMEM) }
        defer { nl_socket_free(socket) }
        var rc = nl_connect(socket, NETLINK_ROUTE)
        guard rc == 0 else { throw libnlError("connect libnl socket", rc) }
        var cache: OpaquePointer?
        rc = rtnl_link_alloc_cache(socket, AF_UNSPEC, &cache)
        guard rc == 0, let cache else { throw libnlError("dump links (libnl link cache)", rc) }
        defer { nl_cache_free(cache) }

        var links: [RawLink] = []
        links.reserveCapacity(Int(nl_cache_nitems(cache)))
        var object = nl_cache_get_first(cache)
        while let current = object {
            let link = current
            let alias = rtnl_link_get_ifalias(link).map { String(cString: $0) }
            let kind = LinkKind(kernelKind: rtnl_link_get_type(link).map { String(cString: $0) })
            let isVLAN = kind == .vlan && rtnl_link_is_vlan(link) != 0
            var vxlan: VXLANInfo?
            var vxlanDevice: UInt32 = 0
            if kind == .vxlan {
                var vni: UInt32 = 0, port: UInt32 = 0
                var local: OpaquePointer?
                _ = rtnl_link_vxlan_get_id(link, &vni)
                _ = rtnl_link_vxlan_get_port(link, &port)
                _ = rtnl_link_vxlan_get_link(link, &vxlanDevice)
                var address: String?
                if rtnl_link_vxlan_get_local(link, &local) == 0, let local {
                    var buffer = [CChar](repeating: 0, count: 64)
                    address = String(cString: nl_addr2str(local, &buffer, buffer.count))
                    nl_addr_put(local)
                }
                // libnl converts IFLA_VXLAN_PORT (network order) to host order already.
                vxlan = VXLANInfo(vni: vni, local: address, port: UInt16(truncatingIfNeeded: port))
            }
            links.append(RawLink(
                index: rtnl_link_get_ifindex(link),
                name: String(cString: rtnl_link_get_name(link)),
                kind: kind,
                mtu: rtnl_link_get_mtu(link),
                flags: rtnl_link_get_flags(link),
                masterIndex: rtnl_link_get_master(link),
                alias: alias?.isEmpty == true ? nil : alias,
                linkIndex: kind == .vlan ? rtnl_link_get_link(link) : 0,
                vlanID: isVLAN ? UInt16(truncatingIfNeeded: rtnl_link_vlan_get_id(link)) : nil,
                vxlan: vxlan, vxlanDeviceIndex: Int32(bitPattern: vxlanDevice), group: rtnl_link_get_group(link)))
            object = nl_cache_get_next(current)
        }
        return links
    }

    private static func libnlError(_ operation: String, _ code: Int32) -> NetlinkError {
        NetlinkError(operation: operation, errno: EIO, kernelMessage: "libnl: " + String(cString: nl_geterror(code)))
    }
}

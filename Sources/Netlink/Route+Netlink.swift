import CMnl
import HostState
#if canImport(Glibc)
import Glibc
#endif

extension NetlinkRequest {
    /// RTM_NEWROUTE / RTM_DELROUTE: `ip route add|del DST [via GW] dev LINK table T metric M proto P`.
    static func putRoute(_ nlh: UnsafeMutablePointer<nlmsghdr>, _ r: RouteState, link: Int32) {
        let rtm = mnl_nlmsg_put_extra_header(nlh, MemoryLayout<rtmsg>.size)!.assumingMemoryBound(to: rtmsg.self)
        rtm.pointee.rtm_family = UInt8(r.destination.family == .ipv4 ? AF_INET : AF_INET6)
        rtm.pointee.rtm_dst_len = UInt8(r.destination.prefixLength)
        rtm.pointee.rtm_table = r.table < 256 ? UInt8(r.table) : UInt8(RT_TABLE_UNSPEC.rawValue)
        rtm.pointee.rtm_protocol = r.proto
        rtm.pointee.rtm_scope = UInt8(r.gateway == nil ? RT_SCOPE_LINK.rawValue : RT_SCOPE_UNIVERSE.rawValue)
        rtm.pointee.rtm_type = UInt8(RTN_UNICAST)
        if r.table >= 256 { mnl_attr_put_u32(nlh, UInt16(RTA_TABLE.rawValue), r.table) }
        if r.destination.prefixLength > 0 {
            r.destination.bytes.withUnsafeBytes { mnl_attr_put(nlh, UInt16(RTA_DST.rawValue), $0.count, $0.baseAddress) }
        }
        if let gateway = r.gateway, let gw = IPPrefix(gateway, defaultPrefix: 0) {
            gw.bytes.withUnsafeBytes { mnl_attr_put(nlh, UInt16(RTA_GATEWAY.rawValue), $0.count, $0.baseAddress) }
        }
        mnl_attr_put_u32(nlh, UInt16(RTA_OIF.rawValue), UInt32(bitPattern: link))
        if r.metric != 0 { mnl_attr_put_u32(nlh, UInt16(RTA_PRIORITY.rawValue), r.metric) }
    }
}

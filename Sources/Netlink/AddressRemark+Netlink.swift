import CMnl
import HostState
#if canImport(Glibc)
import Glibc
#endif

extension NetlinkRequest {
    /// The RTM_NEWADDR body of a re-mark: the address as the dump read it, with a new IFA_PROTO.
    static func putRemark(_ nlh: UnsafeMutablePointer<nlmsghdr>, index: Int32, prefix: IPPrefix, proto: UInt8, details: AddressDetails) {
        let ifa = mnl_nlmsg_put_extra_header(nlh, MemoryLayout<ifaddrmsg>.size)!.assumingMemoryBound(to: ifaddrmsg.self)
        ifa.pointee.ifa_family = UInt8(prefix.family == .ipv4 ? AF_INET : AF_INET6)
        ifa.pointee.ifa_prefixlen = UInt8(prefix.prefixLength)
        ifa.pointee.ifa_index = UInt32(bitPattern: index)
        ifa.pointee.ifa_scope = details.scope
        ifa.pointee.ifa_flags = UInt8(truncatingIfNeeded: details.flags)
        let peer = details.peer.flatMap { IPPrefix($0, defaultPrefix: prefix.maxPrefixLength) }?.bytes ?? prefix.bytes
        prefix.bytes.withUnsafeBytes { mnl_attr_put(nlh, UInt16(IFA_LOCAL), $0.count, $0.baseAddress) }
        peer.withUnsafeBytes { mnl_attr_put(nlh, UInt16(IFA_ADDRESS), $0.count, $0.baseAddress) }
        if let broadcast = details.broadcast.flatMap({ IPPrefix($0, defaultPrefix: 32) }) {
            broadcast.bytes.withUnsafeBytes { mnl_attr_put(nlh, UInt16(IFA_BROADCAST), $0.count, $0.baseAddress) }
        }
        if let label = details.label { mnl_attr_put_strz(nlh, UInt16(IFA_LABEL), label) }
        mnl_attr_put_u32(nlh, UInt16(IFA_FLAGS), details.flags)
        if let metric = details.metric { mnl_attr_put_u32(nlh, UInt16(IFA_RT_PRIORITY), metric) }
        var info = ifa_cacheinfo()
        info.ifa_valid = details.validLifetime
        info.ifa_prefered = details.preferredLifetime
        withUnsafeBytes(of: &info) { mnl_attr_put(nlh, UInt16(IFA_CACHEINFO), $0.count, $0.baseAddress) }
        mnl_attr_put_u8(nlh, UInt16(IFA_PROTO), proto)
    }
}

import CMnl
#if canImport(Glibc)
import Glibc
#endif

extension RouteSocket {
    /// Whether the kernel keeps IFA_PROTO on addresses (Linux ≥ 6.1), asked without changing
    /// anything: an RTM_NEWADDR for ifindex 0 (no such link) with an empty IFA_PROTO. A kernel
    /// that knows the attribute refuses it in policy validation (EINVAL or ERANGE) before looking for the
    /// link; one that does not ignores it and answers ENODEV. Nil for any other answer.
    public func kernelKeepsAddressProtocol() -> Bool? {
        switch addressProtocolProbe() {
        // Policy validation answers EINVAL, or ERANGE on newer kernels (6.18: a too-short attribute).
        case EINVAL?, ERANGE?: return true
        case ENODEV?: return false
        default: return nil
        }
    }

    /// The errno the kernel answered the probe with (nil: no answer).
    public func addressProtocolProbe() -> Int32? {
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: 256, alignment: 8)
        defer { buffer.deallocate() }
        let nlh = mnl_nlmsg_put_header(buffer)!
        nlh.pointee.nlmsg_type = UInt16(RTM_NEWADDR)
        nlh.pointee.nlmsg_flags = UInt16(NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL)
        sequence &+= 1
        let seq = sequence
        nlh.pointee.nlmsg_seq = seq
        let ifa = mnl_nlmsg_put_extra_header(nlh, MemoryLayout<ifaddrmsg>.size)!.assumingMemoryBound(to: ifaddrmsg.self)
        ifa.pointee.ifa_family = UInt8(AF_INET)
        ifa.pointee.ifa_prefixlen = 32
        ifa.pointee.ifa_index = 0
        let local: [UInt8] = [192, 0, 2, 255]
        local.withUnsafeBytes { mnl_attr_put(nlh, UInt16(IFA_LOCAL), $0.count, $0.baseAddress) }
        mnl_attr_put(nlh, UInt16(IFA_PROTO), 0, nil)
        guard mnl_socket_sendto(socket, nlh, Int(nlh.pointee.nlmsg_len)) >= 0 else { return nil }
        let reply = UnsafeMutableRawPointer.allocate(byteCount: 8192, alignment: 8)
        defer { reply.deallocate() }
        while true {
            let n = mnl_socket_recvfrom(socket, reply, 8192)
            if n < 0 { if errno == EINTR { continue }; return nil }
            var remaining = Int32(n)
            var message: UnsafePointer<nlmsghdr>? = UnsafePointer(reply.assumingMemoryBound(to: nlmsghdr.self))
            while let m = message, mnl_nlmsg_ok(m, remaining) {
                if Int32(m.pointee.nlmsg_type) == NLMSG_ERROR, m.pointee.nlmsg_seq == seq {
                    return -Self.decodeError(m).0
                }
                message = UnsafePointer(mnl_nlmsg_next(m, &remaining))
            }
        }
    }
}

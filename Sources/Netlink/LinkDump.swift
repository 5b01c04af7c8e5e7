import CMnl
import HostState
#if canImport(Glibc)
import Glibc
#endif

extension RouteSocket {
    /// Every link, with its kind's options, in one RTM_GETLINK dump. Counters are left out
    /// (RTEXT_FILTER_SKIP_STATS): the plan reads none, and they were most of each message. This
    /// replaced libnl's link cache, which asks for them and needed two more dumps for the bridge
    /// and bond options it does not parse: reading 3,000 links went from 36 ms to the figure in
    /// docs/performance.md.
    func dumpLinks() throws -> [RawLink] {
        try dump("links", .links, into: [RawLink]()) { links, message in
            if let link = RawLink(message) { links.append(link) }
        }
    }

    /// Some links by name: one RTM_GETLINK request each, all sent in one batch. A name the kernel
    /// does not know is absent from the result.
    func getLinks(names: [String]) throws -> [String: RawLink] {
        var result: [String: RawLink] = [:]
        var outstanding: [UInt32: String] = [:]
        let request = UnsafeMutableRawPointer.allocate(byteCount: 4096 + names.count * 64, alignment: 8)
        defer { request.deallocate() }
        request.initializeMemory(as: UInt8.self, repeating: 0, count: 4096 + names.count * 64)  // padding stays zero
        var used = 0
        for name in names {
            let nlh = mnl_nlmsg_put_header(request + used)!
            sequence &+= 1
            nlh.pointee.nlmsg_seq = sequence
            ReadRequest.link(name: name).encode(into: nlh)
            outstanding[sequence] = name
            used += Int(poolnet_nlmsg_align(nlh.pointee.nlmsg_len))
        }
        guard used > 0 else { return result }
        Self.requestsSent.add(names.count, ordering: .relaxed)
        guard mnl_socket_sendto(socket, request, used) >= 0 else { throw NetlinkError(operation: "get links", errno: errno) }
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: Self.receiveBytes, alignment: 8)
        defer { buffer.deallocate() }
        while !outstanding.isEmpty {
            let n = mnl_socket_recvfrom(socket, buffer, Self.receiveBytes)
            if n < 0 {
                if errno == EINTR { continue }
                throw NetlinkError(operation: "get links", errno: errno)
            }
            try NetlinkMessage.forEach(in: UnsafeRawBufferPointer(start: buffer, count: n)) { message in
                guard let name = outstanding.removeValue(forKey: message.sequence) else { return true }
                if let ack = Acknowledgement(message) {
                    if ack.errno != ENODEV { throw NetlinkError(operation: "get link \(name)", errno: ack.errno, kernelMessage: ack.message) }
                } else if let link = RawLink(message) {
                    result[name] = link
                }
                return true
            }
        }
        return result
    }
}

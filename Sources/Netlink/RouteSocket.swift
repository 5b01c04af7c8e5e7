import CMnl
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// One rtnetlink socket (libmnl), opened in the calling thread's network namespace.
/// Dumps read one object class in one request; writes go out in batches, many requests per
/// sendmsg, and their acks are collected together.
public final class RouteSocket {
    let socket: OpaquePointer
    private let portID: UInt32
    var sequence: UInt32
    /// Requests per sendmsg are bounded by bytes, well under the socket's send buffer.
    static let batchBytes = 96 * 1024
    static let receiveBytes = 256 * 1024
    /// Netlink requests this process sent (dumps and writes, on any socket): reads must cost a
    /// constant number of them whatever the number of links, and a test holds them to it.
    public static let requestsSent = Atomic<Int>(0)

    public init() throws {
        guard let s = mnl_socket_open(NETLINK_ROUTE) else {
            throw NetlinkError(operation: "open rtnetlink socket", errno: errno)
        }
        guard mnl_socket_bind(s, 0, pid_t(MNL_SOCKET_AUTOPID)) >= 0 else {
            let e = errno
            mnl_socket_close(s)
            throw NetlinkError(operation: "bind rtnetlink socket", errno: e)
        }
        var one: Int32 = 1
        // Extended ACKs carry the kernel's reason; capped ACKs keep acks small in big batches.
        _ = mnl_socket_setsockopt(s, NETLINK_EXT_ACK, &one, socklen_t(MemoryLayout<Int32>.size))
        _ = mnl_socket_setsockopt(s, NETLINK_CAP_ACK, &one, socklen_t(MemoryLayout<Int32>.size))
        var size: Int32 = 4 << 20
        _ = setsockopt(mnl_socket_get_fd(s), SOL_SOCKET, SO_RCVBUFFORCE, &size, socklen_t(MemoryLayout<Int32>.size))
        socket = s
        portID = mnl_socket_get_portid(s)
        sequence = UInt32(truncatingIfNeeded: time(nil))
    }

    deinit { mnl_socket_close(socket) }

    // MARK: dumps

    /// Sends one dump request built by `build` and hands every reply message's payload to `each`
    /// (the message type and the bytes after the netlink header).
    func dump(_ what: String, build: (UnsafeMutablePointer<nlmsghdr>) -> Void,
              each: (UInt16, UnsafeRawBufferPointer) throws -> Void) throws {
        for _ in 0..<5 {
            if try dumpOnce(what, build: build, each: each) { return }
        }
        throw NetlinkError(operation: "dump \(what)", errno: EINTR, kernelMessage: "the dump kept being interrupted by changes")
    }

    /// Returns false when the kernel flagged the dump as interrupted (NLM_F_DUMP_INTR): retry.
    private func dumpOnce(_ what: String, build: (UnsafeMutablePointer<nlmsghdr>) -> Void,
                          each: (UInt16, UnsafeRawBufferPointer) throws -> Void) throws -> Bool {
        let request = UnsafeMutableRawPointer.allocate(byteCount: 4096, alignment: 8)
        defer { request.deallocate() }
        let nlh = mnl_nlmsg_put_header(request)!
        nlh.pointee.nlmsg_flags = UInt16(NLM_F_REQUEST | NLM_F_DUMP)
        sequence &+= 1
        nlh.pointee.nlmsg_seq = sequence
        build(nlh)
        Self.requestsSent.add(1, ordering: .relaxed)
        guard mnl_socket_sendto(socket, nlh, Int(nlh.pointee.nlmsg_len)) >= 0 else {
            throw NetlinkError(operation: "dump \(what)", errno: errno)
        }
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: Self.receiveBytes, alignment: 8)
        defer { buffer.deallocate() }
        var interrupted = false
        while true {
            let n = mnl_socket_recvfrom(socket, buffer, Self.receiveBytes)
            guard n >= 0 else { throw NetlinkError(operation: "dump \(what)", errno: errno) }
            var remaining = Int32(n)
            var message: UnsafePointer<nlmsghdr>? = UnsafePointer(buffer.assumingMemoryBound(to: nlmsghdr.self))
            while let m = message, mnl_nlmsg_ok(m, remaining) {
                let header = m.pointee
                if header.nlmsg_seq == sequence {
                    if header.nlmsg_flags & UInt16(NLM_F_DUMP_INTR) != 0 { interrupted = true }
                    switch Int32(header.nlmsg_type) {
                    case NLMSG_DONE:
                        return !interrupted
                    case NLMSG_ERROR:
                        let (code, text) = Self.decodeError(m)
                        if code != 0 { throw NetlinkError(operation: "dump \(what)", errno: -code, kernelMessage: text) }
                    default:
                        let payload = UnsafeRawBufferPointer(start: mnl_nlmsg_get_payload(m),
                                                             count: Int(header.nlmsg_len) - MemoryLayout<nlmsghdr>.size)
                        try each(header.nlmsg_type, payload)
                    }
                }
                message = UnsafePointer(mnl_nlmsg_next(m, &remaining))
            }
        }
    }

    // MARK: batched writes

    /// Sends the requests in order, many per sendmsg, and returns one result per request.
    /// The kernel processes the messages of a batch in order and acks each; a failed request does
    /// not stop the ones after it, so the caller decides what to roll back.
    public func execute(_ requests: [NetlinkRequest], stopOnError: Bool = true) -> [NetlinkError?] {
        var results = [NetlinkError?](repeating: nil, count: requests.count)
        var outstanding: [UInt32: Int] = [:]
        Self.requestsSent.add(requests.count, ordering: .relaxed)
        let capacity = Self.batchBytes + 16 * 1024
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 8)
        defer { buffer.deallocate() }
        var used = 0
        var notSent = Set(requests.indices)
        var failed = false

        func flush() {
            guard used > 0 else { return }
            if mnl_socket_sendto(socket, buffer, used) < 0 {
                let e = errno
                for (_, i) in outstanding { results[i] = NetlinkError(operation: requests[i].label, errno: e) }
                outstanding.removeAll()
            }
            used = 0
            collectAcks(&outstanding, requests: requests, results: &results)
            if results.contains(where: { $0 != nil }) { failed = true }
        }

        for (i, request) in requests.enumerated() {
            if failed && stopOnError { break }
            let nlh = mnl_nlmsg_put_header(buffer + used)!
            sequence &+= 1
            nlh.pointee.nlmsg_seq = sequence
            request.encode(into: nlh)
            outstanding[sequence] = i
            notSent.remove(i)
            used += Int(poolnet_nlmsg_align(nlh.pointee.nlmsg_len))
            if used >= Self.batchBytes { flush() }
        }
        flush()
        for i in notSent {
            results[i] = NetlinkError(operation: requests[i].label, errno: ECANCELED, kernelMessage: "not sent: an earlier step failed")
        }
        return results
    }

    private func collectAcks(_ outstanding: inout [UInt32: Int], requests: [NetlinkRequest], results: inout [NetlinkError?]) {
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: Self.receiveBytes, alignment: 8)
        defer { buffer.deallocate() }
        while !outstanding.isEmpty {
            let n = mnl_socket_recvfrom(socket, buffer, Self.receiveBytes)
            if n < 0 {
                let e = errno
                if e == EINTR { continue }
                for (_, i) in outstanding { results[i] = NetlinkError(operation: requests[i].label, errno: e) }
                outstanding.removeAll()
                return
            }
            var remaining = Int32(n)
            var message: UnsafePointer<nlmsghdr>? = UnsafePointer(buffer.assumingMemoryBound(to: nlmsghdr.self))
            while let m = message, mnl_nlmsg_ok(m, remaining) {
                if Int32(m.pointee.nlmsg_type) == NLMSG_ERROR, let i = outstanding.removeValue(forKey: m.pointee.nlmsg_seq) {
                    let (code, text) = Self.decodeError(m)
                    if code != 0 { results[i] = NetlinkError(operation: requests[i].label, errno: -code, kernelMessage: text) }
                }
                message = UnsafePointer(mnl_nlmsg_next(m, &remaining))
            }
        }
    }

    /// The errno of an NLMSG_ERROR (0 for an ack) and the extended-ACK message, if any.
    static func decodeError(_ m: UnsafePointer<nlmsghdr>) -> (Int32, String?) {
        let err = poolnet_nlmsg_err(m)!
        let code = err.pointee.error
        guard m.pointee.nlmsg_flags & UInt16(NLM_F_ACK_TLVS) != 0 else { return (code, nil) }
        // With NETLINK_CAP_ACK the echoed request is only its header, so TLVs follow nlmsgerr.
        var offset = MemoryLayout<nlmsgerr>.size
        if m.pointee.nlmsg_flags & UInt16(NLM_F_CAPPED) == 0 { offset += Int(err.pointee.msg.nlmsg_len) - MemoryLayout<nlmsghdr>.size }
        let total = Int(m.pointee.nlmsg_len) - MemoryLayout<nlmsghdr>.size
        guard offset < total else { return (code, nil) }
        let tlvs = UnsafeRawBufferPointer(start: UnsafeRawPointer(err) + offset, count: total - offset)
        let text = Attributes(buffer: tlvs).first(Int(NLMSGERR_ATTR_MSG.rawValue))?.string
        return (code, text)
    }
}

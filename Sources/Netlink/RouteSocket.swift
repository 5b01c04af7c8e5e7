import CMnl
import Synchronization
import SystemCalls
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
    /// Dumps the kernel flagged interrupted (NLM_F_DUMP_INTR) and that were started again: for tests.
    public static let dumpsInterrupted = Atomic<Int>(0)

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

    /// How long a dump is retried while the kernel keeps changing what it dumps: links just
    /// brought up get IPv6 addresses and finish DAD over a second or two (1,000 of them interrupted
    /// every address dump of an apply's verification), so immediate retries are not enough.
    static let dumpRetryPauses: [Double] = [0, 0.005, 0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]

    /// Sends one dump request and folds every message of the reply into `empty` with `each`. An
    /// interrupted dump is started again from `empty`: its messages were already folded in, and
    /// keeping them doubled every link, address or VLAN the retry read again.
    func dump<Result>(_ what: String, _ request: ReadRequest, into empty: Result,
                      each: (inout Result, NetlinkMessage) throws -> Void) throws -> Result {
        for pause in Self.dumpRetryPauses {
            if pause > 0 { Syscall.sleep(pause) }
            var result = empty
            if try dumpOnce(what, request, each: { try each(&result, $0) }) { return result }
        }
        throw NetlinkError(operation: "dump \(what)", errno: EINTR,
                           kernelMessage: "the dump kept being interrupted by changes for \((Self.dumpRetryPauses.reduce(0, +) * 10).rounded() / 10) s")
    }

    /// Returns false when the kernel flagged the dump as interrupted (NLM_F_DUMP_INTR): retry.
    private func dumpOnce(_ what: String, _ request: ReadRequest, each: (NetlinkMessage) throws -> Void) throws -> Bool {
        sequence &+= 1
        let bytes = request.bytes(sequence: sequence)
        Self.requestsSent.add(1, ordering: .relaxed)
        guard bytes.withUnsafeBytes({ mnl_socket_sendto(socket, $0.baseAddress, $0.count) }) >= 0 else {
            throw NetlinkError(operation: "dump \(what)", errno: errno)
        }
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: Self.receiveBytes, alignment: 8)
        defer { buffer.deallocate() }
        var interrupted = false
        var done = false
        while !done {
            let n = mnl_socket_recvfrom(socket, buffer, Self.receiveBytes)
            guard n >= 0 else { throw NetlinkError(operation: "dump \(what)", errno: errno) }
            try NetlinkMessage.forEach(in: UnsafeRawBufferPointer(start: buffer, count: n)) { message in
                guard message.sequence == sequence else { return true }
                if message.flags & UInt16(NLM_F_DUMP_INTR) != 0 { interrupted = true }
                if Int32(message.type) == NLMSG_DONE {
                    done = true
                    return false
                }
                if let ack = Acknowledgement(message) {
                    if ack.errno != 0 { throw NetlinkError(operation: "dump \(what)", errno: ack.errno, kernelMessage: ack.message) }
                } else {
                    try each(message)
                }
                return true
            }
        }
        if interrupted { Self.dumpsInterrupted.add(1, ordering: .relaxed) }
        return !interrupted
    }

    // MARK: batched writes

    /// Sends the requests in order, many per sendmsg, and returns one result per request.
    /// The kernel processes the messages of a batch in order and acks each; a failed request does
    /// not stop the ones after it, so the caller decides what to roll back. With `stopOnError`,
    /// the batches after one with a failure are not sent (`.notSent`).
    public func execute(_ requests: [NetlinkRequest], stopOnError: Bool = true) -> [RequestOutcome] {
        var results = [NetlinkError?](repeating: nil, count: requests.count)
        var outstanding: [UInt32: Int] = [:]
        Self.requestsSent.add(requests.count, ordering: .relaxed)
        let capacity = Self.batchBytes + 16 * 1024
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 8)
        defer { buffer.deallocate() }
        // libmnl 1.0.4 leaves attribute padding as it finds it: zeroed, no stale bytes go out.
        buffer.initializeMemory(as: UInt8.self, repeating: 0, count: capacity)
        var used = 0
        var notSent = Set(requests.indices)
        var unanswered = Set<Int>()
        var failed = false

        func flush() {
            guard used > 0 else { return }
            if mnl_socket_sendto(socket, buffer, used) < 0 {
                let e = errno
                for (_, i) in outstanding { results[i] = NetlinkError(operation: requests[i].label, errno: e) }
                outstanding.removeAll()
            }
            buffer.initializeMemory(as: UInt8.self, repeating: 0, count: used)
            used = 0
            collectAcks(&outstanding, requests: requests, results: &results, unanswered: &unanswered)
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
        return requests.indices.map { i in
            if let error = results[i] { return unanswered.contains(i) ? .unknown(error) : .failed(error) }
            return notSent.contains(i) ? .notSent : .acknowledged
        }
    }

    /// Reads the acks of the requests in flight; when the socket itself fails, the requests still
    /// out are `unanswered` (sent, fate unknown), not refused.
    private func collectAcks(_ outstanding: inout [UInt32: Int], requests: [NetlinkRequest], results: inout [NetlinkError?],
                             unanswered: inout Set<Int>) {
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: Self.receiveBytes, alignment: 8)
        defer { buffer.deallocate() }
        while !outstanding.isEmpty {
            let n = mnl_socket_recvfrom(socket, buffer, Self.receiveBytes)
            if n < 0 {
                let e = errno
                if e == EINTR { continue }
                for (_, i) in outstanding {
                    results[i] = NetlinkError(operation: requests[i].label, errno: e)
                    unanswered.insert(i)
                }
                outstanding.removeAll()
                return
            }
            NetlinkMessage.forEach(in: UnsafeRawBufferPointer(start: buffer, count: n)) { message in
                if let ack = Acknowledgement(message), let i = outstanding.removeValue(forKey: message.sequence), ack.errno != 0 {
                    results[i] = NetlinkError(operation: requests[i].label, errno: ack.errno, kernelMessage: ack.message)
                }
                return true
            }
        }
    }
}

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
        sequence &+= 1
        let seq = sequence
        let bytes = ReadRequest.addressProtocolProbe.bytes(sequence: seq)
        guard bytes.withUnsafeBytes({ mnl_socket_sendto(socket, $0.baseAddress, $0.count) }) >= 0 else { return nil }
        let reply = UnsafeMutableRawPointer.allocate(byteCount: 8192, alignment: 8)
        defer { reply.deallocate() }
        while true {
            let n = mnl_socket_recvfrom(socket, reply, 8192)
            if n < 0 { if errno == EINTR { continue }; return nil }
            var answer: Int32?
            NetlinkMessage.forEach(in: UnsafeRawBufferPointer(start: reply, count: n)) { message in
                if message.sequence == seq, let ack = Acknowledgement(message) { answer = ack.errno }
                return answer == nil
            }
            if let answer { return answer }
        }
    }
}

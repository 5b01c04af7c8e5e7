import CMnl
#if canImport(Glibc)
import Glibc
#endif

/// One netlink message as bytes: the unit of the codec. Requests are encoded into one
/// (`NetlinkRequest`, `ReadRequest`), replies are decoded from one (`RawLink`, `RawAddress`,
/// `BridgePortVLANs`, `FDBEntry`, `Acknowledgement`). `RouteSocket` only moves these bytes, so
/// every encoding and decoding is testable without a socket (Tests/NetlinkTests).
struct NetlinkMessage {
    static let headerSize = MemoryLayout<nlmsghdr>.size

    let type: UInt16
    let flags: UInt16
    let sequence: UInt32
    /// The whole message, header included.
    let bytes: UnsafeRawBufferPointer

    /// The message at the start of `bytes`; nil when they do not hold a whole one.
    init?(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count >= Self.headerSize else { return nil }
        let header = bytes.loadUnaligned(as: nlmsghdr.self)
        guard Int(header.nlmsg_len) >= Self.headerSize, Int(header.nlmsg_len) <= bytes.count else { return nil }
        type = header.nlmsg_type
        flags = header.nlmsg_flags
        sequence = header.nlmsg_seq
        self.bytes = UnsafeRawBufferPointer(rebasing: bytes[..<Int(header.nlmsg_len)])
    }

    /// The bytes after the netlink header.
    var payload: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: bytes[Self.headerSize...]) }

    /// The attributes after a family header of type `Header` (ifinfomsg, ifaddrmsg, ndmsg), with
    /// that header; nil when the payload is too short to hold it.
    func family<Header>(_: Header.Type) -> (Header, Attributes)? {
        let size = MemoryLayout<Header>.size
        guard payload.count >= size else { return nil }
        return (payload.loadUnaligned(as: Header.self), Attributes(buffer: UnsafeRawBufferPointer(rebasing: payload[size...])))
    }

    /// Each whole message of one received datagram, in order, until `body` returns false
    /// (libmnl's nlmsg_ok / nlmsg_next walk).
    static func forEach(in buffer: UnsafeRawBufferPointer, _ body: (NetlinkMessage) throws -> Bool) rethrows {
        guard let base = buffer.baseAddress else { return }
        var remaining = Int32(buffer.count)
        var message: UnsafePointer<nlmsghdr>? = base.assumingMemoryBound(to: nlmsghdr.self)
        while let m = message, mnl_nlmsg_ok(m, remaining) {
            guard let decoded = NetlinkMessage(UnsafeRawBufferPointer(start: m, count: Int(m.pointee.nlmsg_len))),
                  try body(decoded) else { return }
            message = UnsafePointer(mnl_nlmsg_next(m, &remaining))
        }
    }

    /// The bytes of one message: libmnl puts the header (length, sequence; port 0, which the
    /// kernel fills in), `put` writes the type, flags and the rest.
    static func encode(sequence: UInt32, capacity: Int = 64 * 1024, _ put: (UnsafeMutablePointer<nlmsghdr>) -> Void) -> [UInt8] {
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 8)
        defer { buffer.deallocate() }
        // libmnl 1.0.4 does not clear attribute padding: a zeroed buffer keeps the bytes defined.
        buffer.initializeMemory(as: UInt8.self, repeating: 0, count: capacity)
        let nlh = mnl_nlmsg_put_header(buffer)!
        nlh.pointee.nlmsg_seq = sequence
        put(nlh)
        return Array(UnsafeRawBufferPointer(start: buffer, count: Int(nlh.pointee.nlmsg_len)))
    }
}

/// The kernel's answer to a request: NLMSG_ERROR carries an errno (0 for an ack) and, with
/// NETLINK_EXT_ACK, the kernel's reason in NLMSGERR_ATTR_MSG.
struct Acknowledgement: Equatable {
    /// Positive errno; 0 for success.
    var errno: Int32
    var message: String?

    /// Nil for any message other than NLMSG_ERROR.
    init?(_ message: NetlinkMessage) {
        guard Int32(message.type) == NLMSG_ERROR, message.payload.count >= MemoryLayout<Int32>.size else { return nil }
        let payload = message.payload
        errno = -payload.loadUnaligned(as: Int32.self)
        self.message = nil
        guard message.flags & UInt16(NLM_F_ACK_TLVS) != 0, payload.count >= MemoryLayout<nlmsgerr>.size else { return }
        // With NETLINK_CAP_ACK the echoed request is only its header, so TLVs follow nlmsgerr.
        var offset = MemoryLayout<nlmsgerr>.size
        if message.flags & UInt16(NLM_F_CAPPED) == 0 {
            let echoed = payload.loadUnaligned(fromByteOffset: MemoryLayout<Int32>.size, as: nlmsghdr.self)
            offset += Int(echoed.nlmsg_len) - NetlinkMessage.headerSize
        }
        guard offset < payload.count else { return }
        let tlvs = UnsafeRawBufferPointer(rebasing: payload[offset...])
        self.message = Attributes(buffer: tlvs).first(Int(NLMSGERR_ATTR_MSG.rawValue))?.string
    }

    init(errno: Int32, message: String? = nil) {
        self.errno = errno
        self.message = message
    }
}

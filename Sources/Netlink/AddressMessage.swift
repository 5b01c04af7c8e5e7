import CMnl
import HostState
#if canImport(Glibc)
import Glibc
#endif

/// One address as an RTM_NEWADDR reports it, before its link's index becomes a name.
struct RawAddress: Equatable {
    var index: Int32
    var prefix: IPPrefix
    /// IFA_PROTO: who added it (0x70 is poolnet's mark; 0 when the kernel does not say).
    var proto: UInt8

    /// Nil for another message type, a truncated header, or an address that is neither IPv4 nor IPv6.
    init?(_ message: NetlinkMessage) {
        guard message.type == UInt16(RTM_NEWADDR), let (header, attributes) = message.family(ifaddrmsg.self) else { return nil }
        var local: [UInt8]?
        var address: [UInt8]?
        var proto: UInt8 = 0
        for attribute in attributes {
            switch Int(attribute.type) {
            case Int(IFA_LOCAL): local = Array(attribute.payload)
            case Int(IFA_ADDRESS): address = Array(attribute.payload)
            case Int(IFA_PROTO): proto = attribute.u8 ?? 0
            default: break
            }
        }
        // IFA_LOCAL is the interface's own address; IFA_ADDRESS is the peer on point-to-point links.
        guard let bytes = local ?? address, bytes.count == 4 || bytes.count == 16 else { return nil }
        self.init(index: Int32(bitPattern: header.ifa_index), prefix: IPPrefix(bytes: bytes, prefixLength: Int(header.ifa_prefixlen)), proto: proto)
    }

    init(index: Int32, prefix: IPPrefix, proto: UInt8) {
        self.index = index
        self.prefix = prefix
        self.proto = proto
    }
}

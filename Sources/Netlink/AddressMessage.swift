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
    /// What a re-mark must send back as it is: flags, scope, lifetimes, broadcast, label, metric, peer.
    var details = AddressDetails()

    /// Nil for another message type, a truncated header, or an address that is neither IPv4 nor IPv6.
    init?(_ message: NetlinkMessage) {
        guard message.type == UInt16(RTM_NEWADDR), let (header, attributes) = message.family(ifaddrmsg.self) else { return nil }
        var local: [UInt8]?
        var address: [UInt8]?
        var proto: UInt8 = 0
        var details = AddressDetails(flags: UInt32(header.ifa_flags), scope: header.ifa_scope)
        for attribute in attributes {
            switch Int(attribute.type) {
            case Int(IFA_LOCAL): local = Array(attribute.payload)
            case Int(IFA_ADDRESS): address = Array(attribute.payload)
            case Int(IFA_PROTO): proto = attribute.u8 ?? 0
            default: Self.readDetail(attribute, into: &details)
            }
        }
        // IFA_LOCAL is the interface's own address; IFA_ADDRESS is the peer on point-to-point links.
        guard let bytes = local ?? address, bytes.count == 4 || bytes.count == 16 else { return nil }
        if let local, let address, local != address { details.peer = IPPrefix(bytes: address, prefixLength: address.count * 8).address }
        self.init(index: Int32(bitPattern: header.ifa_index), prefix: IPPrefix(bytes: bytes, prefixLength: Int(header.ifa_prefixlen)), proto: proto)
        self.details = details
    }

    /// The attributes a re-mark must send back as they are (`AddressDetails`).
    static func readDetail(_ attribute: Attributes.Attribute, into details: inout AddressDetails) {
        switch Int(attribute.type) {
        case Int(IFA_FLAGS): details.flags = attribute.u32 ?? details.flags
        case Int(IFA_CACHEINFO) where attribute.payload.count >= MemoryLayout<ifa_cacheinfo>.size:
            let info = attribute.payload.loadUnaligned(as: ifa_cacheinfo.self)
            details.validLifetime = info.ifa_valid
            details.preferredLifetime = info.ifa_prefered
        case Int(IFA_BROADCAST) where attribute.payload.count == 4: details.broadcast = IPPrefix(bytes: Array(attribute.payload), prefixLength: 32).address
        case Int(IFA_LABEL): details.label = attribute.string
        case Int(IFA_RT_PRIORITY): details.metric = attribute.u32
        default: break
        }
    }

    init(index: Int32, prefix: IPPrefix, proto: UInt8) {
        self.index = index
        self.prefix = prefix
        self.proto = proto
    }
}

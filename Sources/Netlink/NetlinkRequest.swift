import CMnl
import HostState
#if canImport(Glibc)
import Glibc
#endif

/// One rtnetlink write, addressed by ifindex. New links get an index chosen by the caller, so that
/// later requests in the same batch (enslave, addresses) can name them without a round trip.
public struct NetlinkRequest: Sendable {
    /// Kind-specific settings (IFLA_INFO_DATA); each kind encodes itself in KIND+Netlink.swift.
    public enum KindData: Sendable {
        case bridge(stp: Bool?, vlanFiltering: Bool?)
        case vlan(id: UInt16)
        case bond(BondData)
        case vxlan(vni: UInt32, local: IPPrefix?, port: UInt16, device: Int32?)

        /// What creates a link of these options; each kind's part is in its X+Netlink.swift.
        /// A VXLAN's underlay is left for the caller, who knows its index.
        public init?(creating options: LinkOptions) {
            switch options {
            case .device, .veth, .other, .bridge(nil), .vlan(id: nil), .bond(nil), .vxlan(nil): return nil
            case .bridge(let b?): self = .bridge(creating: b)
            case .vlan(let id?): self = .vlan(id: id)
            case .bond(let b?): self = .bond(creating: b)
            case .vxlan(let v?): self = .vxlan(creating: v)
            }
        }
    }

    public enum Operation: Sendable {
        /// `ip link add [link L] NAME index I type KIND …` (created down)
        case createLink(index: Int32, name: String, kind: String, link: Int32?, data: KindData?)
        /// `ip link set dev I [mtu M] [up|down] [master M|nomaster] [alias A] [addrgenmode none]
        /// [type bridge stp_state S]`. The kernel takes addrgenmode only on an existing link, and it
        /// must come before the link goes up, or the link-local address is already there.
        case changeLink(index: Int32, kind: String? = nil, mtu: UInt32? = nil, up: Bool? = nil, master: Int32? = nil,
                        alias: String? = nil, data: KindData? = nil, noIPv6LinkLocal: Bool = false, group: UInt32? = nil)
        /// `ip link delete group G`: every link of the group goes in one unregister, instead of one
        /// kernel settle per link.
        case deleteGroup(UInt32)
        /// `ip link del dev I`
        case deleteLink(index: Int32)
        /// `bridge vlan add vid … dev I [self]`
        case addBridgeVLANs(index: Int32, vlans: [BridgeVLAN], bridgeItself: Bool)
        /// `bridge vlan del vid … dev I [self]`
        case removeBridgeVLANs(index: Int32, vlans: [BridgeVLAN], bridgeItself: Bool)
        /// `bridge fdb append 00:00:00:00:00:00 dev I dst R` (head-end replication)
        case addVXLANRemote(index: Int32, remote: IPPrefix)
        /// `bridge fdb del 00:00:00:00:00:00 dev I dst R`
        case removeVXLANRemote(index: Int32, remote: IPPrefix)
        /// `ip route add …`
        case addRoute(RouteState, link: Int32)
        /// `ip route del …`
        case removeRoute(RouteState, link: Int32)
        /// `ip addr add P dev I proto N`
        case addAddress(index: Int32, prefix: IPPrefix, proto: UInt8)
        /// `ip addr del P dev I`
        case removeAddress(index: Int32, prefix: IPPrefix)
        /// `ip addr replace P dev I proto N …`: a new protocol for an existing address, with its
        /// flags, lifetimes, scope, broadcast, label, metric and peer sent back as read (the kernel
        /// resets lifetimes and metric, and IPv6 flags, to what the request carries).
        case remarkAddress(index: Int32, prefix: IPPrefix, proto: UInt8, details: AddressDetails)
    }

    public var operation: Operation
    /// What the operator reads if this request fails, e.g. "set mtu 9000 on eth1".
    public var label: String

    public init(_ operation: Operation, label: String) {
        self.operation = operation
        self.label = label
    }

    /// This request and `next` as one RTM_NEWLINK, when both only set a link's MTU, alias or
    /// master and never the same one (an enslave and the port's ownership mark, typically). The
    /// kernel applies those in a fixed order (MTU, alias, master) whatever the message says, and
    /// none of them depends on another, so one request does what the two did. Nil otherwise.
    public func merged(with next: NetlinkRequest) -> NetlinkRequest? {
        guard case let .changeLink(index, nil, mtu, nil, master, alias, nil, false, nil) = operation,
              case let .changeLink(nextIndex, nil, nextMTU, nil, nextMaster, nextAlias, nil, false, nil) = next.operation,
              index == nextIndex,
              mtu == nil || nextMTU == nil, master == nil || nextMaster == nil, alias == nil || nextAlias == nil else { return nil }
        return NetlinkRequest(.changeLink(index: index, mtu: mtu ?? nextMTU, master: master ?? nextMaster, alias: alias ?? nextAlias),
                              label: "\(label); \(next.label)")
    }

    static let iffUp: UInt32 = 0x1
    static let iffLowerUp: UInt32 = 0x10000
    static let addrGenModeNone: UInt8 = 1

    /// The request as the bytes that go on the wire (the batch writer encodes in place instead).
    func bytes(sequence: UInt32) -> [UInt8] {
        NetlinkMessage.encode(sequence: sequence) { encode(into: $0) }
    }

    /// Writes the request into the message whose header libmnl just put.
    func encode(into nlh: UnsafeMutablePointer<nlmsghdr>) {
        let request = UInt16(NLM_F_REQUEST | NLM_F_ACK)
        switch operation {
        case let .createLink(index, name, kind, link, data):
            nlh.pointee.nlmsg_type = UInt16(RTM_NEWLINK)
            nlh.pointee.nlmsg_flags = request | UInt16(NLM_F_CREATE | NLM_F_EXCL)
            putLinkHeader(nlh, index: index, up: nil)
            mnl_attr_put_strz(nlh, UInt16(IFLA_IFNAME), name)
            if let link { mnl_attr_put_u32(nlh, UInt16(IFLA_LINK), UInt32(bitPattern: link)) }
            putLinkInfo(nlh, kind: kind, data: data)
        case let .deleteGroup(group):
            nlh.pointee.nlmsg_type = UInt16(RTM_DELLINK)
            nlh.pointee.nlmsg_flags = request
            putLinkHeader(nlh, index: 0, up: nil)
            mnl_attr_put_u32(nlh, UInt16(IFLA_GROUP), group)
        case let .changeLink(index, kind, mtu, up, master, alias, data, noLinkLocal, group):
            nlh.pointee.nlmsg_type = UInt16(RTM_NEWLINK)
            nlh.pointee.nlmsg_flags = request
            putLinkHeader(nlh, index: index, up: up)
            if let group { mnl_attr_put_u32(nlh, UInt16(IFLA_GROUP), group) }
            if let mtu { mnl_attr_put_u32(nlh, UInt16(IFLA_MTU), mtu) }
            if let master { mnl_attr_put_u32(nlh, UInt16(IFLA_MASTER), UInt32(bitPattern: master)) }
            if let alias { mnl_attr_put_str(nlh, UInt16(IFLA_IFALIAS), alias) }
            if let kind, let data { putLinkInfo(nlh, kind: kind, data: data) }
            if noLinkLocal {
                // No IPv6 link-local on guest-only devices: fewer addresses, and creation stays linear.
                let spec = mnl_attr_nest_start(nlh, UInt16(IFLA_AF_SPEC))
                let inet6 = mnl_attr_nest_start(nlh, UInt16(AF_INET6))
                mnl_attr_put_u8(nlh, UInt16(IFLA_INET6_ADDR_GEN_MODE), Self.addrGenModeNone)
                mnl_attr_nest_end(nlh, inet6)
                mnl_attr_nest_end(nlh, spec)
            }
        case let .deleteLink(index):
            nlh.pointee.nlmsg_type = UInt16(RTM_DELLINK)
            nlh.pointee.nlmsg_flags = request
            putLinkHeader(nlh, index: index, up: nil)
        case let .addBridgeVLANs(index, vlans, bridgeItself), let .removeBridgeVLANs(index, vlans, bridgeItself):
            if case .addBridgeVLANs = operation { nlh.pointee.nlmsg_type = UInt16(RTM_SETLINK) } else { nlh.pointee.nlmsg_type = UInt16(RTM_DELLINK) }
            nlh.pointee.nlmsg_flags = request
            let ifi = mnl_nlmsg_put_extra_header(nlh, MemoryLayout<ifinfomsg>.size)!.assumingMemoryBound(to: ifinfomsg.self)
            ifi.pointee.ifi_family = UInt8(AF_BRIDGE)
            ifi.pointee.ifi_index = index
            Self.putBridgeVLANs(nlh, vlans, bridgeItself: bridgeItself)
        case let .addVXLANRemote(index, remote):
            nlh.pointee.nlmsg_type = UInt16(RTM_NEWNEIGH)
            nlh.pointee.nlmsg_flags = request | UInt16(NLM_F_CREATE | NLM_F_APPEND)
            Self.putAllZeroFDB(nlh, index: index, remote: remote)
        case let .removeVXLANRemote(index, remote):
            nlh.pointee.nlmsg_type = UInt16(RTM_DELNEIGH)
            nlh.pointee.nlmsg_flags = request
            Self.putAllZeroFDB(nlh, index: index, remote: remote)
        case let .addRoute(route, link):
            nlh.pointee.nlmsg_type = UInt16(RTM_NEWROUTE)
            nlh.pointee.nlmsg_flags = request | UInt16(NLM_F_CREATE | NLM_F_EXCL)
            Self.putRoute(nlh, route, link: link)
        case let .removeRoute(route, link):
            nlh.pointee.nlmsg_type = UInt16(RTM_DELROUTE)
            nlh.pointee.nlmsg_flags = request
            Self.putRoute(nlh, route, link: link)
        case let .addAddress(index, prefix, proto):
            nlh.pointee.nlmsg_type = UInt16(RTM_NEWADDR)
            nlh.pointee.nlmsg_flags = request | UInt16(NLM_F_CREATE | NLM_F_EXCL)
            putAddress(nlh, index: index, prefix: prefix)
            mnl_attr_put_u8(nlh, UInt16(IFA_PROTO), proto)
        case let .removeAddress(index, prefix):
            nlh.pointee.nlmsg_type = UInt16(RTM_DELADDR)
            nlh.pointee.nlmsg_flags = request
            putAddress(nlh, index: index, prefix: prefix)
        case let .remarkAddress(index, prefix, proto, details):
            nlh.pointee.nlmsg_type = UInt16(RTM_NEWADDR)
            nlh.pointee.nlmsg_flags = request | UInt16(NLM_F_REPLACE)
            Self.putRemark(nlh, index: index, prefix: prefix, proto: proto, details: details)
        }
    }

    private func putLinkHeader(_ nlh: UnsafeMutablePointer<nlmsghdr>, index: Int32, up: Bool?) {
        let raw = mnl_nlmsg_put_extra_header(nlh, MemoryLayout<ifinfomsg>.size)!
        let ifi = raw.assumingMemoryBound(to: ifinfomsg.self)
        ifi.pointee.ifi_family = UInt8(AF_UNSPEC)
        ifi.pointee.ifi_index = index
        if let up {
            ifi.pointee.ifi_flags = up ? Self.iffUp : 0
            ifi.pointee.ifi_change = Self.iffUp
        }
    }

    private func putLinkInfo(_ nlh: UnsafeMutablePointer<nlmsghdr>, kind: String, data: KindData?) {
        let info = mnl_attr_nest_start(nlh, UInt16(IFLA_LINKINFO))
        mnl_attr_put_str(nlh, UInt16(IFLA_INFO_KIND), kind)
        if let data {
            let nest = mnl_attr_nest_start(nlh, UInt16(IFLA_INFO_DATA))
            switch data {
            case let .bridge(stp, vlanFiltering): Self.putBridgeData(nlh, stp: stp, vlanFiltering: vlanFiltering)
            case let .vlan(id): Self.putVLANData(nlh, id: id)
            case let .bond(data): Self.putBondData(nlh, data)
            case let .vxlan(vni, local, port, device): Self.putVXLANData(nlh, vni: vni, local: local, port: port, device: device)
            }
            mnl_attr_nest_end(nlh, nest)
        }
        mnl_attr_nest_end(nlh, info)
    }

    private func putAddress(_ nlh: UnsafeMutablePointer<nlmsghdr>, index: Int32, prefix: IPPrefix) {
        let raw = mnl_nlmsg_put_extra_header(nlh, MemoryLayout<ifaddrmsg>.size)!
        let ifa = raw.assumingMemoryBound(to: ifaddrmsg.self)
        ifa.pointee.ifa_family = UInt8(prefix.family == .ipv4 ? AF_INET : AF_INET6)
        ifa.pointee.ifa_prefixlen = UInt8(prefix.prefixLength)
        ifa.pointee.ifa_index = UInt32(bitPattern: index)
        prefix.bytes.withUnsafeBytes { bytes in
            mnl_attr_put(nlh, UInt16(IFA_LOCAL), bytes.count, bytes.baseAddress)
            mnl_attr_put(nlh, UInt16(IFA_ADDRESS), bytes.count, bytes.baseAddress)
        }
    }
}

/// The dump's switch from a kind to its IFLA_INFO_DATA parse, beside the create's
/// (`KindData(creating:)`); each kind's part is in its X+Netlink.swift.
extension DumpedOptions {
    init(kind: LinkKind, infoData data: Attributes?) {
        switch kind {
        case .device: self.init(options: .device)
        case .veth: self.init(options: .veth)
        case .other(let name): self.init(options: .other(name))
        case .bridge: self.init(options: .bridge(BridgeOptions(infoData: data)))
        case .vlan: self.init(options: .vlan(id: data?.first(Int(IFLA_VLAN_ID))?.u16))
        case .bond: self = .bond(infoData: data)
        case .vxlan: self = .vxlan(infoData: data)
        }
    }

    /// Whether the message's IFLA_LINK is this kind's lower device (a VLAN's parent), kept as
    /// the link's `link`; a veth's names its peer.
    var keepsLowerLink: Bool { options.kind == .vlan }

    /// The options with the device they name by index (`deviceIndex`) named through `names`.
    func options(naming names: [Int32: String]) -> LinkOptions {
        let device = deviceIndex > 0 ? names[deviceIndex] : nil
        switch options {
        case .bond(var b?): b.primary = device; return .bond(b)
        case .vxlan(var v?): v.device = device; return .vxlan(v)
        default: return options
        }
    }
}

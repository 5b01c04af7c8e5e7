import CMnl
import HostState
#if canImport(Glibc)
import Glibc
#endif

/// One link as the kernel reports it, before master and lower indexes become names.
struct RawLink: Equatable {
    var index: Int32
    var name: String
    var kind: LinkKind
    var mtu: UInt32
    var flags: UInt32
    var masterIndex: Int32
    var alias: String?
    /// IFLA_LINK, kept for kinds where it names the lower device (a veth's is its peer).
    var linkIndex: Int32
    var vlanID: UInt16?
    var vxlan: VXLANInfo?
    var vxlanDeviceIndex: Int32 = 0
    var group: UInt32 = 0
    var bridge: BridgeOptions?
    /// A bond's options; `primary` is filled in from `bondPrimaryIndex` once every name is known.
    var bond: BondOptions?
    var bondPrimaryIndex: Int32 = 0
}

extension RawLink {
    /// Decodes an RTM_NEWLINK (a reply to a link dump or get) with its kind's IFLA_INFO_DATA.
    /// Nil for another message type, a truncated header, or a link without IFLA_IFNAME.
    init?(_ message: NetlinkMessage) {
        guard message.type == UInt16(RTM_NEWLINK), let (header, attributes) = message.family(ifinfomsg.self) else { return nil }
        var name: String?
        var mtu: UInt32 = 0, master: Int32 = 0, lower: Int32 = 0, group: UInt32 = 0
        var alias: String?
        var kindName: String?
        var data: Attributes?
        for attribute in attributes {
            switch Int32(attribute.type) {
            case Int32(IFLA_IFNAME): name = attribute.string
            case Int32(IFLA_MTU): mtu = attribute.u32 ?? 0
            case Int32(IFLA_MASTER): master = Int32(bitPattern: attribute.u32 ?? 0)
            case Int32(IFLA_LINK): lower = Int32(bitPattern: attribute.u32 ?? 0)
            case Int32(IFLA_GROUP): group = attribute.u32 ?? 0
            case Int32(IFLA_IFALIAS): alias = attribute.string
            case Int32(IFLA_LINKINFO):
                for info in attribute.nested {
                    switch Int32(info.type) {
                    case Int32(IFLA_INFO_KIND): kindName = info.string
                    case Int32(IFLA_INFO_DATA): data = info.nested
                    default: break
                    }
                }
            default: break
            }
        }
        guard let name else { return nil }
        let kind = LinkKind(kernelKind: kindName)
        self.init(index: header.ifi_index, name: name, kind: kind, mtu: mtu, flags: header.ifi_flags,
                  masterIndex: master, alias: alias?.isEmpty == true ? nil : alias,
                  linkIndex: kind == .vlan ? lower : 0, group: group)
        switch kind {
        case .vlan: vlanID = data?.first(Int(IFLA_VLAN_ID))?.u16
        case .bridge: bridge = BridgeOptions(infoData: data)
        case .bond:
            bond = BondOptions(infoData: data, names: [:])
            bondPrimaryIndex = Int32(bitPattern: data?.first(Int(IFLA_BOND_PRIMARY))?.u32 ?? 0)
        case .vxlan:
            vxlan = VXLANInfo(infoData: data)
            vxlanDeviceIndex = Int32(bitPattern: data?.first(Int(IFLA_VXLAN_LINK))?.u32 ?? 0)
        default: break
        }
    }
}

extension LinkState {
    /// A link as the kernel reported it, its master and lower links named through `names`.
    init(_ r: RawLink, names: [Int32: String]) {
        self.init(index: r.index, name: r.name, kind: r.kind, mtu: r.mtu,
                  up: r.flags & NetlinkRequest.iffUp != 0,
                  carrier: r.flags & NetlinkRequest.iffLowerUp != 0,
                  master: r.masterIndex > 0 ? names[r.masterIndex] : nil,
                  alias: r.alias,
                  link: r.linkIndex > 0 ? names[r.linkIndex] : nil, vlanID: r.vlanID,
                  bridge: r.bridge,
                  bond: r.bond.map { var b = $0; b.primary = r.bondPrimaryIndex > 0 ? names[r.bondPrimaryIndex] : nil; return b },
                  vxlan: r.vxlan.map { v in
                      var info = v
                      info.device = r.vxlanDeviceIndex > 0 ? names[r.vxlanDeviceIndex] : nil
                      return info
                  })
        group = r.group
    }
}

extension Attributes.Attribute {
    /// An IPv4 or IPv6 address attribute as text (inet_ntop's form, as `ip` prints it).
    var addressText: String? {
        let family: Int32
        switch payload.count {
        case 4: family = AF_INET
        case 16: family = AF_INET6
        default: return nil
        }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        guard inet_ntop(family, payload.baseAddress, &text, socklen_t(text.count)) != nil else { return nil }
        return String(cString: text)
    }
}

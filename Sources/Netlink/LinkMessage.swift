import CMnl
import HostState
#if canImport(Glibc)
import Glibc
#endif

/// One link as the kernel reports it, before master and lower indexes become names.
struct RawLink: Equatable {
    var index: Int32
    var name: String
    var mtu: UInt32
    var flags: UInt32
    var masterIndex: Int32
    var alias: String?
    /// IFLA_LINK, kept for kinds where it names the lower device (a veth's is its peer).
    var linkIndex: Int32
    var group: UInt32 = 0
    /// The kind and its options as IFLA_INFO_DATA gave them, parsed by the kind's X+Netlink.swift.
    var dumped: DumpedOptions
    /// The per-device sysctls of IFLA_AF_SPEC; nil when the message had none.
    var sysctls: DumpedSysctls? = nil

    var kind: LinkKind { dumped.options.kind }
}

/// A kind's options as one dump message carries them: a device they name (a bond's primary, a
/// VXLAN's underlay) is still an ifindex, named once every link of the dump is known.
struct DumpedOptions: Equatable {
    var options: LinkOptions
    /// The ifindex of the one device the options name; 0 for none.
    var deviceIndex: Int32 = 0
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
        var sysctls: DumpedSysctls?
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
            case Int32(IFLA_AF_SPEC): sysctls = Devconf.sysctls(afSpec: attribute)
            default: break
            }
        }
        guard let name else { return nil }
        let dumped = DumpedOptions(kind: LinkKind(kernelKind: kindName), infoData: data)
        self.init(index: header.ifi_index, name: name, mtu: mtu, flags: header.ifi_flags,
                  masterIndex: master, alias: alias?.isEmpty == true ? nil : alias,
                  linkIndex: dumped.keepsLowerLink ? lower : 0, group: group, dumped: dumped, sysctls: sysctls)
    }
}

extension LinkState {
    /// A link as the kernel reported it, its master and lower links named through `names`.
    init(_ r: RawLink, names: [Int32: String]) {
        self.init(index: r.index, name: r.name, options: r.dumped.options(naming: names), mtu: r.mtu,
                  up: r.flags & NetlinkRequest.iffUp != 0,
                  carrier: r.flags & NetlinkRequest.iffLowerUp != 0,
                  master: r.masterIndex > 0 ? names[r.masterIndex] : nil,
                  alias: r.alias,
                  link: r.linkIndex > 0 ? names[r.linkIndex] : nil)
        group = r.group
        dumpedSysctls = r.sysctls
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
        // The text up to its NUL, as String(cString:) read it (inet_ntop writes ASCII).
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

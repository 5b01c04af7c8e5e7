import CMnl
import HostState
#if canImport(Glibc)
import Glibc
#endif

/// One link as the kernel reports it, before master and lower indexes become names.
struct RawLink {
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

extension RouteSocket {
    /// Every link, with its kind's options, in one RTM_GETLINK dump. Counters are left out
    /// (RTEXT_FILTER_SKIP_STATS): the plan reads none, and they were most of each message. This
    /// replaced libnl's link cache, which asks for them and needed two more dumps for the bridge
    /// and bond options it does not parse: reading 3,000 links went from 36 ms to the figure in
    /// docs/performance.md.
    func dumpLinks() throws -> [RawLink] {
        var links: [RawLink] = []
        try dump("links", build: { nlh in
            nlh.pointee.nlmsg_type = UInt16(RTM_GETLINK)
            let ifi = mnl_nlmsg_put_extra_header(nlh, MemoryLayout<ifinfomsg>.size)!.assumingMemoryBound(to: ifinfomsg.self)
            ifi.pointee.ifi_family = UInt8(AF_UNSPEC)
            mnl_attr_put_u32(nlh, UInt16(IFLA_EXT_MASK), Self.skipStats)
        }, each: { type, payload in
            guard type == UInt16(RTM_NEWLINK), payload.count >= MemoryLayout<ifinfomsg>.size else { return }
            let header = payload.loadUnaligned(as: ifinfomsg.self)
            if let link = Self.rawLink(header, Attributes(buffer: UnsafeRawBufferPointer(rebasing: payload[MemoryLayout<ifinfomsg>.size...]))) {
                links.append(link)
            }
        })
        return links
    }

    static let skipStats: UInt32 = 1 << 3  // RTEXT_FILTER_SKIP_STATS

    /// Some links by name: one RTM_GETLINK request each, all sent in one batch. A name the kernel
    /// does not know is absent from the result.
    func getLinks(names: [String]) throws -> [String: RawLink] {
        var result: [String: RawLink] = [:]
        var outstanding: [UInt32: String] = [:]
        let request = UnsafeMutableRawPointer.allocate(byteCount: 4096 + names.count * 64, alignment: 8)
        defer { request.deallocate() }
        var used = 0
        for name in names {
            let nlh = mnl_nlmsg_put_header(request + used)!
            nlh.pointee.nlmsg_type = UInt16(RTM_GETLINK)
            nlh.pointee.nlmsg_flags = UInt16(NLM_F_REQUEST)
            sequence &+= 1
            nlh.pointee.nlmsg_seq = sequence
            let ifi = mnl_nlmsg_put_extra_header(nlh, MemoryLayout<ifinfomsg>.size)!.assumingMemoryBound(to: ifinfomsg.self)
            ifi.pointee.ifi_family = UInt8(AF_UNSPEC)
            mnl_attr_put_strz(nlh, UInt16(IFLA_IFNAME), name)
            mnl_attr_put_u32(nlh, UInt16(IFLA_EXT_MASK), Self.skipStats)
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
            var remaining = Int32(n)
            var message: UnsafePointer<nlmsghdr>? = UnsafePointer(buffer.assumingMemoryBound(to: nlmsghdr.self))
            while let m = message, mnl_nlmsg_ok(m, remaining) {
                let header = m.pointee
                if let name = outstanding.removeValue(forKey: header.nlmsg_seq) {
                    if Int32(header.nlmsg_type) == NLMSG_ERROR {
                        let (code, text) = Self.decodeError(m)
                        if code != -ENODEV { throw NetlinkError(operation: "get link \(name)", errno: -code, kernelMessage: text) }
                    } else if header.nlmsg_type == UInt16(RTM_NEWLINK) {
                        let payload = UnsafeRawBufferPointer(start: mnl_nlmsg_get_payload(m), count: Int(header.nlmsg_len) - MemoryLayout<nlmsghdr>.size)
                        if payload.count >= MemoryLayout<ifinfomsg>.size,
                           let link = Self.rawLink(payload.loadUnaligned(as: ifinfomsg.self),
                                                   Attributes(buffer: UnsafeRawBufferPointer(rebasing: payload[MemoryLayout<ifinfomsg>.size...]))) {
                            result[name] = link
                        }
                    }
                }
                message = UnsafePointer(mnl_nlmsg_next(m, &remaining))
            }
        }
        return result
    }

    private static func rawLink(_ header: ifinfomsg, _ attributes: Attributes) -> RawLink? {
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
        var link = RawLink(index: header.ifi_index, name: name, kind: kind, mtu: mtu, flags: header.ifi_flags,
                           masterIndex: master, alias: alias?.isEmpty == true ? nil : alias,
                           linkIndex: kind == .vlan ? lower : 0, group: group)
        switch kind {
        case .vlan: link.vlanID = data?.first(Int(IFLA_VLAN_ID))?.u16
        case .bridge: link.bridge = BridgeOptions(infoData: data)
        case .bond:
            link.bond = BondOptions(infoData: data, names: [:])
            link.bondPrimaryIndex = Int32(bitPattern: data?.first(Int(IFLA_BOND_PRIMARY))?.u32 ?? 0)
        case .vxlan:
            link.vxlan = VXLANInfo(vni: data?.first(Int(IFLA_VXLAN_ID))?.u32 ?? 0,
                                   local: (data?.first(Int(IFLA_VXLAN_LOCAL)) ?? data?.first(Int(IFLA_VXLAN_LOCAL6))).flatMap(Self.addressText),
                                   port: UInt16(bigEndian: data?.first(Int(IFLA_VXLAN_PORT))?.u16 ?? UInt16(4789).bigEndian))
            link.vxlanDeviceIndex = Int32(bitPattern: data?.first(Int(IFLA_VXLAN_LINK))?.u32 ?? 0)
        default: break
        }
        return link
    }

    /// An IPv4 or IPv6 address attribute as text (inet_ntop's form, as `ip` prints it).
    static func addressText(_ attribute: Attributes.Attribute) -> String? {
        let family: Int32
        switch attribute.payload.count {
        case 4: family = AF_INET
        case 16: family = AF_INET6
        default: return nil
        }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        guard inet_ntop(family, attribute.payload.baseAddress, &text, socklen_t(text.count)) != nil else { return nil }
        return String(cString: text)
    }
}

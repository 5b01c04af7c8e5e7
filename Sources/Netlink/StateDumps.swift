import CMnl
import HostState
#if canImport(Glibc)
import Glibc
#endif

extension RouteSocket {
    /// Every IPv4 and IPv6 address with its IFA_PROTO owner mark: one RTM_GETADDR dump.
    /// (libnl 3.7's address cache drops IFA_PROTO, which poolnet's ownership relies on.)
    func dumpAddresses(names: [Int32: String]) throws -> [AddressState] {
        var result: [AddressState] = []
        try dump("addresses", build: { nlh in
            nlh.pointee.nlmsg_type = UInt16(RTM_GETADDR)
            let ifa = mnl_nlmsg_put_extra_header(nlh, MemoryLayout<ifaddrmsg>.size)!.assumingMemoryBound(to: ifaddrmsg.self)
            ifa.pointee.ifa_family = UInt8(AF_UNSPEC)
        }, each: { type, payload in
            guard type == UInt16(RTM_NEWADDR), payload.count >= MemoryLayout<ifaddrmsg>.size else { return }
            let header = payload.loadUnaligned(as: ifaddrmsg.self)
            guard let link = names[Int32(bitPattern: header.ifa_index)] else { return }
            var local: [UInt8]?
            var address: [UInt8]?
            var proto: UInt8 = 0
            var details = AddressDetails(flags: UInt32(header.ifa_flags), scope: header.ifa_scope)
            for attribute in Attributes(buffer: UnsafeRawBufferPointer(rebasing: payload[MemoryLayout<ifaddrmsg>.size...])) {
                switch Int(attribute.type) {
                case Int(IFA_LOCAL): local = Array(attribute.payload)
                case Int(IFA_ADDRESS): address = Array(attribute.payload)
                case Int(IFA_PROTO): proto = attribute.u8 ?? 0
                default: Self.readDetail(attribute, into: &details)
                }
            }
            // IFA_LOCAL is the interface's own address; IFA_ADDRESS is the peer on point-to-point links.
            guard let bytes = local ?? address, bytes.count == 4 || bytes.count == 16 else { return }
            if let local, let address, local != address { details.peer = IPPrefix(bytes: address, prefixLength: address.count * 8).address }
            result.append(AddressState(link: link, prefix: IPPrefix(bytes: bytes, prefixLength: Int(header.ifa_prefixlen)), proto: proto,
                                       details: details))
        })
        return result
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
}

/// Reads a host's state: one dump per object class (links with their options, addresses), then the
/// classes only some files need (bridge VLANs, VXLAN remotes, default routes).
public enum StateReader {
    public static func read(using socket: RouteSocket, bridgeVLANs: Bool = false, defaultRoutes: Bool = false,
                            vxlanRemotes: Bool = false) throws -> CurrentState {
        var state = try readBase(using: socket)
        try complete(&state, using: socket, bridgeVLANs: bridgeVLANs, defaultRoutes: defaultRoutes, vxlanRemotes: vxlanRemotes)
        return state
    }

    /// What every plan needs and no file changes: links with their kind's options, addresses.
    public static func readBase(using socket: RouteSocket) throws -> CurrentState {
        let raw = try socket.dumpLinks()
        let names = Dictionary(raw.map { ($0.index, $0.name) }, uniquingKeysWith: { a, _ in a })
        let links = raw.map { LinkState($0, names: names) }
        return CurrentState(links: links, addresses: try socket.dumpAddresses(names: names))
    }

    /// `state` after an apply that touched only `touched`: those links are read again by name (a
    /// name the kernel no longer has is dropped), the others are kept, and the addresses are
    /// dumped again. Apply verifies a small plan with this instead of dumping thousands of links;
    /// the caller must pass every link the steps could have changed (their ports, members,
    /// children and masters too).
    public static func refresh(_ state: CurrentState, touched: Set<String>, using socket: RouteSocket) throws -> CurrentState {
        let fresh = try socket.getLinks(names: touched.sorted())
        var names: [Int32: String] = [:]
        for link in state.links where !touched.contains(link.name) { names[link.index] = link.name }
        for link in fresh.values { names[link.index] = link.name }
        var links = state.links.filter { !touched.contains($0.name) }
        links += fresh.values.map { LinkState($0, names: names) }
        links.sort { $0.index < $1.index }
        return CurrentState(links: links, addresses: try socket.dumpAddresses(names: names))
    }

    /// Adds the classes a file may need to a base read; each is one more dump, only when asked.
    public static func complete(_ state: inout CurrentState, using socket: RouteSocket, bridgeVLANs: Bool,
                                defaultRoutes: Bool, vxlanRemotes: Bool) throws {
        let names = Dictionary(state.links.map { ($0.index, $0.name) }, uniquingKeysWith: { a, _ in a })
        if bridgeVLANs {
            let vlans = state.links.contains { $0.kind == .bridge } ? try socket.dumpBridgeVLANs() : [:]
            for i in state.links.indices { state.links[i].bridgeVLANs = vlans[state.links[i].index] }
        }
        if vxlanRemotes {
            let vxlans = Set(state.links.filter { $0.kind == .vxlan }.map(\.index))
            let remotes = try socket.dumpVXLANRemotes(indexes: vxlans)
            for i in state.links.indices where state.links[i].kind == .vxlan {
                let index = state.links[i].index
                state.links[i].vxlan?.remotes = remotes[index] ?? []
            }
        }
        if defaultRoutes { state.routes = try DefaultRoutes.read(names: names) }
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

import HostState

/// A link poolnet creates, with everything it can set in the one create request.
public struct NewLink: Hashable, Codable, Sendable {
    public var name: String
    /// The kind and its options (for a VXLAN: VNI, local VTEP, port and underlay; its remotes go
    /// separately, as FDB entries).
    public var options: LinkOptions
    public var mtu: UInt32?
    public var alias: String?
    public var up: Bool
    /// The lower device (a VLAN's parent).
    public var link: String?
    /// False creates the link with IPv6 address generation off (no link-local address): guest-only
    /// devices need none, and it keeps link creation linear at thousands of links.
    public var ipv6LinkLocal: Bool

    public var kind: LinkKind { options.kind }

    public init(name: String, options: LinkOptions, mtu: UInt32? = nil, alias: String? = nil, up: Bool = true,
                link: String? = nil, ipv6LinkLocal: Bool = true) {
        self.name = name
        self.options = options
        self.mtu = mtu
        self.alias = alias
        self.up = up
        self.link = link
        self.ipv6LinkLocal = ipv6LinkLocal
    }

    /// A create step written out field by field, the options one optional per kind as on the wire.
    public init(name: String, kind: LinkKind, mtu: UInt32? = nil, alias: String? = nil, up: Bool = true,
                bridge: BridgeOptions? = nil, bond: BondOptions? = nil, link: String? = nil, vlanID: UInt16? = nil,
                ipv6LinkLocal: Bool = true, vxlan: VXLANInfo? = nil) {
        self.init(name: name, options: LinkOptions(kind: kind, vlanID: vlanID, bridge: bridge, bond: bond, vxlan: vxlan),
                  mtu: mtu, alias: alias, up: up, link: link, ipv6LinkLocal: ipv6LinkLocal)
    }

    /// What recreating `link` takes (the inverse of deleting it).
    public init(recreating link: LinkState) {
        var options = link.options
        options.setVXLANRemotes(nil)
        self.init(name: link.name, options: options, mtu: link.mtu, alias: link.alias, up: link.up, link: link.link)
    }

    // Keyed by `WireKey`: the options' keys are named by `LinkOptions`, in the same object.

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: WireKey.self)
        name = try c.decode(String.self, forKey: "name")
        options = try LinkOptions.decode(kind: try c.decode(LinkKind.self, forKey: "kind"), from: c, in: .newLink)
        mtu = try c.decodeIfPresent(UInt32.self, forKey: "mtu")
        alias = try c.decodeIfPresent(String.self, forKey: "alias")
        up = try c.decode(Bool.self, forKey: "up")
        link = try c.decodeIfPresent(String.self, forKey: "link")
        ipv6LinkLocal = try c.decode(Bool.self, forKey: "ipv6LinkLocal")
    }

    /// The keys and their order are those of the releases that kept one optional per kind.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: WireKey.self)
        try c.encode(name, forKey: "name")
        try c.encode(kind, forKey: "kind")
        try c.encodeIfPresent(mtu, forKey: "mtu")
        try c.encodeIfPresent(alias, forKey: "alias")
        try c.encode(up, forKey: "up")
        try options.encode(into: &c, in: .newLink, late: false)
        try c.encodeIfPresent(link, forKey: "link")
        try options.encode(into: &c, in: .newLink, late: true)
        try c.encode(ipv6LinkLocal, forKey: "ipv6LinkLocal")
    }
}

/// One kernel-level step. Each carries the value it replaces, so its inverse needs no new read.
public enum Action: Hashable, Codable, Sendable {
    /// `ip link add NAME type KIND [mtu M] [alias A] [up]`
    case createLink(NewLink)
    /// `ip link del NAME`; keeps the link as it was, to recreate it on rollback.
    case deleteLink(LinkState)
    /// `ip link set NAME mtu M`
    case setMTU(link: String, mtu: UInt32, previous: UInt32)
    /// `ip link set NAME up|down`
    case setUp(link: String, up: Bool)
    /// `ip link set NAME master M` / `nomaster`
    case setMaster(link: String, master: String?, previous: String?)
    /// `ip link set NAME alias A`
    case setAlias(link: String, alias: String?, previous: String?)
    /// `ip link set NAME type bridge stp_state N vlan_filtering V`
    case setBridgeOptions(link: String, options: BridgeOptions, previous: BridgeOptions)
    /// `bridge vlan add/del vid … dev NAME [self]`: the exact VLAN set of a port, or of the bridge
    /// itself (`link` is then the bridge).
    case setBridgeVLANs(link: String, vlans: [BridgeVLAN], previous: [BridgeVLAN])
    /// `bridge fdb append|del 00:00:00:00:00:00 dev NAME dst R`: the exact remote VTEP set.
    case setVXLANRemotes(link: String, remotes: [String], previous: [String])
    /// `ip link set NAME type bond miimon M xmit_hash_policy P primary DEV`
    case setBondOptions(link: String, options: BondOptions, previous: BondOptions)
    /// `sysctl -w net.ipv4.conf.LINK.KEY=V`
    case setSysctl(key: SysctlKey, value: Int, previous: Int)
    /// `ip route add …` (the inverse of a removal)
    case addRoute(RouteState)
    /// `ip route del default via … dev LINK`
    case removeRoute(RouteState)
    /// `ip addr add PREFIX dev LINK proto P`
    case addAddress(link: String, prefix: IPPrefix, proto: UInt8)
    /// `ip addr del PREFIX dev LINK`
    case removeAddress(link: String, prefix: IPPrefix, proto: UInt8)
    /// `apply --adopt` of an existing address (or its inverse): the pool's record gains it and,
    /// where the kernel keeps IFA_PROTO, `ip addr replace PREFIX dev LINK proto P` keeping the rest.
    case markAddress(AddressMark)
    /// An iSCSI or multipath step (run by the storage backend, not over netlink).
    case storage(StorageAction)
    /// Writes or removes poolnet's drop-in for another network manager, then has it reload.
    case handOver(HandOverAction)

    /// The step that undoes this one, computed from the state read before apply.
    public var inverse: Action {
        switch self {
        case .createLink(let n):
            return .deleteLink(LinkState(index: 0, name: n.name, options: n.options, mtu: n.mtu ?? 1500, up: n.up, alias: n.alias, link: n.link))
        case .deleteLink(let s): return .createLink(NewLink(recreating: s))
        case let .setMTU(link, mtu, previous): return .setMTU(link: link, mtu: previous, previous: mtu)
        case let .setUp(link, up): return .setUp(link: link, up: !up)
        case let .setMaster(link, master, previous): return .setMaster(link: link, master: previous, previous: master)
        case let .setAlias(link, alias, previous): return .setAlias(link: link, alias: previous, previous: alias)
        case let .setBridgeOptions(link, options, previous): return .setBridgeOptions(link: link, options: previous, previous: options)
        case let .setBondOptions(link, options, previous): return .setBondOptions(link: link, options: previous, previous: options)
        case let .setBridgeVLANs(link, vlans, previous): return .setBridgeVLANs(link: link, vlans: previous, previous: vlans)
        case let .setVXLANRemotes(link, remotes, previous): return .setVXLANRemotes(link: link, remotes: previous, previous: remotes)
        case let .setSysctl(key, value, previous): return .setSysctl(key: key, value: previous, previous: value)
        case .addRoute(let r): return .removeRoute(r)
        case .removeRoute(let r): return .addRoute(r)
        case let .addAddress(link, prefix, proto): return .removeAddress(link: link, prefix: prefix, proto: proto)
        case let .removeAddress(link, prefix, proto): return .addAddress(link: link, prefix: prefix, proto: proto)
        case .markAddress(let m): return .markAddress(m.inverse)
        case .storage(let s): return .storage(s.inverse)
        case .handOver(let h): return .handOver(h.inverse)
        }
    }

    /// The interface this step acts on.
    public var link: String {
        switch self {
        case .createLink(let n): return n.name
        case .deleteLink(let s): return s.name
        case .setSysctl(let key, _, _): return key.link
        case .addRoute(let r), .removeRoute(let r): return r.link
        case .storage(let s): return s.object
        case .handOver(let h): return h.manager.key
        case .markAddress(let m): return m.link
        case .setMTU(let l, _, _), .setUp(let l, _), .setMaster(let l, _, _), .setAlias(let l, _, _),
             .setBridgeOptions(let l, _, _), .setBondOptions(let l, _, _), .setBridgeVLANs(let l, _, _), .setVXLANRemotes(let l, _, _),
             .addAddress(let l, _, _), .removeAddress(let l, _, _):
            return l
        }
    }
}

/// A planned step with what the operator needs to judge it.
public struct Change: Hashable, Codable, Sendable {
    public var action: Action
    /// Breaks traffic on the interface (a delete, a move to another master, a removed address, a link down).
    public var disruptive: Bool
    /// Why, when the action alone does not say (a replacement, a move).
    public var reason: String?

    public init(_ action: Action, disruptive: Bool = false, reason: String? = nil) {
        self.action = action
        self.disruptive = disruptive
        self.reason = reason
    }

    /// A step that can only be planned after others ran (a multipath map for a LUN that appears
    /// at login): apply runs these in a second round.
    public var isFollowUp: Bool {
        if case .storage(.addMultipathMap) = action { return true }
        return false
    }

    public var inverse: Change { Change(action.inverse, disruptive: disruptive, reason: reason.map { "undo: \($0)" }) }
}

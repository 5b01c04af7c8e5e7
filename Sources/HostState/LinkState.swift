/// The kind of a link as the kernel reports it in IFLA_INFO_KIND; physical NICs have none.
public enum LinkKind: Hashable, Sendable, Codable, CustomStringConvertible {
    case device
    case bridge
    case veth
    case vlan
    case bond
    case vxlan
    case other(String)

    public init(kernelKind: String?) {
        switch kernelKind {
        case nil, "": self = .device
        case "bridge": self = .bridge
        case "veth": self = .veth
        case "vlan": self = .vlan
        case "bond": self = .bond
        case "vxlan": self = .vxlan
        case let s?: self = .other(s)
        }
    }

    /// The name the kernel uses in IFLA_INFO_KIND (nil for a physical device).
    public var kernelKind: String? {
        switch self {
        case .device: return nil
        case .bridge: return "bridge"
        case .veth: return "veth"
        case .vlan: return "vlan"
        case .bond: return "bond"
        case .vxlan: return "vxlan"
        case .other(let s): return s
        }
    }

    public var description: String { kernelKind ?? "device" }

    public init(from decoder: Decoder) throws {
        self.init(kernelKind: try decoder.singleValueContainer().decode(String.self))
        if case .other("device") = self { self = .device }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

/// Options of a bridge master (IFLA_BR_*), read by a kind-filtered dump.
public struct BridgeOptions: Hashable, Sendable, Codable {
    public var stp: Bool
    public var vlanFiltering: Bool
    /// VLAN a new port gets as PVID untagged (the kernel's default is 1; 0 gives none).
    public var defaultPVID: UInt16

    public init(stp: Bool, vlanFiltering: Bool = false, defaultPVID: UInt16 = 1) {
        self.stp = stp
        self.vlanFiltering = vlanFiltering
        self.defaultPVID = defaultPVID
    }

    enum CodingKeys: String, CodingKey { case stp, vlanFiltering = "vlan_filtering", defaultPVID = "default_pvid" }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        stp = try c.decodeIfPresent(Bool.self, forKey: .stp) ?? false
        vlanFiltering = try c.decodeIfPresent(Bool.self, forKey: .vlanFiltering) ?? false
        defaultPVID = try c.decodeIfPresent(UInt16.self, forKey: .defaultPVID) ?? 1
    }

    /// Whether the parts poolnet manages (STP and filtering) agree.
    public func sameManaged(as other: BridgeOptions) -> Bool { stp == other.stp && vlanFiltering == other.vlanFiltering }
}

/// One network interface as read from the kernel.
public struct LinkState: Hashable, Sendable, Codable {
    public var index: Int32
    public var name: String
    public var kind: LinkKind
    public var mtu: UInt32
    /// Administrative state (IFF_UP).
    public var up: Bool
    /// Lower layer up (IFF_LOWER_UP): carrier on a NIC, a port up on a bridge.
    public var carrier: Bool
    /// Name of the master device (bridge or bond) this link is enslaved to.
    public var master: String?
    /// IFLA_IFALIAS; poolnet writes its ownership mark here.
    public var alias: String?
    /// The lower device (IFLA_LINK): a VLAN's parent, a VXLAN's underlay.
    public var link: String?
    /// The 802.1Q id of a VLAN device.
    public var vlanID: UInt16?
    public var bridge: BridgeOptions?
    public var bond: BondOptions?
    /// VLANs of a bridge port (or of the bridge itself); nil when not read (no VLAN-aware bridge
    /// in the file).
    public var bridgeVLANs: [BridgeVLAN]?
    public var vxlan: VXLANInfo?
    /// IFLA_GROUP (0 unless someone set it); poolnet uses a scratch group to delete in bulk.
    public var group: UInt32 = 0

    public init(index: Int32, name: String, kind: LinkKind, mtu: UInt32, up: Bool, carrier: Bool = false,
                master: String? = nil, alias: String? = nil, link: String? = nil, vlanID: UInt16? = nil,
                bridge: BridgeOptions? = nil, bond: BondOptions? = nil, bridgeVLANs: [BridgeVLAN]? = nil, vxlan: VXLANInfo? = nil) {
        self.vxlan = vxlan
        self.bond = bond
        self.bridgeVLANs = bridgeVLANs
        self.index = index
        self.name = name
        self.kind = kind
        self.mtu = mtu
        self.up = up
        self.carrier = carrier
        self.master = master
        self.alias = alias
        self.link = link
        self.vlanID = vlanID
        self.bridge = bridge
    }

    enum CodingKeys: String, CodingKey { case index, name, kind, mtu, up, carrier, master, alias, link, vlanID = "vlan_id", bridge, bond, bridgeVLANs = "bridge_vlans", vxlan, group }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        index = try c.decodeIfPresent(Int32.self, forKey: .index) ?? 0
        name = try c.decode(String.self, forKey: .name)
        kind = try c.decodeIfPresent(LinkKind.self, forKey: .kind) ?? .device
        mtu = try c.decodeIfPresent(UInt32.self, forKey: .mtu) ?? 1500
        up = try c.decodeIfPresent(Bool.self, forKey: .up) ?? false
        carrier = try c.decodeIfPresent(Bool.self, forKey: .carrier) ?? up
        master = try c.decodeIfPresent(String.self, forKey: .master)
        alias = try c.decodeIfPresent(String.self, forKey: .alias)
        link = try c.decodeIfPresent(String.self, forKey: .link)
        vlanID = try c.decodeIfPresent(UInt16.self, forKey: .vlanID)
        bridge = try c.decodeIfPresent(BridgeOptions.self, forKey: .bridge)
        bond = try c.decodeIfPresent(BondOptions.self, forKey: .bond)
        bridgeVLANs = try c.decodeIfPresent([BridgeVLAN].self, forKey: .bridgeVLANs)
        vxlan = try c.decodeIfPresent(VXLANInfo.self, forKey: .vxlan)
        group = try c.decodeIfPresent(UInt32.self, forKey: .group) ?? 0
    }
}

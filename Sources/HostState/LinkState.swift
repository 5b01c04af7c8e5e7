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
    /// The kind and its options (a VLAN's id, a bridge's or a bond's options, a VXLAN's VNI…).
    public var options: LinkOptions
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
    /// VLANs of a bridge port (or of the bridge itself); nil when not read (no VLAN-aware bridge
    /// in the file).
    public var bridgeVLANs: [BridgeVLAN]?
    /// IFLA_GROUP (0 unless someone set it); poolnet uses a scratch group to delete in bulk.
    public var group: UInt32 = 0
    /// The per-device sysctls the link dump carried (nil: not read from a dump, as a link
    /// decoded from JSON). Not encoded: `CurrentState.sysctls` holds the ones the file manages.
    /// Not compared either (`ReadAlong`): two reads of one link are the same link.
    public var dumpedSysctls: DumpedSysctls? {
        get { readAlong.value }
        set { readAlong.value = newValue }
    }
    private var readAlong = ReadAlong<DumpedSysctls?>(nil)

    public var kind: LinkKind { options.kind }

    public init(index: Int32, name: String, options: LinkOptions, mtu: UInt32, up: Bool, carrier: Bool = false,
                master: String? = nil, alias: String? = nil, link: String? = nil, bridgeVLANs: [BridgeVLAN]? = nil) {
        self.index = index
        self.name = name
        self.options = options
        self.mtu = mtu
        self.up = up
        self.carrier = carrier
        self.master = master
        self.alias = alias
        self.link = link
        self.bridgeVLANs = bridgeVLANs
    }

    /// A link written out field by field, the options one optional per kind as on the wire.
    public init(index: Int32, name: String, kind: LinkKind, mtu: UInt32, up: Bool, carrier: Bool = false,
                master: String? = nil, alias: String? = nil, link: String? = nil, vlanID: UInt16? = nil,
                bridge: BridgeOptions? = nil, bond: BondOptions? = nil, bridgeVLANs: [BridgeVLAN]? = nil, vxlan: VXLANInfo? = nil) {
        self.init(index: index, name: name, options: LinkOptions(kind: kind, vlanID: vlanID, bridge: bridge, bond: bond, vxlan: vxlan),
                  mtu: mtu, up: up, carrier: carrier, master: master, alias: alias, link: link, bridgeVLANs: bridgeVLANs)
    }

    // Keyed by `WireKey`: the options' keys are named by `LinkOptions`, in the same object.

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: WireKey.self)
        index = try c.decodeIfPresent(Int32.self, forKey: "index") ?? 0
        name = try c.decode(String.self, forKey: "name")
        let kind = try c.decodeIfPresent(LinkKind.self, forKey: "kind") ?? .device
        mtu = try c.decodeIfPresent(UInt32.self, forKey: "mtu") ?? 1500
        up = try c.decodeIfPresent(Bool.self, forKey: "up") ?? false
        carrier = try c.decodeIfPresent(Bool.self, forKey: "carrier") ?? up
        master = try c.decodeIfPresent(String.self, forKey: "master")
        alias = try c.decodeIfPresent(String.self, forKey: "alias")
        link = try c.decodeIfPresent(String.self, forKey: "link")
        options = try LinkOptions.decode(kind: kind, from: c, in: .linkState)
        bridgeVLANs = try c.decodeIfPresent([BridgeVLAN].self, forKey: "bridge_vlans")
        group = try c.decodeIfPresent(UInt32.self, forKey: "group") ?? 0
    }

    /// The keys and their order are those of the releases that kept one optional per kind.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: WireKey.self)
        try c.encode(index, forKey: "index")
        try c.encode(name, forKey: "name")
        try c.encode(kind, forKey: "kind")
        try c.encode(mtu, forKey: "mtu")
        try c.encode(up, forKey: "up")
        try c.encode(carrier, forKey: "carrier")
        try c.encodeIfPresent(master, forKey: "master")
        try c.encodeIfPresent(alias, forKey: "alias")
        try c.encodeIfPresent(link, forKey: "link")
        try options.encode(into: &c, in: .linkState, late: false)
        try c.encodeIfPresent(bridgeVLANs, forKey: "bridge_vlans")
        try options.encode(into: &c, in: .linkState, late: true)
        try c.encode(group, forKey: "group")
    }
}

/// Read-only views of `options`, for the code that asks one kind's question of any link.
extension LinkState {
    public var vlanID: UInt16? { options.vlanID }
    public var bridge: BridgeOptions? { options.bridge }
    public var bond: BondOptions? { options.bond }
    public var vxlan: VXLANInfo? { options.vxlan }
}

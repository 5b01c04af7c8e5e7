import HostState

/// An address the file declares, with where it was declared.
public struct DesiredAddress: Hashable, Sendable {
    public var prefix: IPPrefix
    public var mark: SourceMark

    public init(prefix: IPPrefix, mark: SourceMark) {
        self.prefix = prefix
        self.mark = mark
    }
}

/// A dedicated storage NIC on one host: an existing device poolnet configures but never creates
/// or deletes.
public struct DesiredNIC: Sendable, Equatable {
    public var name: String
    public var mtu: UInt32?
    public var addresses: [DesiredAddress]
    /// Per-NIC sysctls from the storage layout, the IPv6 mode and overrides.
    public var sysctls: [SysctlKey: Int]
    public var mark: SourceMark

    public init(name: String, mtu: UInt32? = nil, addresses: [DesiredAddress] = [], sysctls: [SysctlKey: Int] = [:], mark: SourceMark) {
        self.name = name
        self.mtu = mtu
        self.addresses = addresses
        self.sysctls = sysctls
        self.mark = mark
    }
}

/// A bridge on one host; with no uplink among its ports it is a guest-only private bridge.
public struct DesiredBridge: Sendable, Equatable {
    public var name: String
    public var mtu: UInt32?
    public var stp: Bool
    public var vlanFiltering: Bool
    /// The bridge's own VLANs, when the file manages them.
    public var selfVLANs: [BridgeVLAN]?
    public var ports: [String]
    /// The exact VLAN set of the ports whose entry lists VLANs; other ports are left as they are.
    public var portVLANs: [String: [BridgeVLAN]]
    public var addresses: [DesiredAddress]
    public var mark: SourceMark

    public init(name: String, mtu: UInt32? = nil, stp: Bool = false, vlanFiltering: Bool = false, selfVLANs: [BridgeVLAN]? = nil,
                ports: [String] = [], portVLANs: [String: [BridgeVLAN]] = [:], addresses: [DesiredAddress] = [], mark: SourceMark) {
        self.name = name
        self.mtu = mtu
        self.stp = stp
        self.vlanFiltering = vlanFiltering
        self.selfVLANs = selfVLANs
        self.portVLANs = portVLANs
        self.ports = ports
        self.addresses = addresses
        self.mark = mark
    }
}

/// An 802.1Q VLAN device on one host.
public struct DesiredVLAN: Sendable, Equatable {
    public var name: String
    public var link: String
    public var id: UInt16
    public var mtu: UInt32?
    public var mark: SourceMark

    public init(name: String, link: String, id: UInt16, mtu: UInt32? = nil, mark: SourceMark) {
        self.name = name
        self.link = link
        self.id = id
        self.mtu = mtu
        self.mark = mark
    }
}

/// A bond on one host; its options carry the mode and everything the kernel can tune.
public struct DesiredBond: Sendable, Equatable {
    public var name: String
    public var members: [String]
    public var mtu: UInt32?
    public var options: BondOptions
    public var mark: SourceMark

    public init(name: String, members: [String], mtu: UInt32? = nil, options: BondOptions, mark: SourceMark) {
        self.name = name
        self.members = members
        self.mtu = mtu
        self.options = options
        self.mark = mark
    }
}

/// A VXLAN device on one host with its remote VTEPs (the other hosts).
public struct DesiredVXLAN: Sendable, Equatable {
    public var name: String
    public var info: VXLANInfo
    public var mtu: UInt32?
    public var mark: SourceMark

    public init(name: String, info: VXLANInfo, mtu: UInt32? = nil, mark: SourceMark) {
        self.name = name
        self.info = info
        self.mtu = mtu
        self.mark = mark
    }
}

/// What the file wants on one host: the output of `Topology.resolve(host:)`.
public struct DesiredState: Sendable, Equatable {
    public var pool: String
    public var host: String
    public var nics: [DesiredNIC]
    public var bridges: [DesiredBridge]
    public var vlans: [DesiredVLAN]
    public var bonds: [DesiredBond]
    public var vxlans: [DesiredVXLAN] = []
    public var iscsi: DesiredISCSI?
    public var vports: [DesiredVPort] = []
    public var coexist = CoexistPolicy()
    /// Things the file allows but that look wrong (shown by `validate`, never fatal).
    public var warnings: [TopologyError] = []

    public init(pool: String, host: String, nics: [DesiredNIC] = [], bridges: [DesiredBridge] = [], vlans: [DesiredVLAN] = [],
                bonds: [DesiredBond] = []) {
        self.bonds = bonds
        self.pool = pool
        self.host = host
        self.nics = nics
        self.bridges = bridges
        self.vlans = vlans
    }

    /// The sysctls to read: each storage NIC's, and the `all` and `default` values that decide
    /// the effective value and what a new device starts with.
    public var sysctlKeysToRead: [SysctlKey] {
        var keys = Set<SysctlKey>()
        for nic in nics {
            for key in nic.sysctls.keys { keys.formUnion([key, key.on("all"), key.on("default")]) }
        }
        return keys.sortedByName()
    }

    /// Whether any bridge VLAN membership is managed (then the bridge VLAN class is read).
    public var managesBridgeVLANs: Bool { bridges.contains { $0.selfVLANs != nil || !$0.portVLANs.isEmpty } }

    /// Names of the devices poolnet creates on this host (as opposed to NICs it only configures).
    public var createdDevices: Set<String> { Set(bridges.map(\.name) + vlans.map(\.name) + bonds.map(\.name) + vxlans.map(\.name)) }

    /// Every address this host declares, with the object that declares it.
    public var allAddresses: [(object: String, link: String, address: DesiredAddress)] {
        nics.flatMap { nic in nic.addresses.map { ("storage_nic \(nic.name)", nic.name, $0) } }
            + bridges.flatMap { br in br.addresses.map { ("bridge \(br.name)", br.name, $0) } }
    }
}

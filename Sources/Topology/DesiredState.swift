import HostState

/// An address the file declares, with where it was declared.
public struct DesiredAddress: Hashable, Sendable, Codable {
    public var prefix: IPPrefix
    public var mark: SourceMark

    public init(prefix: IPPrefix, mark: SourceMark) {
        self.prefix = prefix
        self.mark = mark
    }
}

/// A dedicated storage NIC on one host: an existing device poolnet configures but never creates
/// or deletes.
public struct DesiredNIC: Sendable, Equatable, Codable {
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

/// What the file wants on one host: the output of `Topology.resolve(host:)`.
public struct DesiredState: Sendable, Equatable, Codable {
    public var pool: String
    public var host: String
    public var nics: [DesiredNIC]
    /// The links the file creates on this host (each kind's file names its list, e.g. `vlans`).
    public var links = DesiredLinks()
    public var iscsi: DesiredISCSI?
    public var vports: [DesiredVPort] = []
    public var coexist = CoexistPolicy()
    /// Things the file allows but that look wrong (shown by `validate`, never fatal).
    public var warnings: [TopologyError] = []

    public init(pool: String, host: String, nics: [DesiredNIC] = [], bridges: [DesiredBridge] = [], vlans: [DesiredVLAN] = [],
                bonds: [DesiredBond] = []) {
        self.pool = pool
        self.host = host
        self.nics = nics
        self.bridges = bridges
        self.vlans = vlans
        self.bonds = bonds
    }

    /// The sysctls to read: each storage NIC's, and the `all` and `default` values that decide
    /// the effective value and what a new device starts with. Unordered: the reader sorts them
    /// once with its own keys.
    public var sysctlKeysToRead: Set<SysctlKey> {
        var keys = Set<SysctlKey>(minimumCapacity: nics.count * 4)
        // `all` and `default` once per (family, name), not per NIC: 6,000 of a storage host's
        // 9,000 insertions were the same dozen keys again.
        var shared = Set<SysctlKey>()
        for nic in nics {
            for key in nic.sysctls.keys {
                keys.insert(key)
                if shared.insert(key.on("all")).inserted {
                    shared.insert(key.on("default"))
                }
            }
        }
        return keys.union(shared)
    }

    /// Whether any bridge VLAN membership is managed (then the bridge VLAN class is read).
    public var managesBridgeVLANs: Bool { bridges.contains { $0.selfVLANs != nil || !$0.portVLANs.isEmpty } }

    /// Names of the devices poolnet creates on this host (as opposed to NICs it only configures).
    public var createdDevices: Set<String> { links.allNames }

    /// Every address this host declares, with the object that declares it.
    public var allAddresses: [(object: AddressHolder, link: String, address: DesiredAddress)] {
        nics.flatMap { nic in nic.addresses.map { (AddressHolder(kind: .storageNIC, name: nic.name), nic.name, $0) } }
            + bridges.flatMap { br in br.addresses.map { (AddressHolder(kind: .bridge, name: br.name), br.name, $0) } }
    }
}

/// The object that declares an address, spelled ("storage_nic san0") only for a message: every
/// host's validation walks all its addresses, and building the spelling for each was most of it.
public struct AddressHolder: Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable { case storageNIC = "storage_nic", bridge }
    public var kind: Kind
    public var name: String
    public var description: String { "\(kind.rawValue) \(name)" }
}

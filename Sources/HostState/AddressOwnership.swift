/// One address in a pool's ownership record: where poolnet added it (the link's ifindex and name,
/// so that a link deleted and created again by someone else under the same name does not match).
public struct RecordedAddress: Hashable, Codable, Sendable, Comparable {
    public var ifindex: Int32
    public var link: String
    public var prefix: IPPrefix

    public init(ifindex: Int32, link: String, prefix: IPPrefix) {
        self.ifindex = ifindex
        self.link = link
        self.prefix = prefix
    }

    public static func < (a: RecordedAddress, b: RecordedAddress) -> Bool { (a.link, a.prefix, a.ifindex) < (b.link, b.prefix, b.ifindex) }
}

/// How poolnet tells the addresses one pool added from everything else on the host.
public enum AddressOwnershipMode: String, Codable, Sendable, CustomStringConvertible {
    /// The kernel keeps IFA_PROTO (Linux ≥ 6.1): an address is the pool's when it carries 0x70
    /// and the pool's record holds it.
    case kernelMark = "ifa_proto"
    /// The kernel drops IFA_PROTO: the pool's record alone decides, with the link's ifindex and
    /// name matching.
    case record

    public var description: String {
        switch self {
        case .kernelMark: return "IFA_PROTO 0x70 and the pool's record"
        case .record: return "the pool's record alone, by ifindex and link name"
        }
    }
}

/// What decides address ownership for one pool, read with the live state.
public struct AddressOwnership: Codable, Sendable, Equatable {
    public var mode: AddressOwnershipMode
    /// The pool's recorded addresses; nil when the pool has no record yet: then the 0x70 addresses
    /// on links the pool created, marked or declares count as its own (and are recorded).
    public var recorded: [RecordedAddress]?
    /// Addresses other pools recorded: never this pool's, also not by migration.
    public var otherPools: [RecordedAddress]

    public init(mode: AddressOwnershipMode = .kernelMark, recorded: [RecordedAddress]? = nil, otherPools: [RecordedAddress] = []) {
        self.mode = mode
        self.recorded = recorded
        self.otherPools = otherPools
    }

    enum CodingKeys: String, CodingKey { case mode, recorded, otherPools = "other_pools" }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        mode = try c.decodeIfPresent(AddressOwnershipMode.self, forKey: .mode) ?? .kernelMark
        recorded = try c.decodeIfPresent([RecordedAddress].self, forKey: .recorded)
        otherPools = try c.decodeIfPresent([RecordedAddress].self, forKey: .otherPools) ?? []
    }

    /// Whether `address` (on `link`) is the pool's. `poolLink`: the pool created or marked the link,
    /// or its file declares it (used only to migrate when the pool has no record yet).
    public func isPools(_ address: AddressState, on link: LinkState, poolLink: Bool) -> Bool {
        switch mode {
        case .kernelMark:
            guard address.proto == Ownership.addressProtocol else { return false }
            if let recorded { return recorded.contains { $0.link == address.link && $0.prefix == address.prefix } }
            return poolLink && !otherPools.contains { $0.link == address.link && $0.prefix == address.prefix }
        case .record:
            return recorded?.contains { $0.ifindex == link.index && $0.link == address.link && $0.prefix == address.prefix } ?? false
        }
    }

    /// Whether another pool owns `address`: its record holds it (with poolnet's protocol on the
    /// address, where the kernel keeps it; with the link's ifindex, where the record alone decides).
    public func isOtherPools(_ address: AddressState, on link: LinkState) -> Bool {
        switch mode {
        case .kernelMark:
            return address.proto == Ownership.addressProtocol && otherPools.contains { $0.link == address.link && $0.prefix == address.prefix }
        case .record:
            return otherPools.contains { $0.ifindex == link.index && $0.link == address.link && $0.prefix == address.prefix }
        }
    }
}

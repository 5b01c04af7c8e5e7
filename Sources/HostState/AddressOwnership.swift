/// One address in a pool's ownership record: where poolnet added it (the link's ifindex and name,
/// so that a link deleted and created again by someone else under the same name does not match).
public struct RecordedAddress: Hashable, Codable, Sendable, Comparable {
    public var ifindex: Int32
    public var link: String
    public var prefix: IPPrefix
    /// Adopted by `apply --adopt` on a kernel that keeps IFA_PROTO but did not take the re-mark
    /// (IPv4 on Linux 6.1): the address keeps its old protocol and this entry alone, matched by
    /// ifindex and name as in the record mode, makes it the pool's.
    public var adopted: Bool

    public init(ifindex: Int32, link: String, prefix: IPPrefix, adopted: Bool = false) {
        self.ifindex = ifindex
        self.link = link
        self.prefix = prefix
        self.adopted = adopted
    }

    enum CodingKeys: String, CodingKey { case ifindex, link, prefix, adopted }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        ifindex = try c.decode(Int32.self, forKey: .ifindex)
        link = try c.decode(String.self, forKey: .link)
        prefix = try c.decode(IPPrefix.self, forKey: .prefix)
        adopted = try c.decodeIfPresent(Bool.self, forKey: .adopted) ?? false
    }

    /// `adopted` only when set, so that records without adoptions read as before.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(ifindex, forKey: .ifindex)
        try c.encode(link, forKey: .link)
        try c.encode(prefix, forKey: .prefix)
        if adopted { try c.encode(true, forKey: .adopted) }
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
    public var recorded: [RecordedAddress]? { didSet { recordedByAddress = recorded.map(Self.byAddress) } }
    /// Addresses other pools recorded: never this pool's, also not by migration.
    public var otherPools: [RecordedAddress] { didSet { otherPoolsByAddress = Self.byAddress(otherPools) } }
    /// The entries by link and prefix: every address of a plan asks about its own, and scanning
    /// the whole record for each made a no-op plan quadratic (1,000 addresses: 1,000,000 compares).
    private var recordedByAddress: [AddressKey: [RecordedAddress]]?
    private var otherPoolsByAddress: [AddressKey: [RecordedAddress]]
    /// The pool each entry of `otherPools` belongs to (as its record names it), for refusals that
    /// name the owner; an entry without one is "another pool".
    public var otherPoolNames: [RecordedAddress: String]

    private struct AddressKey: Hashable {
        var link: String
        var prefix: IPPrefix
    }

    private static func byAddress(_ entries: [RecordedAddress]) -> [AddressKey: [RecordedAddress]] {
        Dictionary(grouping: entries) { AddressKey(link: $0.link, prefix: $0.prefix) }
    }

    /// The entries of `index` for `address` (on its link).
    private static func entries(_ index: [AddressKey: [RecordedAddress]], _ address: AddressState) -> [RecordedAddress] {
        index[AddressKey(link: address.link, prefix: address.prefix)] ?? []
    }

    public init(mode: AddressOwnershipMode = .kernelMark, recorded: [RecordedAddress]? = nil, otherPools: [RecordedAddress] = [],
                otherPoolNames: [RecordedAddress: String] = [:]) {
        self.mode = mode
        self.recorded = recorded
        self.otherPools = otherPools
        self.otherPoolNames = otherPoolNames
        recordedByAddress = recorded.map(Self.byAddress)
        otherPoolsByAddress = Self.byAddress(otherPools)
    }

    enum CodingKeys: String, CodingKey { case mode, recorded, otherPools = "other_pools" }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        mode = try c.decodeIfPresent(AddressOwnershipMode.self, forKey: .mode) ?? .kernelMark
        recorded = try c.decodeIfPresent([RecordedAddress].self, forKey: .recorded)
        otherPools = try c.decodeIfPresent([RecordedAddress].self, forKey: .otherPools) ?? []
        otherPoolNames = [:]  // the record names them; a state read back from JSON has none
        recordedByAddress = recorded.map(Self.byAddress)
        otherPoolsByAddress = Self.byAddress(otherPools)
    }

    /// Whether `address` (on `link`) is the pool's. `poolLink`: the pool created or marked the link,
    /// or its file declares it (used only to migrate when the pool has no record yet).
    public func isPools(_ address: AddressState, on link: LinkState, poolLink: Bool) -> Bool {
        let recorded = recordedByAddress.map { Self.entries($0, address) }
        switch mode {
        case .kernelMark:
            guard address.proto == Ownership.addressProtocol else {
                return recorded?.contains { $0.adopted && $0.ifindex == link.index } ?? false
            }
            if let recorded { return !recorded.isEmpty }
            return poolLink && Self.entries(otherPoolsByAddress, address).isEmpty
        case .record:
            return recorded?.contains { $0.ifindex == link.index } ?? false
        }
    }

    /// Whether another pool owns `address`: its record holds it (with poolnet's protocol on the
    /// address, where the kernel keeps it; with the link's ifindex, where the record alone decides).
    public func isOtherPools(_ address: AddressState, on link: LinkState) -> Bool {
        otherPoolsEntry(address, on: link) != nil
    }

    /// The name of the pool whose record owns `address` (see `isOtherPools`); nil when no other
    /// pool owns it, or the entry came without its pool.
    public func otherPoolName(_ address: AddressState, on link: LinkState) -> String? {
        otherPoolsEntry(address, on: link).flatMap { otherPoolNames[$0] }
    }

    /// The entry of another pool that owns `address`: with poolnet's protocol on the address where
    /// the kernel keeps it (an adopted entry without), with the link's ifindex where the record
    /// alone decides.
    private func otherPoolsEntry(_ address: AddressState, on link: LinkState) -> RecordedAddress? {
        let others = Self.entries(otherPoolsByAddress, address)
        switch mode {
        case .kernelMark:
            if address.proto != Ownership.addressProtocol {
                return others.first { $0.adopted && $0.ifindex == link.index }
            }
            return others.first
        case .record:
            return others.first { $0.ifindex == link.index }
        }
    }
}

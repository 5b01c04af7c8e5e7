/// How the kernel holds one address besides its protocol: what a re-mark (RTM_NEWADDR with
/// NLM_F_REPLACE) must send back unchanged, since the kernel resets the lifetimes and the route
/// metric (and, for IPv6, the flags) to what the request says.
public struct AddressDetails: Hashable, Codable, Sendable {
    /// IFA_FLAGS (the header's 8 bits when the attribute is absent), e.g. IFA_F_PERMANENT 0x80.
    public var flags: UInt32
    /// IFA_CACHEINFO: seconds left; 0xFFFFFFFF is "forever".
    public var validLifetime: UInt32
    public var preferredLifetime: UInt32
    /// The header's scope (0 global, 253 link, 254 host).
    public var scope: UInt8
    /// IFA_BROADCAST, IPv4 only.
    public var broadcast: String?
    /// IFA_LABEL, IPv4 only (e.g. `br0:1`).
    public var label: String?
    /// IFA_RT_PRIORITY: the metric of the prefix route; nil when not set.
    public var metric: UInt32?
    /// IFA_ADDRESS when it differs from IFA_LOCAL (a point-to-point peer); the kernel matches
    /// the address it replaces by both.
    public var peer: String?

    public static let forever: UInt32 = 0xFFFF_FFFF

    public init(flags: UInt32 = 0x80, validLifetime: UInt32 = forever, preferredLifetime: UInt32 = forever, scope: UInt8 = 0,
                broadcast: String? = nil, label: String? = nil, metric: UInt32? = nil, peer: String? = nil) {
        self.flags = flags
        self.validLifetime = validLifetime
        self.preferredLifetime = preferredLifetime
        self.scope = scope
        self.broadcast = broadcast
        self.label = label
        self.metric = metric
        self.peer = peer
    }

    enum CodingKeys: String, CodingKey {
        case flags, validLifetime = "valid_lft", preferredLifetime = "preferred_lft", scope, broadcast, label, metric, peer
    }
}

/// `apply --adopt` for one address that exists without this pool's mark, or its inverse. The
/// pool's ownership record gains (or loses) the address; where the kernel keeps IFA_PROTO its
/// protocol also becomes `proto`, by a replace that sends `details` back as read, so that nothing
/// else about the address changes.
public struct AddressMark: Hashable, Codable, Sendable {
    public var link: String
    public var prefix: IPPrefix
    /// The protocol after this step; equal to `previous` when only the record changes (a kernel
    /// that drops IFA_PROTO, or an address that already carries poolnet's protocol).
    public var proto: UInt8
    public var previous: UInt8
    /// true: the address becomes the pool's (adopt); false: it stops being (the inverse).
    public var owned: Bool
    public var details: AddressDetails

    public init(link: String, prefix: IPPrefix, proto: UInt8, previous: UInt8, owned: Bool, details: AddressDetails) {
        self.link = link
        self.prefix = prefix
        self.proto = proto
        self.previous = previous
        self.owned = owned
        self.details = details
    }

    /// Whether the kernel is written to (else the record alone changes).
    public var remarks: Bool { proto != previous }

    public var inverse: AddressMark {
        AddressMark(link: link, prefix: prefix, proto: previous, previous: proto, owned: !owned, details: details)
    }
}

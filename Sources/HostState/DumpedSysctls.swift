/// A link's per-device sysctls as its link dump message carried them: the kernel sends every
/// device's IPv4 and IPv6 devconf (IFLA_AF_SPEC) with the link, the same values its
/// `net/<family>/conf/<link>/` files show. Reading them there costs nothing more than the dump
/// poolnet does anyway, where reading the files cost one open per key (3,000 for 1,000 storage
/// NICs). Only the names below; the others, and `all` and `default`, are read from the files.
public struct DumpedSysctls: Hashable, Sendable {
    /// The IPv4 names the dump answers for, in the order of `ipv4`: every per-device IPv4 key
    /// poolnet manages (storage layouts, overrides, promote_secondaries, import).
    public static let ipv4Names = ["arp_announce", "arp_filter", "arp_ignore", "promote_secondaries", "rp_filter"]
    /// The IPv6 names, in the order of `ipv6`: those of the storage NICs' IPv6 modes.
    public static let ipv6Names = ["accept_ra", "autoconf", "disable_ipv6"]

    /// Values in the order of `ipv4Names`; nil when the message had no IPv4 devconf (the device
    /// has no IPv4 state: an MTU under 68).
    public var ipv4: [Int32]?
    /// Values in the order of `ipv6Names`; nil when the message had no IPv6 devconf (IPv6 off in
    /// the kernel, or an MTU under 1280). `disable_ipv6` = 1 still sends it.
    public var ipv6: [Int32]?

    public init(ipv4: [Int32]? = nil, ipv6: [Int32]? = nil) {
        self.ipv4 = ipv4
        self.ipv6 = ipv6
    }

    public enum Answer: Equatable {
        case value(Int)
        /// The dump does not carry this key (a name it does not map, or no devconf of the
        /// family in the message): read the file.
        case notInDump
    }

    /// `key`'s value (key.link is this link's name).
    public func answer(_ key: SysctlKey) -> Answer {
        let (names, values) = key.family == .ipv4 ? (Self.ipv4Names, ipv4) : (Self.ipv6Names, ipv6)
        guard let values, let slot = names.firstIndex(of: key.name), slot < values.count else { return .notInDump }
        return .value(Int(values[slot]))
    }
}

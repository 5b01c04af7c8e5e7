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

    /// The values of `ipv4Names`, then of `ipv6Names`, inline: a link's copy costs no
    /// reference counting (links are copied often, thousands of them per read).
    private var values = SIMD8<Int32>()
    /// Whether the message had the family's devconf: none for IPv4 when the device has no IPv4
    /// state (an MTU under 68), none for IPv6 when IPv6 is off in the kernel or the device's
    /// MTU is under 1280 (`disable_ipv6` = 1 still sends it).
    public private(set) var hasIPv4 = false
    public private(set) var hasIPv6 = false

    public init() {}

    /// Values in the order of the family's names; nil: the message had none.
    public init(ipv4: [Int32]?, ipv6: [Int32]? = nil) {
        if let ipv4 { set(.ipv4) { ipv4[$0] } }
        if let ipv6 { set(.ipv6) { ipv6[$0] } }
    }

    /// Sets the family's values: `value(i)` is that of the family's i-th name.
    public mutating func set(_ family: SysctlKey.Family, _ value: (Int) -> Int32) {
        let (first, count) = Self.slots(family)
        for i in 0..<count { values[first + i] = value(i) }
        if family == .ipv4 { hasIPv4 = true } else { hasIPv6 = true }
    }

    /// Values in the order of `ipv4Names`; nil when the message had no IPv4 devconf.
    public var ipv4: [Int32]? { hasIPv4 ? (0..<Self.ipv4Names.count).map { values[$0] } : nil }
    /// Values in the order of `ipv6Names`; nil when the message had no IPv6 devconf.
    public var ipv6: [Int32]? { hasIPv6 ? (0..<Self.ipv6Names.count).map { values[Self.ipv4Names.count + $0] } : nil }

    /// Where the family's values start in `values`, and how many.
    static func slots(_ family: SysctlKey.Family) -> (first: Int, count: Int) {
        family == .ipv4 ? (0, ipv4Names.count) : (ipv4Names.count, ipv6Names.count)
    }

    public enum Answer: Equatable {
        case value(Int)
        /// The dump does not carry this key (a name it does not map, or no devconf of the
        /// family in the message): read the file.
        case notInDump
    }

    /// `key`'s value (key.link is this link's name).
    public func answer(_ key: SysctlKey) -> Answer {
        let (names, present) = key.family == .ipv4 ? (Self.ipv4Names, hasIPv4) : (Self.ipv6Names, hasIPv6)
        guard present, let slot = names.firstIndex(of: key.name) else { return .notInDump }
        return .value(Int(values[Self.slots(key.family).first + slot]))
    }
}

/// A value carried along with another without taking part in its equality or hash. A link's
/// dumped sysctls are read along with it, not what identifies it or a step on it: an apply's
/// hand-over re-plans and compares steps by value, and a devconf value a manager changed meanwhile
/// must not turn `deleteLink(x)` into a second, differently journalled step.
public struct ReadAlong<Value: Sendable>: Hashable, Sendable {
    public var value: Value
    public init(_ value: Value) { self.value = value }
    public static func == (a: Self, b: Self) -> Bool { true }
    public func hash(into hasher: inout Hasher) {}
}

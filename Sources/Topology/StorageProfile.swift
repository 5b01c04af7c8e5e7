import HostState

/// How the storage NICs share subnets (storage-domain.md §1).
public enum StorageLayout: String, Sendable, CaseIterable {
    /// One subnet (or VLAN) per path: routing picks the NIC.
    case perPathSubnet = "per-path-subnet"
    /// All storage NICs in one subnet: needs ARP and reverse-path settings per NIC.
    case sharedSubnet = "shared-subnet"

    /// The per-NIC IPv4 sysctls of the layout. rp_filter 2 (loose) on both: open-iscsi's iface
    /// binding needs 0 or 2. ARP flux only happens with several NICs in one subnet.
    public var sysctls: [String: Int] {
        switch self {
        case .perPathSubnet: return Self.perPathSubnetSysctls
        case .sharedSubnet: return Self.sharedSubnetSysctls
        }
    }

    // Built once, not per NIC and host (a dictionary literal each time).
    private static let perPathSubnetSysctls = ["rp_filter": 2]
    private static let sharedSubnetSysctls = ["arp_ignore": 1, "arp_announce": 2, "rp_filter": 2]
}

/// IPv6 on a storage NIC.
public enum IPv6Mode: String, Sendable, CaseIterable {
    case on, off
    case noAutoconf = "no-autoconf"

    var sysctls: [String: Int] {
        switch self {
        case .on: return Self.onSysctls
        case .off: return Self.offSysctls
        case .noAutoconf: return Self.noAutoconfSysctls
        }
    }

    private static let onSysctls = ["disable_ipv6": 0]
    private static let offSysctls = ["disable_ipv6": 1]
    private static let noAutoconfSysctls = ["disable_ipv6": 0, "accept_ra": 0, "autoconf": 0]
}

/// IPv4 keys whose effective value is max(conf/all, conf/<nic>).
public let maxOfAllSysctls: Set<String> = ["arp_ignore", "arp_announce", "rp_filter"]
/// Per-NIC IPv4 keys a file may set by hand.
let overridableSysctls: [String: ClosedRange<Int>] = ["arp_ignore": 0...8, "arp_announce": 0...2, "rp_filter": 0...2, "arp_filter": 0...1]

extension HostResolver {
    /// The sysctls a storage NIC gets: the layout's profile, the IPv6 mode, then explicit overrides.
    /// Every bad setting is reported, not only the first.
    func storageSysctls(nic: String, layout: StorageLayout, ipv6: YNode?, overrides: YNode?, addresses: [DesiredAddress]) throws -> [SysctlKey: Int] {
        var result = [SysctlKey: Int](minimumCapacity: 8)  // at most 7 keys: no growing
        let problems = ErrorSink()
        for (name, value) in layout.sysctls { result[SysctlKey(.ipv4, nic, name)] = value }
        problems.collect {
            guard let text = try string(ipv6, "ipv6") else { return }
            guard let mode = IPv6Mode(rawValue: text) else {
                throw fail("ipv6 must be on, off or no-autoconf, found \"\(text)\"", at: try select(ipv6)!)
            }
            if mode == .off, addresses.contains(where: { $0.prefix.family == .ipv6 }) {
                throw fail("ipv6: off, but the NIC lists IPv6 addresses", at: try select(ipv6)!)
            }
            for (name, value) in mode.sysctls { result[SysctlKey(.ipv6, nic, name)] = value }
        }
        problems.collect {
            guard let n = try select(overrides) else { return }
            let r = try MappingReader(n, what: "sysctls")
            for key in r.keys {
                problems.collect {
                    guard let range = overridableSysctls[key] else {
                        throw fail("sysctls: \"\(key)\" is not one poolnet sets (\(overridableSysctls.keys.sorted().joined(separator: ", ")))", at: r.keyNode(key)!)
                    }
                    guard let value = try int(r.optional(key), key), range.contains(value) else {
                        let found = r.optional(key)?.scalar.map { ", found \($0.string)" } ?? ""
                        throw fail("sysctls: \(key) must be \(range.lowerBound)–\(range.upperBound)\(found)", at: r.keyNode(key)!)
                    }
                    result[SysctlKey(.ipv4, nic, key)] = value
                }
            }
        }
        return try problems.finish(result)
    }
}

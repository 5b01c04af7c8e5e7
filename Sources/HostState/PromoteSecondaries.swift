/// With `promote_secondaries` off (the default), deleting the primary IPv4 address of a subnet
/// makes the kernel delete every secondary address of that subnet with it. The kernel's test is
/// max(conf/all, conf/LINK).
public enum PromoteSecondaries {
    public static func key(_ link: String) -> SysctlKey { SysctlKey(.ipv4, link, "promote_secondaries") }

    /// Whether two IPv4 addresses are in one subnet as the kernel counts it (same mask, same network).
    public static func sameSubnet(_ a: IPPrefix, _ b: IPPrefix) -> Bool {
        a.family == .ipv4 && b.family == .ipv4 && a.prefixLength == b.prefixLength && a.network == b.network
    }
}

extension CurrentState {
    /// The promote_secondaries keys a plan may need: those of the links that hold two or more IPv4
    /// addresses in one subnet, and `all` when there is any (cheap: nothing for other links).
    public var promoteSecondariesKeysToRead: [SysctlKey] {
        var links = Set<String>()
        for (link, list) in addressesByLink() {
            // A link with one IPv4 address or none has no secondary; two (a storage NIC's usual)
            // are compared as they are: a set per link was ~2 % of a storage host's apply.
            var networks: [IPPrefix] = []
            for address in list where address.prefix.family == .ipv4 { networks.append(address.prefix.network) }
            guard networks.count > 1 else { continue }
            let shared = networks.count == 2 ? networks[0] == networks[1] : Set(networks).count < networks.count
            if shared { links.insert(link) }
        }
        guard !links.isEmpty else { return [] }
        return ([PromoteSecondaries.key("all")] + links.sorted().map(PromoteSecondaries.key))
    }
}

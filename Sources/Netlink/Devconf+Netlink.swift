import CMnl
import HostState
#if canImport(Glibc)
import Glibc
#endif

/// The per-device sysctls of a link message's IFLA_AF_SPEC: AF_INET's IFLA_INET_CONF (u32 per
/// IPV4_DEVCONF_*, from index IPV4_DEVCONF_* − 1) and AF_INET6's IFLA_INET6_CONF (s32 per
/// DEVCONF_*, from index 0), the arrays the kernel copies from the same fields its
/// `net/ipv4/conf/<link>/` and `net/ipv6/conf/<link>/` files print.
enum Devconf {
    /// Array slots of `DumpedSysctls.ipv4Names`, in that order.
    static let ipv4Slots: [Int] = DumpedSysctls.ipv4Names.map { ipv4Index($0)! - 1 }
    /// Array slots of `DumpedSysctls.ipv6Names`, in that order.
    static let ipv6Slots: [Int] = DumpedSysctls.ipv6Names.map { ipv6Index($0)! }

    /// IPV4_DEVCONF_* of a sysctl name (nil: not one the dump is read for).
    static func ipv4Index(_ name: String) -> Int? {
        switch name {
        case "arp_announce": Int(IPV4_DEVCONF_ARP_ANNOUNCE)
        case "arp_filter": Int(IPV4_DEVCONF_ARPFILTER)
        case "arp_ignore": Int(IPV4_DEVCONF_ARP_IGNORE)
        case "promote_secondaries": Int(IPV4_DEVCONF_PROMOTE_SECONDARIES)
        case "rp_filter": Int(IPV4_DEVCONF_RP_FILTER)
        default: nil
        }
    }

    /// DEVCONF_* of an IPv6 sysctl name (nil: not one the dump is read for).
    static func ipv6Index(_ name: String) -> Int? {
        switch name {
        case "accept_ra": Int(DEVCONF_ACCEPT_RA)
        case "autoconf": Int(DEVCONF_AUTOCONF)
        case "disable_ipv6": Int(DEVCONF_DISABLE_IPV6)
        default: nil
        }
    }

    /// The mapped values of an IFLA_AF_SPEC attribute. A family without its conf array stays nil
    /// (the caller reads that family's files); an array too short for a slot, too.
    static func sysctls(afSpec: Attributes.Attribute) -> DumpedSysctls {
        var result = DumpedSysctls()
        for family in afSpec.nested {
            switch Int32(family.type) {
            case AF_INET:
                guard let conf = family.nested.first(Int(IFLA_INET_CONF)) else { continue }
                fill(&result, .ipv4, from: conf.payload, at: ipv4Slots)
            case AF_INET6:
                guard let conf = family.nested.first(Int(IFLA_INET6_CONF)) else { continue }
                fill(&result, .ipv6, from: conf.payload, at: ipv6Slots)
            default: continue
            }
        }
        return result
    }

    /// Sets `family`'s values from the 32-bit values at `slots` of an array of them; leaves the
    /// family unset when a slot lies past its end (a kernel older than the key: the caller reads
    /// the files).
    static func fill(_ result: inout DumpedSysctls, _ family: SysctlKey.Family, from array: UnsafeRawBufferPointer, at slots: [Int]) {
        for slot in slots where (slot + 1) * 4 > array.count { return }
        result.set(family) { array.loadUnaligned(fromByteOffset: slots[$0] * 4, as: Int32.self) }
    }
}

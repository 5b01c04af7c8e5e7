import HostState
import Planner

/// The safety net under "nothing foreign lost": after an apply, every address that was there
/// before must still be there unless the plan removed it or deleted its link. Deleting an IPv4
/// address can take others with it (the kernel deletes a subnet's secondaries with its primary
/// when promote_secondaries is off); the planner prevents that, this proves it.
enum LostAddresses {
    static func find(before: CurrentState, after: CurrentState, changes: [Change]) -> [AddressState] {
        var bonds = Set(before.links.filter { $0.kind == .bond }.map(\.name))
        for change in changes { if case .createLink(let n) = change.action, n.kind == .bond { bonds.insert(n.name) } }
        var removed = Set<LinkAddress>()
        var goneLinks = Set<String>()
        var noIPv6 = Set<String>()
        for change in changes {
            switch change.action {
            case let .removeAddress(link, prefix, _): removed.insert(LinkAddress(link: link, prefix: prefix))
            case .deleteLink(let link): goneLinks.insert(link.name)
            // The kernel drops IPv6 addresses of a link that goes down, and a bond's members lose theirs.
            case .setUp(let link, false): goneLinks.insert(link)
            case .setMaster(let link, let master?, _) where bonds.contains(master):
                goneLinks.insert(link)
            // IPv6 turned off on a link takes its IPv6 addresses, as the file asks.
            case let .setSysctl(key, 1, _) where key.family == .ipv6 && key.name == "disable_ipv6": noIPv6.insert(key.link)
            default: break
            }
        }
        // Keyed as they are: spelling out "link prefix" for the 3,000 addresses of a storage host
        // read before and after took ~1 ms of every apply.
        let present = Set(after.addresses.map { LinkAddress(link: $0.link, prefix: $0.prefix) })
        return before.addresses.filter { address in
            let key = LinkAddress(link: address.link, prefix: address.prefix)
            // Link-local IPv6 addresses are the kernel's own (they follow the link, not a plan step).
            let linkLocal = address.prefix.family == .ipv6 && address.prefix.bytes[0] == 0xfe && address.prefix.bytes[1] & 0xc0 == 0x80
            let ipv6Off = address.prefix.family == .ipv6 && noIPv6.contains(address.link)
            return !linkLocal && !ipv6Off && !removed.contains(key) && !goneLinks.contains(address.link) && !present.contains(key)
        }
    }
}

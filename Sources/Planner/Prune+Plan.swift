import HostState
import Topology

extension PlanBuilder {
    /// Removes what poolnet created and the file no longer declares; never touches anything else.
    mutating func planPrune() {
        let wantedAddresses = Dictionary(grouping: desired.allAddresses, by: \.link)
            .mapValues { Set($0.map(\.address.prefix)) }
        let deleted = current.links.filter { prunedLinks.contains($0.name) }

        for link in current.links {
            let depth = stackDepth(link.kind)
            // A port poolnet enslaved that the file dropped, or any port of a bridge being deleted
            // (released explicitly so that rollback can put it back).
            if let master = link.master {
                let markedAndDropped = link.alias == portAlias && declaredPorts[link.name] == nil
                if markedAndDropped || prunedLinks.contains(master) {
                    add(.releasePorts, .setMaster(link: link.name, master: nil, previous: master), depth: depth, disruptive: true)
                }
            }
            if link.alias == portAlias && declaredPorts[link.name] == nil {
                add(.releasePorts, .setAlias(link: link.name, alias: nil, previous: link.alias), depth: depth)
            }
            // Addresses poolnet added (IFA_PROTO mark) that the file no longer declares on this link.
            for address in addresses[link.name] ?? [] where address.proto == Ownership.addressProtocol {
                if !(wantedAddresses[link.name]?.contains(address.prefix) ?? false) {
                    add(.removeAddresses, .removeAddress(link: link.name, prefix: address.prefix, proto: address.proto),
                        depth: depth, disruptive: true)
                }
            }
        }
        for link in deleted {
            add(.deleteLinks, .deleteLink(link), depth: stackDepth(link.kind), disruptive: true)
        }
    }
}

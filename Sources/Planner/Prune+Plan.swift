import HostState
import Topology

extension PlanBuilder {
    /// Removes what poolnet created and the file no longer declares; never touches anything else.
    mutating func planPrune() {
        // One set of (link, prefix) pairs: a set per link was 1,000 small sets on a storage host.
        var wantedAddresses = Set<LinkAddress>()
        for nic in desired.nics { for address in nic.addresses { wantedAddresses.insert(LinkAddress(link: nic.name, prefix: address.prefix)) } }
        for bridge in desired.bridges { for address in bridge.addresses { wantedAddresses.insert(LinkAddress(link: bridge.name, prefix: address.prefix)) } }
        let deleted = current.links.filter { prunedLinks.contains($0.name) }

        for link in current.links where replaced[link.name] == nil {
            let depth = stackDepth(link.kind)
            // A port poolnet enslaved that the file dropped, or any port of a bridge being deleted
            // (released explicitly so that rollback can put it back).
            if let master = link.master {
                // Ports poolnet enslaved carry its port mark; devices it created carry its link mark.
                let markedAndDropped = (link.alias == portAlias || owned(link)) && declaredPorts[link.name] == nil
                if markedAndDropped || prunedLinks.contains(master) || replaced[master] != nil {
                    add(.releasePorts, .setMaster(link: link.name, master: nil, previous: master), depth: depth, disruptive: true)
                }
            }
            if link.alias == portAlias && declaredPorts[link.name] == nil {
                add(.releasePorts, .setAlias(link: link.name, alias: nil, previous: link.alias), depth: depth)
            }
            // Addresses this pool added (its record, and the IFA_PROTO mark where the kernel keeps
            // it) that the file no longer declares on this link.
            for address in addresses[link.name] ?? [] where ownsAddress(address, on: link) {
                if !wantedAddresses.contains(LinkAddress(link: link.name, prefix: address.prefix)) {
                    add(.removeAddresses, .removeAddress(link: link.name, prefix: address.prefix, proto: address.proto),
                        depth: depth, disruptive: true)
                }
            }
        }
        for link in deleted {
            if let remotes = link.vxlan?.remotes, !remotes.isEmpty {
                add(.releasePorts, .setVXLANRemotes(link: link.name, remotes: [], previous: remotes), depth: stackDepth(link.kind), disruptive: true)
            }
            add(.deleteLinks, .deleteLink(link), depth: liveDepth(link), disruptive: true,
                reason: "created by poolnet, no longer in the file")
        }
    }

    /// Takes apart links that must be created again, step by step, so that rollback can put back
    /// their master and every address; the create comes with the kind's own planning.
    mutating func planReplacements() {
        for link in replaced.values.sorted(by: { $0.name < $1.name }) {
            let depth = liveDepth(link)
            if let master = link.master {
                add(.releasePorts, .setMaster(link: link.name, master: nil, previous: master), depth: depth, disruptive: true)
            }
            for address in addresses[link.name] ?? [] {
                add(.removeAddresses, .removeAddress(link: link.name, prefix: address.prefix, proto: address.proto),
                    depth: depth, disruptive: true)
            }
            if let remotes = link.vxlan?.remotes, !remotes.isEmpty {
                add(.releasePorts, .setVXLANRemotes(link: link.name, remotes: [], previous: remotes), depth: depth, disruptive: true)
            }
            add(.deleteLinks, .deleteLink(link), depth: depth, disruptive: true, reason: replacementReason(link))
        }
    }
}

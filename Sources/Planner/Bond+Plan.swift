import HostState
import Topology

extension PlanBuilder {
    /// Bonds: created with their mode and options; members are taken down, enslaved (the kernel
    /// brings them up at the bond's MTU) and released in place; a mode or lacp_rate change replaces
    /// the bond (planned by `planReplacements`).
    mutating func planBonds() {
        let depth = stackDepth(.bond)
        let roles = Dictionary(desired.nics.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for bond in desired.bonds {
            let mtu = bond.mtu ?? roles[bond.name]?.mtu
            var base = bond.options
            base.primary = nil  // the primary must be a member, so it is set after enslaving
            var current: BondOptions
            if let link = live(bond.name) {
                guard link.kind == .bond else {
                    problem("bond \(bond.name)", "a \(link.kind) device named \(bond.name) exists and was not created by poolnet; rename one of them")
                    continue
                }
                current = link.bond ?? base
                planMTU(link, to: mtu, depth: depth)
                var wanted = current
                wanted.miimon = base.miimon
                wanted.xmitHashPolicy = base.xmitHashPolicy
                if wanted != current {
                    add(.linkOptions, .setBondOptions(link: link.name, options: wanted, previous: current), depth: depth)
                    current = wanted
                }
                planUp(link, depth: depth)
            } else {
                let wantsIPv6 = roles[bond.name]?.addresses.contains { $0.prefix.family == .ipv6 } ?? false
                create(NewLink(name: bond.name, kind: .bond, mtu: mtu, alias: linkAlias, up: true, bond: base, ipv6LinkLocal: wantsIPv6),
                       depth: depth, disruptive: replaced[bond.name] != nil, reason: replaced[bond.name].map(replacementReason))
                current = base
            }
            planMembers(of: bond, mtu: mtu)
            if current.primary != bond.options.primary {
                var wanted = current
                wanted.primary = bond.options.primary
                add(.memberOptions, .setBondOptions(link: bond.name, options: wanted, previous: current), depth: depth)
            }
        }
    }

    /// The member's MTU is set explicitly before enslaving: the kernel would set it anyway, but
    /// restores the enslave-time MTU on release, so only an explicit step rolls back exactly.
    mutating func planMembers(of bond: DesiredBond, mtu: UInt32?) {
        let declared = Set(bond.members)
        // Members the file dropped leave the bond (the kernel takes them down).
        if replaced[bond.name] == nil {
            for link in current.links where link.master == bond.name && !declared.contains(link.name) {
                add(.releasePorts, .setMaster(link: link.name, master: nil, previous: bond.name), depth: 0, disruptive: true)
            }
        }
        for name in bond.members {
            guard let member = live(name) else {
                problem("bond \(bond.name)", "member \(name) is not present on host \(desired.host)")
                continue
            }
            let master = liveMaster(member)
            if master == bond.name {
                planMTU(member, to: mtu, depth: 0)
                planUp(member, depth: 0)
                continue
            }
            planMTU(member, to: mtu, depth: 0)
            // The kernel enslaves only a member that is down, then brings it up itself. Releasing a
            // member from a bond (one being replaced) takes it down already.
            let closedByRelease = member.master.map { links[$0]?.kind == .bond } ?? false
            if member.up && !closedByRelease { add(.memberDown, .setUp(link: name, up: false), depth: 0, disruptive: true) }
            add(.enslave, .setMaster(link: name, master: bond.name, previous: master), depth: 0, disruptive: master != nil)
        }
    }
}

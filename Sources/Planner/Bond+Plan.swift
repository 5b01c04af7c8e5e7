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
                create(NewLink(name: bond.name, options: bond.linkOptions, mtu: mtu, alias: linkAlias, up: true, ipv6LinkLocal: wantsIPv6),
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

/// The planner's code for bonds (see `PlannedLinkKind`).
enum BondKind: PlannedLinkKind {
    static let stackDepth = 1

    static func plan(_ builder: inout PlanBuilder) { builder.planBonds() }

    static func optionDetails(_ options: LinkOptions) -> [String] { options.bond.map { [$0.summary] } ?? [] }

    static func replacementReason(_ link: LinkState, desired: DesiredState) -> String? {
        guard let bond = desired.bonds.first(where: { $0.name == link.name }) else { return nil }
        if link.kind != .bond { return "replaced: a \(link.kind) becomes a bond" }
        if link.bond?.mode != bond.options.mode {
            return "replaced: mode \(link.bond.map { $0.mode.description } ?? "?") → \(bond.options.mode)"
        }
        return "replaced: lacp_rate \(link.bond?.lacpFast == true ? "fast" : "slow") → \(bond.options.lacpFast ? "fast" : "slow")"
    }
}

extension BondOptions {
    /// Only what differs, e.g. `miimon 100 → 200`. A primary set where there was none says no
    /// "from": a bond created by the same plan gets its primary after its members join.
    func changes(from previous: BondOptions) -> String {
        var parts: [String] = []
        if mode != previous.mode { parts.append("mode \(previous.mode) → \(mode)") }
        if miimon != previous.miimon { parts.append("miimon \(previous.miimon) → \(miimon)") }
        if lacpFast != previous.lacpFast { parts.append("lacp_rate \(previous.lacpFast ? "fast" : "slow") → \(lacpFast ? "fast" : "slow")") }
        if xmitHashPolicy != previous.xmitHashPolicy { parts.append("xmit_hash_policy \(previous.xmitHashPolicy) → \(xmitHashPolicy)") }
        if primary != previous.primary {
            parts.append(previous.primary.map { "primary \($0) → \(primary ?? "none")" } ?? "primary \(primary!)")
        }
        return parts.joined(separator: ", ")
    }

    /// `mode 802.3ad, miimon 100, lacp_rate fast, xmit_hash_policy layer3+4, primary eth1`
    public var summary: String {
        var parts = ["mode \(mode)", "miimon \(miimon)"]
        if mode == .lacp { parts.append("lacp_rate \(lacpFast ? "fast" : "slow")") }
        if mode.hashes { parts.append("xmit_hash_policy \(xmitHashPolicy)") }
        if let primary { parts.append("primary \(primary)") }
        return parts.joined(separator: ", ")
    }
}

extension DesiredBond: PlannableLink {
    typealias Planned = BondKind

    var diffProperties: [(name: String, value: String)] {
        let o = options
        var p: [(name: String, value: String)] = [("mode", o.mode.description), ("members", diffList(members))]
        p += diffMTU(mtu)
        p.append(("miimon", String(o.miimon)))
        if o.mode == .lacp { p.append(("lacp_rate", o.lacpFast ? "fast" : "slow")) }
        if o.mode.hashes { p.append(("xmit_hash_policy", o.xmitHashPolicy.description)) }
        if let primary = o.primary { p.append(("primary", primary)) }
        return p
    }
}

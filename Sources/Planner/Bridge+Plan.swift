import HostState
import Topology

extension PlanBuilder {
    mutating func planBridges() {
        let depth = stackDepth(.bridge)
        for bridge in desired.bridges {
            var options = bridge.options
            // VLANs a new bridge and a newly enslaved port start with (the kernel's default PVID).
            var startingVLANs = [BridgeVLAN(vid: 1, pvid: true, untagged: true)]
            if let link = live(bridge.name), link.kind == .bridge {
                planMTU(link, to: bridge.mtu, depth: depth)
                let now = link.bridge ?? BridgeOptions(stp: false)
                options.defaultPVID = now.defaultPVID
                startingVLANs = now.defaultPVID == 0 ? [] : [BridgeVLAN(vid: now.defaultPVID, pvid: true, untagged: true)]
                if !now.sameManaged(as: options) {
                    add(.linkOptions, .setBridgeOptions(link: link.name, options: options, previous: now), depth: depth)
                }
                if let wanted = bridge.selfVLANs, let have = link.bridgeVLANs, have.sorted() != wanted {
                    add(.portVLANs, .setBridgeVLANs(link: link.name, vlans: wanted, previous: have.sorted()), depth: depth)
                }
                planUp(link, depth: depth)
            } else if let link = live(bridge.name) {
                problem("bridge \(bridge.name)", "a \(link.kind) device named \(bridge.name) exists and was not created by poolnet; rename one of them")
                continue
            } else {
                create(newBridge(bridge), depth: depth, disruptive: replaced[bridge.name] != nil,
                       reason: replaced[bridge.name].map(replacementReason))
                if let wanted = bridge.selfVLANs, wanted != startingVLANs {
                    add(.portVLANs, .setBridgeVLANs(link: bridge.name, vlans: wanted, previous: startingVLANs), depth: depth)
                }
            }
            planPorts(of: bridge, startingVLANs: startingVLANs)
            planAddresses(bridge.name, bridge.addresses, depth: depth)
        }
    }

    func newBridge(_ bridge: DesiredBridge) -> NewLink {
        NewLink(name: bridge.name, options: bridge.linkOptions, mtu: bridge.mtu, alias: linkAlias, up: true,
                ipv6LinkLocal: bridge.addresses.contains { $0.prefix.family == .ipv6 })
    }

    /// Declared ports carry the bridge's MTU, are up and enslaved; ports the hypervisor attached
    /// (guest vifs, taps) are not declared and are left alone.
    mutating func planPorts(of bridge: DesiredBridge, startingVLANs: [BridgeVLAN]) {
        for name in bridge.ports {
            guard let port = live(name) else {
                // A port the plan creates (a VLAN) is enslaved after it exists.
                if createdDevices.contains(name) {
                    add(.enslave, .setMaster(link: name, master: bridge.name, previous: nil), depth: 0)
                    planPortVLANs(name, of: bridge, have: startingVLANs)
                } else {
                    problem("bridge \(bridge.name)", "port \(name) is not present on host \(desired.host)")
                }
                continue
            }
            let depth = stackDepth(port.kind)
            planMTU(port, to: bridge.mtu, depth: depth)
            // A port of a pruned or replaced bridge was released by the prune pass already.
            let master = liveMaster(port)
            if master != bridge.name {
                add(.enslave, .setMaster(link: name, master: bridge.name, previous: master), depth: depth,
                    disruptive: master != nil)
                // Right after the enslave, so that both go to the kernel as one request.
                if (port.alias ?? "").isEmpty {
                    add(.enslave, .setAlias(link: name, alias: portAlias, previous: port.alias), depth: depth)
                }
                planPortVLANs(name, of: bridge, have: startingVLANs)
            } else {
                planPortVLANs(name, of: bridge, have: port.bridgeVLANs?.sorted() ?? [])
            }
            planUp(port, depth: depth)
        }
    }
}

extension PlanBuilder {
    /// The exact VLAN set of a port whose entry lists VLANs.
    mutating func planPortVLANs(_ port: String, of bridge: DesiredBridge, have: [BridgeVLAN]) {
        guard let wanted = bridge.portVLANs[port], wanted != have else { return }
        add(.portVLANs, .setBridgeVLANs(link: port, vlans: wanted, previous: have), depth: 0)
    }
}

/// The planner's code for bridges (see `PlannedLinkKind`).
enum BridgeKind: PlannedLinkKind {
    static let stackDepth = 3

    static func plan(_ builder: inout PlanBuilder) { builder.planBridges() }

    static func optionDetails(_ options: LinkOptions) -> [String] {
        guard let b = options.bridge else { return [] }
        return ["stp \(b.stp ? "on" : "off")"] + (b.vlanFiltering ? ["vlan_filtering on"] : [])
    }

    static func replacementReason(_ link: LinkState, desired: DesiredState) -> String? {
        desired.bridges.contains { $0.name == link.name } ? "replaced: a \(link.kind) becomes a bridge" : nil
    }
}

extension DesiredBridge: PlannableLink {
    typealias Planned = BridgeKind

    var diffProperties: [(name: String, value: String)] {
        var p: [(name: String, value: String)] = diffMTU(mtu)
        p.append(("stp", stp ? "on" : "off"))
        if vlanFiltering { p.append(("vlan_filtering", "on")) }
        if let own = selfVLANs { p.append(("vlans", own.summary)) }
        p.append(("ports", diffList(ports)))
        for port in ports { if let vlans = portVLANs[port] { p.append(("port \(port) vlans", vlans.summary)) } }
        p.append(("addresses", diffList(addresses.map(\.prefix.description))))
        return p
    }
}

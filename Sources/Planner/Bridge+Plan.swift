import HostState
import Topology

extension PlanBuilder {
    mutating func planBridges() {
        let depth = stackDepth(.bridge)
        for bridge in desired.bridges {
            let options = BridgeOptions(stp: bridge.stp)
            if let link = live(bridge.name), link.kind == .bridge {
                planMTU(link, to: bridge.mtu, depth: depth)
                let now = link.bridge ?? BridgeOptions(stp: false)
                if now != options {
                    add(.linkOptions, .setBridgeOptions(link: link.name, options: options, previous: now), depth: depth)
                }
                planUp(link, depth: depth)
            } else if let link = live(bridge.name) {
                problem("bridge \(bridge.name)", "a \(link.kind) device named \(bridge.name) exists and was not created by poolnet; rename one of them")
                continue
            } else {
                create(newBridge(bridge, options), depth: depth, disruptive: replaced[bridge.name] != nil,
                       reason: replaced[bridge.name].map(replacementReason))
            }
            planPorts(of: bridge)
            planAddresses(bridge.name, bridge.addresses, depth: depth)
        }
    }

    func newBridge(_ bridge: DesiredBridge, _ options: BridgeOptions) -> NewLink {
        NewLink(name: bridge.name, kind: .bridge, mtu: bridge.mtu, alias: linkAlias, up: true, bridge: options,
                ipv6LinkLocal: bridge.addresses.contains { $0.prefix.family == .ipv6 })
    }

    /// Declared ports carry the bridge's MTU, are up and enslaved; ports the hypervisor attached
    /// (guest vifs, taps) are not declared and are left alone.
    mutating func planPorts(of bridge: DesiredBridge) {
        for name in bridge.ports {
            guard let port = live(name) else {
                // A port the plan creates (a VLAN) is enslaved after it exists.
                if desired.createdDevices.contains(name) {
                    add(.enslave, .setMaster(link: name, master: bridge.name, previous: nil), depth: 0)
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
                if (port.alias ?? "").isEmpty {
                    add(.markPorts, .setAlias(link: name, alias: portAlias, previous: port.alias), depth: depth)
                }
            }
            planUp(port, depth: depth)
        }
    }
}

import HostState
import Planner
import Topology

/// Refuses plans that would cut guests off their network: deleting or re-creating a bridge, or a
/// VLAN, bond or VXLAN that is a port of a bridge, while that bridge has ports the file does not
/// declare and poolnet neither created nor marked (guest vifs and taps the hypervisor attached).
/// `--allow-disruptive` lets such a plan through, as with the management guard.
public struct GuestGuard: Sendable {
    public init() {}

    public struct Refusal: Error, CustomStringConvertible {
        public var reasons: [String]
        public var description: String {
            "refusing to apply: the plan would cut guests off their network\n"
                + reasons.map { "  ! \($0)\n" }.joined()
                + "pass --allow-disruptive if this is intended (move or stop the guests first)"
        }
    }

    /// The ports of `bridge` that are guests': not declared by the file, without a poolnet mark.
    public func guestPorts(of bridge: String, desired: DesiredState, in state: CurrentState) -> [String] {
        let declared = Set(desired.bridges.first { $0.name == bridge }?.ports ?? [])
        return state.links.filter { link in
            link.master == bridge && !declared.contains(link.name) && !(link.alias?.hasPrefix("poolnet:") ?? false)
        }.map(\.name).sorted()
    }

    public func check(_ plan: Plan, desired: DesiredState, against state: CurrentState) throws(Refusal) {
        // Built at the first deletion: most plans delete nothing.
        var byName: [String: LinkState]?
        var reasons: [String] = []
        for change in plan.changes {
            guard case .deleteLink(let link) = change.action else { continue }
            let links = byName ?? state.linksByName()
            byName = links
            let bridge: String
            if link.kind == .bridge {
                bridge = link.name
            } else if let master = link.master, links[master]?.kind == .bridge {
                bridge = master
            } else {
                continue
            }
            let guests = guestPorts(of: bridge, desired: desired, in: state)
            guard !guests.isEmpty else { continue }
            let what = change.reason?.hasPrefix("replaced") == true ? "re-creating" : "deleting"
            if bridge == link.name {
                reasons.append("\(what) bridge \(bridge) detaches its guest ports \(guests.joined(separator: ", "))")
            } else {
                reasons.append("\(what) \(link.kind) \(link.name), a port of bridge \(bridge), cuts its guest ports \(guests.joined(separator: ", ")) off")
            }
        }
        if !reasons.isEmpty { throw Refusal(reasons: reasons) }
    }
}

import HostState
import Topology

/// A declared object that exists without poolnet's mark: matched by `plan`, but never pruned,
/// because poolnet prunes only what carries its mark.
public struct UnownedObject: Hashable, Sendable, CustomStringConvertible {
    public var object: String
    public var link: String
    /// The mark adoption writes: the link mark, or the port mark for an existing device enslaved
    /// to a declared bridge.
    public var mark: String
    public var alias: String?

    public var description: String { object }
}

extension Planner {
    /// The declared objects poolnet does not own on this host (what `apply --adopt` would mark).
    public static func unowned(desired: DesiredState, current: CurrentState) -> [UnownedObject] {
        PlanBuilder(desired: desired, current: current).unowned()
    }
}

extension PlanBuilder {
    /// Declared links that exist as the file describes them but carry no poolnet mark, and
    /// existing devices enslaved to a declared bridge without the port mark. Links marked by
    /// another pool are never taken.
    func unowned() -> [UnownedObject] {
        var result: [UnownedObject] = []
        func foreign(_ alias: String?) -> Bool { (alias ?? "").hasPrefix("poolnet:") }
        func consider(_ kind: String, _ name: String, matches: (LinkState) -> Bool) {
            guard let link = live(name), matches(link), link.alias != linkAlias, !foreign(link.alias) else { return }
            result.append(UnownedObject(object: "\(kind) \(name)", link: name, mark: linkAlias, alias: link.alias))
        }
        for bond in desired.bonds { consider("bond", bond.name) { $0.kind == .bond } }
        for vlan in desired.vlans { consider("vlan", vlan.name) { $0.kind == .vlan && $0.vlanID == vlan.id && $0.link == vlan.link } }
        for vxlan in desired.vxlans {
            consider("vxlan", vxlan.name) { $0.kind == .vxlan && ($0.vxlan.map { $0.sameIdentity(as: vxlan.info) } ?? false) }
        }
        for bridge in desired.bridges { consider("bridge", bridge.name) { $0.kind == .bridge } }
        let created = desired.createdDevices
        for bridge in desired.bridges {
            for name in bridge.ports where !created.contains(name) {
                guard let port = live(name), port.master == bridge.name, port.alias != portAlias, !foreign(port.alias) else { continue }
                result.append(UnownedObject(object: "port \(name) of bridge \(bridge.name)", link: name, mark: portAlias, alias: port.alias))
            }
        }
        return result
    }

    /// `apply --adopt`: each unowned declared object gets poolnet's mark, a step with its inverse
    /// (the alias it had), so that a later removal from the file prunes it like one poolnet made.
    mutating func planAdoption() {
        let links = self.links
        for object in unowned() {
            let depth = links[object.link].map { stackDepth($0.kind) } ?? 0
            add(.linkOptions, .setAlias(link: object.link, alias: object.mark, previous: object.alias), depth: depth,
                reason: "adopt \(object.object): poolnet's from now on, pruned when the file drops it")
        }
    }
}

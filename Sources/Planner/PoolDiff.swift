import HostState
import Topology

/// `poolnet diff OLD NEW`: what a change of the pool file does to each host's desired state,
/// without reading or touching any host. Recreations come from the planner itself: the new file
/// is planned against the state the old one converges to, so the replacement rules (a bond's mode,
/// a VLAN's id or parent, a VXLAN's identity, and everything stacked on a replaced link) are the
/// ones `apply` would follow.
public enum PoolDiff {
    /// One property of an object: absent on one side when the object is added or removed.
    public struct Property: Equatable, Sendable, Encodable {
        public var name: String
        public var old: String?
        public var new: String?
    }

    public enum Operation: String, Sendable, Encodable {
        case added, removed, changed
        public var symbol: Character { self == .added ? "+" : self == .removed ? "-" : "~" }
    }

    public struct ObjectChange: Equatable, Sendable {
        public var operation: Operation
        public var kind: String
        public var name: String
        /// Where the object is declared: in the new file, or in the old one for a removal.
        public var mark: SourceMark
        /// Only the properties that differ (all of them for an added or removed object).
        public var properties: [Property]
        /// The planner deletes the link (and what it deletes with it) to apply this.
        public var disruptive: Bool
        public var reason: String?

        public var label: String { name.isEmpty ? kind : "\(kind) \(name)" }
    }

    public enum HostStatus: String, Sendable, Encodable { case added, removed, changed, unchanged }

    public struct HostChanges: Equatable, Sendable {
        public var host: String
        public var status: HostStatus
        public var changes: [ObjectChange]
    }

    /// Per host of either file (the new file's order, then hosts only the old one has).
    public static func diff(old: [String: DesiredState], oldHosts: [String], new: [String: DesiredState], newHosts: [String]) -> [HostChanges] {
        let order = newHosts + oldHosts.filter { !newHosts.contains($0) }
        return order.map { host in
            let changes = diff(old: old[host], new: new[host])
            let status: HostStatus = old[host] == nil ? .added : new[host] == nil ? .removed : changes.isEmpty ? .unchanged : .changed
            return HostChanges(host: host, status: status, changes: changes)
        }
    }

    /// One host: objects removed (old file order), then added or changed (new file order).
    public static func diff(old: DesiredState?, new: DesiredState?) -> [ObjectChange] {
        let before = old?.objects ?? []
        let after = new?.objects ?? []
        let key = { (o: DesiredObject) in o.label }
        let beforeByKey = Dictionary(before.map { (key($0), $0) }, uniquingKeysWith: { a, _ in a })
        let afterKeys = Set(after.map(key))
        // A host that leaves the file runs no more apply with it: nothing there is deleted by itself.
        let deleted = old.flatMap { old in new.map { deletions(old: old, new: $0) } } ?? [:]
        var out: [ObjectChange] = []
        for object in before where !afterKeys.contains(key(object)) {
            let reason = object.link.flatMap { deleted[$0] }
            out.append(ObjectChange(operation: .removed, kind: object.kind, name: object.name, mark: object.mark,
                                    properties: object.properties.map { Property(name: $0.name, old: $0.value, new: nil) },
                                    disruptive: reason != nil, reason: reason))
        }
        for object in after {
            guard let was = beforeByKey[key(object)] else {
                out.append(ObjectChange(operation: .added, kind: object.kind, name: object.name, mark: object.mark,
                                        properties: object.properties.map { Property(name: $0.name, old: nil, new: $0.value) },
                                        disruptive: false, reason: nil))
                continue
            }
            let reason = object.link.flatMap { deleted[$0] }
            let changed = changedProperties(was, object)
            guard !changed.isEmpty || reason != nil else { continue }
            out.append(ObjectChange(operation: .changed, kind: object.kind, name: object.name, mark: object.mark,
                                    properties: changed, disruptive: reason != nil, reason: reason))
        }
        return out
    }

    static func changedProperties(_ a: DesiredObject, _ b: DesiredObject) -> [Property] {
        let old = Dictionary(a.properties.map { ($0.name, $0.value) }, uniquingKeysWith: { x, _ in x })
        let new = Dictionary(b.properties.map { ($0.name, $0.value) }, uniquingKeysWith: { x, _ in x })
        var names = b.properties.map(\.name)
        names += a.properties.map(\.name).filter { new[$0] == nil }
        return names.compactMap { name in old[name] == new[name] ? nil : Property(name: name, old: old[name], new: new[name]) }
    }

    /// Links the planner deletes (prunes or recreates) to go from the old file's state to the new
    /// one's, with its reason.
    static func deletions(old: DesiredState, new: DesiredState) -> [String: String] {
        let nics = old.physicalNICs.union(new.physicalNICs)
        let before = converged(linksOnly(old), nics: nics)
        let plan = Planner.plan(desired: linksOnly(new), current: before)
        var reasons: [String: String] = [:]
        for change in plan.changes {
            guard case .deleteLink(let link) = change.action, change.disruptive else { continue }
            reasons[link.name] = change.reason ?? "deleted"
        }
        return reasons
    }

    /// The state a host with just these NICs reaches after applying `desired` (in the model).
    static func converged(_ desired: DesiredState, nics: Set<String>) -> CurrentState {
        let base = CurrentState(links: nics.sorted().enumerated().map { i, name in
            LinkState(index: Int32(i + 1), name: name, kind: .device, mtu: 1500, up: true, carrier: true)
        })
        let plan = Planner.plan(desired: desired, current: base)
        return Simulator.apply(plan.changes.map(\.action), to: base, bridgeVLANs: desired.managesBridgeVLANs)
    }

    /// Recreation is a matter of links: storage records and vports have their own diff lines.
    static func linksOnly(_ state: DesiredState) -> DesiredState {
        var s = state
        s.iscsi = nil
        s.vports = []
        return s
    }
}

import HostState
import Netlink
import Planner
import SystemCalls
import Topology

extension Engine {
    /// The state after an apply, to verify it. A small plan re-reads only the links it could have
    /// changed (one batched RTM_GETLINK each) on top of the state read before; anything else gets
    /// the full dumps. At 1,000 bridges this took the verification of a one-MTU change from a
    /// 3,000-link dump to a handful of requests.
    static func readAfter(_ changes: [Change], before: CurrentState, desired: DesiredState, using socket: RouteSocket,
                          storage: StorageBackends, keeper: AddressRecordKeeper? = nil) throws -> CurrentState {
        guard let touched = affectedLinks(changes, in: before) else {
            return try read(using: socket, for: desired, storage: storage, keeper: keeper)
        }
        PhaseTrace.mark("  verification: the links the steps touched found")
        let base = try StateReader.refresh(before, touched: touched, using: socket)
        // The untouched VXLANs keep the remotes read before: only a step on a VXLAN changes its FDB.
        return try read(using: socket, for: desired, base: base, remotesOf: touched, storage: storage, keeper: keeper)
    }

    /// Every link `changes` could have changed, with those the kernel changes along with them:
    /// the ports and members of a changed master, the children of a changed lower link (a VLAN's
    /// MTU follows its parent's down; a VXLAN goes with its underlay), and the master of a
    /// changed link (a bridge's MTU follows its ports'), transitively. Not the lower
    /// link of a changed child: no change to a VLAN or a VXLAN changes its parent, and walking up
    /// to a shared underlay pulled in every VXLAN on it (a full read for one VXLAN's MTU). Nil when
    /// a full read is needed or cheaper: storage steps, or more than `limit` links.
    static func affectedLinks(_ changes: [Change], in state: CurrentState, limit: Int = 64) -> Set<String>? {
        var touched = Set<String>()
        for change in changes {
            switch change.action {
            case .storage, .handOver: return nil  // a manager letting go may change any of them
            case .addRoute, .removeRoute: continue  // read again in full by `read`
            // A link's sysctls come with its link message: that link is read again. Writing `all`
            // or `default` can change every device's value (IPv4 copies `default` to those not
            // set by hand): a full read.
            case .setSysctl(let key, _, _) where ["all", "default"].contains(key.link): return nil
            // Enslaving changes the new master too (a bridge's MTU and carrier follow its ports);
            // the state read before knows only the old one.
            case let .setMaster(link, master, previous): touched.formUnion([link, master, previous].compactMap { $0 })
            default: touched.insert(change.action.link)  // a new link's name (its lower link is not changed by it)
            }
        }
        guard touched.count <= limit else { return nil }
        var byName: [String: LinkState] = [:]
        var dependents: [String: [String]] = [:]
        for link in state.links {
            byName[link.name] = link
            for upper in [link.master, link.link, link.vxlan?.device].compactMap({ $0 }) {
                dependents[upper, default: []].append(link.name)
            }
        }
        var queue = Array(touched)
        while let name = queue.popLast() {
            var related = dependents[name] ?? []
            if let master = byName[name]?.master { related.append(master) }
            for other in related where touched.insert(other).inserted {
                if touched.count > limit { return nil }
                queue.append(other)
            }
        }
        return touched
    }
}

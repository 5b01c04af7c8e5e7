import HostState

/// Applies actions to the state model, as the kernel would. Used to prove, without a kernel, that
/// applying a plan converges (planning again is empty) and that a rollback restores the state.
public enum Simulator {
    public static func apply(_ actions: [Action], to state: CurrentState) -> CurrentState {
        actions.reduce(state) { apply($1, to: $0) }
    }

    public static func apply(_ action: Action, to state: CurrentState) -> CurrentState {
        var s = state
        func update(_ name: String, _ body: (inout LinkState) -> Void) {
            if let i = s.links.firstIndex(where: { $0.name == name }) { body(&s.links[i]) }
        }
        switch action {
        case .createLink(let n):
            let index = (s.links.map(\.index).max() ?? 0) + 1
            s.links.append(LinkState(index: index, name: n.name, kind: n.kind, mtu: n.mtu ?? 1500, up: n.up,
                                     carrier: n.up, alias: n.alias, link: n.link, vlanID: n.vlanID, bridge: n.bridge))
        case .deleteLink(let l):
            s.links.removeAll { $0.name == l.name }
            s.addresses.removeAll { $0.link == l.name }
            for i in s.links.indices where s.links[i].master == l.name { s.links[i].master = nil }
        case let .setMTU(link, mtu, _): update(link) { $0.mtu = mtu }
        case let .setUp(link, up): update(link) { $0.up = up }
        case let .setMaster(link, master, _): update(link) { $0.master = master }
        case let .setAlias(link, alias, _): update(link) { $0.alias = alias }
        case let .setBridgeOptions(link, options, _): update(link) { $0.bridge = options }
        case let .addAddress(link, prefix, proto): s.addresses.append(AddressState(link: link, prefix: prefix, proto: proto))
        case let .removeAddress(link, prefix, _): s.addresses.removeAll { $0.link == link && $0.prefix == prefix }
        }
        return s
    }
}
